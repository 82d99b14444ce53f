/// The arguments of APPEND (and of Cyrus's LOCALAPPEND): the target mailbox and one or more
/// messages (RFC 3502 MULTIAPPEND).
///
///     C: A003 APPEND saved-messages (\Seen) {310}
///     S: + Ready for literal data
///     C: Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
///     C: ...
///
/// - SeeAlso: [RFC 9051 §6.3.12](https://www.rfc-editor.org/rfc/rfc9051#section-6.3.12),
///   [RFC 3502 §6](https://www.rfc-editor.org/rfc/rfc3502#section-6)
public struct AppendCommand: Sendable, Hashable {
    public var mailbox: MailboxName
    public var messages: [AppendMessage]

    public init(_ mailbox: MailboxName, _ messages: [AppendMessage]) {
        self.mailbox = mailbox
        self.messages = messages
    }
}

/// One message of an APPEND: its options and its bytes.
///
///     C: A004 APPEND Drafts (\Draft) "17-Jul-1996 02:44:25 -0700" ~{4}
///
/// - SeeAlso: [RFC 3502 §6](https://www.rfc-editor.org/rfc/rfc3502#section-6),
///   [RFC 3516 §4.4](https://www.rfc-editor.org/rfc/rfc3516#section-4.4)
public struct AppendMessage: Sendable, Hashable {
    public var options: AppendOptions
    public var data: AppendData

    public init(options: AppendOptions = AppendOptions(), data: AppendData) {
        self.options = options
        self.data = data
    }
}

/// append-opts: flags, internal date and extension parameters of one appended message.
/// - SeeAlso: [RFC 4466 §2.3](https://www.rfc-editor.org/rfc/rfc4466#section-2.3)
public struct AppendOptions: Sendable, Hashable {
    /// Empty when the command gives no flag list (the same as `()`).
    public var flags: [Flag]
    public var internalDate: InternalDate?
    public var extensions: [TaggedExtension]

    public init(flags: [Flag] = [], internalDate: InternalDate? = nil, extensions: [TaggedExtension] = []) {
        self.flags = flags
        self.internalDate = internalDate
        self.extensions = extensions
    }
}

/// The message bytes; `isBinary` when sent as a literal8 (`~{n}`).
/// - SeeAlso: [RFC 3516 §4.4](https://www.rfc-editor.org/rfc/rfc3516#section-4.4)
public struct AppendData: Sendable, Hashable {
    public var bytes: [UInt8]
    public var isBinary: Bool

    public init(_ bytes: [UInt8], isBinary: Bool = false) {
        self.bytes = bytes
        self.isBinary = isBinary
    }
}

/// What precedes one message's bytes, for decoders that stream the message literal instead of
/// buffering it: the options and the announced literal.
///
///     C: A003 APPEND saved-messages (\Seen) {310}
///     S: + Ready for literal data
///
/// - SeeAlso: ``GrammarParser/parseAppendMessageHeader(_:)``,
///   [RFC 3502 §6](https://www.rfc-editor.org/rfc/rfc3502#section-6)
public struct AppendMessageHeader: Sendable, Hashable {
    public var options: AppendOptions
    /// Octets of the message literal that follow.
    public var length: UInt64
    /// `~{n}`: a literal8.
    public var isBinary: Bool
    /// `{n+}`: the client does not wait for a continuation request.
    public var isNonSynchronizing: Bool

    public init(options: AppendOptions, length: UInt64, isBinary: Bool = false, isNonSynchronizing: Bool = false) {
        self.options = options
        self.length = length
        self.isBinary = isBinary
        self.isNonSynchronizing = isNonSynchronizing
    }
}

/// The start of an APPEND or LOCALAPPEND: tag, command and target mailbox, read before the
/// first message header.
///
///     C: A003 APPEND saved-messages (\Seen) {310}
///     C: A004 LOCALAPPEND user.fred "" {310}
///
/// LOCALAPPEND is Cyrus's form of APPEND for proxied sessions (SPEC.md §13).
/// - SeeAlso: ``GrammarParser/parseAppendStart(_:)``
public struct AppendStart: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case append
        /// Cyrus's LOCALAPPEND, with the mailbox the proxying session has selected (nil for `""`).
        case localAppend(selected: MailboxName?)
    }

    public var tag: String
    public var mailbox: MailboxName
    public var kind: Kind

    public init(tag: String, mailbox: MailboxName, kind: Kind = .append) {
        self.tag = tag
        self.mailbox = mailbox
        self.kind = kind
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // append = "APPEND" SP mailbox 1*append-message (arguments only)
    @discardableResult
    public mutating func writeAppendCommand(_ append: AppendCommand) -> Int {
        var n = writeMailbox(append.mailbox)
        for message in append.messages { n += writeAppendMessage(message) }
        return n
    }

    // append-message = append-opts SP append-data ; with its leading SP
    @discardableResult
    public mutating func writeAppendMessage(_ message: AppendMessage) -> Int {
        writeAppendOptions(message.options) + writeSpace()
            + writeLiteral(message.data.bytes, binary: message.data.isBinary)
    }

    /// One message's header for a streamed body: ` [flags] [date] [ext] {n}\r\n`; the body follows.
    @discardableResult
    public mutating func writeAppendMessageHeader(_ header: AppendMessageHeader) -> Int {
        writeAppendOptions(header.options) + writeSpace()
            + writeLiteralHeader(length: Int(header.length), binary: header.isBinary)
    }

    // append-opts = [SP flag-list] [SP date-time] *(SP append-ext)
    @discardableResult
    public mutating func writeAppendOptions(_ options: AppendOptions) -> Int {
        var n = 0
        if !options.flags.isEmpty { n += writeSpace() + writeFlags(options.flags) }
        if let date = options.internalDate { n += writeSpace() + writeInternalDate(date) }
        for ext in options.extensions { n += writeSpace() + writeTaggedExtension(ext) }
        return n
    }
}
