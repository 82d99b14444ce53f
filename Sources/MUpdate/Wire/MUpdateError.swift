public import IMAPWire

/// A failed MUPDATE operation, as a client of the protocol sees it. Codes carry the names of
/// Cyrus's `mupdate_err.et` table, so that operators recognise them in logs.
public struct MUpdateError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, extensible.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The Cyrus name, e.g. `MUPDATE_NOCONN`.
        public let name: String

        public init(_ name: String) { self.name = name }

        public var description: String { name }

        /// The master refused the operation (`NO` or `BAD`).
        public static let fail = Code("MUPDATE_FAIL")
        /// The master refused a RESERVE or DEACTIVATE.
        public static let failReserve = Code("MUPDATE_FAIL_RESERVE")
        /// No connection to the master.
        public static let noConnection = Code("MUPDATE_NOCONN")
        /// The connection is not authenticated.
        public static let noAuthentication = Code("MUPDATE_NOAUTH")
        /// The master did not answer in time.
        public static let timeout = Code("MUPDATE_TIMEOUT")
        /// The caller passed something that cannot be sent.
        public static let badParameter = Code("MUPDATE_BADPARAM")
        /// The master sent something this client cannot parse or did not expect.
        public static let protocolError = Code("MUPDATE_PROTOCOL_ERROR")
        /// FIND found nothing.
        public static let mailboxUnknown = Code("MUPDATE_MAILBOX_UNKNOWN")
    }

    /// Where an error was raised.
    public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
        public var function: String
        public var file: String
        public var line: Int

        public init(function: String = #function, file: String = #fileID, line: Int = #line) {
            self.function = function
            self.file = file
            self.line = line
        }

        public var description: String { "\(file):\(line) \(function)" }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?
    public var location: SourceLocation

    public init(
        _ code: Code, _ message: String, cause: (any Error & Sendable)? = nil,
        function: String = #function, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = SourceLocation(function: function, file: file, line: line)
    }

    /// The error for a completion that is not `OK`, or nil for `OK`: a refused RESERVE or
    /// DEACTIVATE is ``Code/failReserve``, anything else ``Code/fail``, as in Cyrus's client.
    public init?(
        completion status: MUpdateResponse.Status, text: MUpdateText, to command: MUpdateCommand.Kind,
        function: String = #function, file: String = #fileID, line: Int = #line
    ) {
        guard status != .ok else { return nil }
        let code: Code
        switch command {
        case .reserve, .deactivate: code = .failReserve
        default: code = .fail
        }
        self.init(
            code, "\(command.name) answered \(status.rawValue): \(text.text)", function: function, file: file,
            line: line)
    }

    public var description: String {
        var out = "\(code): \(message)"
        if let cause { out += " (\(cause))" }
        return out
    }
}

// MARK: - Mapping to the wire

extension MUpdateResponse {
    /// The answer to a command the parser refused: `tag BAD "<reason>"`, or `* BAD "<reason>"`
    /// when not even the tag could be read. Going past a bound of SPEC.md §3.1 gets a fixed text.
    ///
    /// A non-synchronising literal over the bound is not answered here: its bytes are already on
    /// their way, so the session closes the connection with `* BYE` instead (SPEC.md §3.1).
    public init(answering error: BadCommand) {
        let text: MUpdateText
        switch error.underlying {
        case let parse as ParserError:
            text = MUpdateText(parse.reason)
        case let limit as LimitExceeded:
            switch limit.limit {
            case .lineLength: text = MUpdateResponseText.lineTooLong
            case .literalSize, .stringLiteralSize: text = MUpdateResponseText.literalTooLarge
            case .mailboxNameLength: text = MUpdateResponseText.mailboxNameTooLong
            default: text = MUpdateResponseText.tooManyArguments
            }
        default:
            text = MUpdateResponseText.badlyFormedArguments
        }
        if let tag = error.tag {
            self = .bad(tag, text)
        } else {
            self = .untaggedBad(text)
        }
    }
}
