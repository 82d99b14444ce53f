/// One response a server sends: untagged data or status, a tagged completion, or a
/// continuation request.
///
///     C: a002 select inbox
///     S: * 18 EXISTS
///     S: a002 OK [READ-WRITE] SELECT completed
///
/// - SeeAlso: [RFC 9051 §7](https://www.rfc-editor.org/rfc/rfc9051#section-7)
public enum Response: Sendable, Hashable {
    /// `* …` — server data or an untagged status.
    case untagged(UntaggedResponse)
    /// `tag OK|NO|BAD …` — the completion of a command.
    case tagged(TaggedResponse)
    /// `+ …` — the server waits for more of the command (or for a SASL response).
    case continuation(ContinuationRequest)
}

/// The completion result of one command.
///
///     C: a001 login mrc secret
///     S: a001 OK LOGIN completed
///
/// - SeeAlso: [RFC 9051 §7.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.1)
public struct TaggedResponse: Sendable, Hashable {
    public var tag: String
    public var state: ResponseState

    public init(tag: String, state: ResponseState) {
        self.tag = tag
        self.state = state
    }
}

/// `OK`, `NO` or `BAD` with its text (tagged, or untagged as a warning or information).
///
///     S: * NO Disk is 98% full, please delete unnecessary data
///
/// - SeeAlso: [RFC 9051 §7.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.1)
public enum ResponseState: Sendable, Hashable {
    case ok(ResponseText)
    case no(ResponseText)
    case bad(ResponseText)

    public var text: ResponseText {
        switch self {
        case .ok(let t), .no(let t), .bad(let t): return t
        }
    }
}

/// The human-readable part of a status response, with its optional response code.
///
///     S: * OK [UNSEEN 17] Message 17 is the first unseen message
///
/// - SeeAlso: [RFC 9051 §7.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.1)
public struct ResponseText: Sendable, Hashable {
    public var code: ResponseCode?
    /// The text after the code; may be empty (RFC 9051 allows it).
    public var text: String

    public init(code: ResponseCode? = nil, text: String) {
        self.code = code
        self.text = text
    }
}

/// The three possible first lines of a connection.
///
///     S: * OK IMAP4rev1 Service Ready
///     S: * PREAUTH IMAP4rev1 server logged in as Smith
///     S: * BYE Autologout; idle for too long
///
/// - SeeAlso: [RFC 9051 §7.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.1)
public enum Greeting: Sendable, Hashable {
    case ok(ResponseText)
    case preauth(ResponseText)
    case bye(ResponseText)
}

// MARK: - Encoding

extension EncodeBuffer {
    /// One response with its final CRLF.
    // response = *(continue-req / response-data) response-done
    @discardableResult
    public mutating func writeResponse(_ response: Response) -> Int {
        switch response {
        case .untagged(let u): return writeUntaggedResponse(u)
        case .tagged(let t): return writeTaggedResponse(t)
        case .continuation(let c): return writeContinuationRequest(c)
        }
    }

    // response-tagged = tag SP resp-cond-state CRLF
    @discardableResult
    public mutating func writeTaggedResponse(_ response: TaggedResponse) -> Int {
        writeRaw(response.tag) + writeSpace() + writeResponseState(response.state) + writeNewline()
    }

    // resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
    @discardableResult
    public mutating func writeResponseState(_ state: ResponseState) -> Int {
        switch state {
        case .ok(let t): return writeRaw("OK ") + writeResponseText(t)
        case .no(let t): return writeRaw("NO ") + writeResponseText(t)
        case .bad(let t): return writeRaw("BAD ") + writeResponseText(t)
        }
    }

    /// CR, LF and NUL in the text are written as spaces, so no text can end the line early
    /// and smuggle in a response of its own.
    // resp-text = ["[" resp-text-code "]" SP] [text]
    @discardableResult
    public mutating func writeResponseText(_ text: ResponseText) -> Int {
        var n = 0
        if let code = text.code { n += writeRaw("[") + writeResponseCode(code) + writeRaw("] ") }
        return n + writeTextChars(text.text)
    }

    /// `text` with every byte that is not a TEXT-CHAR (CR, LF, NUL) replaced by a space, and
    /// `]` too when `inCode` (the text of a response code ends at the first `]`).
    @discardableResult
    mutating func writeTextChars(_ text: String, inCode: Bool = false) -> Int {
        writeBytes(text.utf8.map { $0.isTextChar && !(inCode && $0 == UInt8(ascii: "]")) ? $0 : UInt8(ascii: " ") })
    }

    // greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
    @discardableResult
    public mutating func writeGreeting(_ greeting: Greeting) -> Int {
        switch greeting {
        case .ok(let t): return writeUntaggedResponse(.state(.ok(t)))
        case .preauth(let t): return writeUntaggedResponse(.preauth(t))
        case .bye(let t): return writeUntaggedResponse(.bye(t))
        }
    }
}
