public import IMAPWire

/// One line (with its literals) from an MUPDATE server.
///
///     S: * AUTH "PLAIN" "SCRAM-SHA-256"
///     S: * PARTIAL-UPDATE
///     S: * OK MUPDATE "mupdate.example.com" "Murder" "0.1" "(master)"
///     C: U01 UPDATE
///     S: U01 MAILBOX {8+}
///     S: user.bob {23+}
///     S: 127.0.0.1:14143!default {19+}
///     S: bob\tlrswipkxtecdan\t
///     S: U01 OK "streaming starts"
///
/// - SeeAlso: [RFC 3656 §3](https://www.rfc-editor.org/rfc/rfc3656#section-3)
public enum MUpdateResponse: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
    }

    // MARK: Banner (SPEC.md §3.2)

    /// `* AUTH "PLAIN" "SCRAM-SHA-256"`, or `* AUTH` alone when no mechanism is offered.
    case authMechanisms([String])
    /// `* STARTTLS`.
    case startTLSAvailable
    /// `* COMPRESS "DEFLATE"` (Cyrus extension).
    case compressAvailable([String])
    /// `* PARTIAL-UPDATE` (Cyrus extension).
    case partialUpdateAvailable
    /// `* X-UPDATE-SINCE` (SPEC.md §3.5).
    case updateSinceAvailable
    /// `* OK MUPDATE "<servername>" "<implementation>" "<version>" "<role>"`.
    case greeting(MUpdateGreeting)
    /// Any other untagged line, tolerated and ignored by clients: the text after `* `.
    case untagged(String)

    // MARK: Untagged status

    /// `* BYE "text"`: the server closes the connection.
    case bye(MUpdateText)
    /// `* BAD "text"`: a line that could not be tied to a tag.
    case untaggedBad(MUpdateText)

    // MARK: Tagged data (RFC 3656 §3.5–3.7, SPEC.md §3.5)

    /// `tag MAILBOX name location acl`: an ACTIVE record.
    case mailbox(tag: String, name: InternalMailboxName, location: MailboxLocation, acl: CyrusACL)
    /// `tag RESERVE name location`: a RESERVED record.
    case reserve(tag: String, name: InternalMailboxName, location: MailboxLocation)
    /// `tag DELETE name`: the record is gone (only in an UPDATE stream).
    case delete(tag: String, name: InternalMailboxName)
    /// `tag X-SEQ "epoch" "seq"`: the stream is complete up to this change.
    case sequence(tag: String, epoch: String, sequence: UInt64)

    // MARK: Completion (RFC 3656 §3.1–3.3)

    /// `tag OK|NO|BAD "text"`.
    case completion(tag: String, status: Status, text: MUpdateText)

    // MARK: Continuations

    /// A SASL challenge as Cyrus's master sends it: the base64 text alone on its line (an
    /// empty line for an empty challenge). Also what a quoted or literal challenge parses to.
    case saslChallenge(String)
    /// `+ text`: a continuation request, `+ go ahead` for a synchronising literal.
    case continuationRequest(String)

    public static func ok(_ tag: String, _ text: MUpdateText) -> MUpdateResponse {
        .completion(tag: tag, status: .ok, text: text)
    }

    public static func no(_ tag: String, _ text: MUpdateText) -> MUpdateResponse {
        .completion(tag: tag, status: .no, text: text)
    }

    public static func bad(_ tag: String, _ text: MUpdateText) -> MUpdateResponse {
        .completion(tag: tag, status: .bad, text: text)
    }

    /// The tag of a tagged line.
    public var tag: String? {
        switch self {
        case .mailbox(let tag, _, _, _), .reserve(let tag, _, _), .delete(let tag, _),
            .sequence(let tag, _, _), .completion(let tag, _, _):
            tag
        default:
            nil
        }
    }

    /// Whether this is a line a client reads before `* OK MUPDATE` (and may ignore).
    public var isBanner: Bool {
        switch self {
        case .authMechanisms, .startTLSAvailable, .compressAvailable, .partialUpdateAvailable,
            .updateSinceAvailable, .greeting, .untagged:
            true
        default:
            false
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    /// Writes `response` exactly as Cyrus 3.6's master does: the arguments of MAILBOX, RESERVE and
    /// DELETE as `{n+}` literals, banner arguments and completion texts quoted (except the texts
    /// Cyrus writes bare, see ``MUpdateText``), SASL challenges as bare base64 lines.
    ///
    ///     U01 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n
    ///     U01 OK "streaming starts"\r\n
    @discardableResult
    public mutating func writeMUpdateResponse(_ response: MUpdateResponse) -> Int {
        var n = 0
        switch response {
        case .authMechanisms(let mechanisms):
            n += writeRaw("* AUTH")
            for mechanism in mechanisms { n += writeSpace() + writeMUpdateQuoted(mechanism) }
        case .startTLSAvailable:
            n += writeRaw("* STARTTLS")
        case .compressAvailable(let algorithms):
            n += writeRaw("* COMPRESS")
            for algorithm in algorithms { n += writeSpace() + writeMUpdateQuoted(algorithm) }
        case .partialUpdateAvailable:
            n += writeRaw("* PARTIAL-UPDATE")
        case .updateSinceAvailable:
            n += writeRaw("* X-UPDATE-SINCE")
        case .greeting(let greeting):
            n += writeRaw("* OK MUPDATE ") + writeMUpdateQuoted(greeting.serverName)
            n += writeSpace() + writeMUpdateQuoted(greeting.implementation)
            n += writeSpace() + writeMUpdateQuoted(greeting.version)
            n += writeSpace() + writeMUpdateQuoted(greeting.role.description)
        case .untagged(let text):
            n += writeRaw("* ") + writeRaw(text)
        case .bye(let text):
            n += writeRaw("* BYE") + writeMUpdateText(text)
        case .untaggedBad(let text):
            n += writeRaw("* BAD") + writeMUpdateText(text)
        case .mailbox(let tag, let name, let location, let acl):
            n += writeRaw(tag) + writeRaw(" MAILBOX ") + writeMUpdateLiteral(name.bytes)
            n += writeSpace() + writeMUpdateLiteral(Array(location.description.utf8))
            n += writeSpace() + writeMUpdateLiteral(acl.bytes)
        case .reserve(let tag, let name, let location):
            n += writeRaw(tag) + writeRaw(" RESERVE ") + writeMUpdateLiteral(name.bytes)
            n += writeSpace() + writeMUpdateLiteral(Array(location.description.utf8))
        case .delete(let tag, let name):
            n += writeRaw(tag) + writeRaw(" DELETE ") + writeMUpdateLiteral(name.bytes)
        case .sequence(let tag, let epoch, let sequence):
            n += writeRaw(tag) + writeRaw(" X-SEQ ") + writeMUpdateQuoted(epoch)
            n += writeSpace() + writeMUpdateQuoted(String(sequence))
        case .completion(let tag, let status, let text):
            n += writeRaw(tag) + writeSpace() + writeRaw(status.rawValue) + writeMUpdateText(text)
        case .saslChallenge(let base64):
            n += writeRaw(base64)
        case .continuationRequest(let text):
            n += writeRaw("+ ") + writeRaw(text)
        }
        return n + writeNewline()
    }

    /// ` "text"` or ` text`; nothing for an empty bare text.
    mutating func writeMUpdateText(_ text: MUpdateText) -> Int {
        switch text.form {
        case .quoted:
            return writeSpace() + writeMUpdateQuoted(text.text)
        case .bare:
            guard !text.text.isEmpty else { return 0 }
            let clean = Array(text.text.utf8).map { $0.isTextChar ? $0 : UInt8(ascii: " ") }
            return writeSpace() + writeBytes(clean)
        }
    }
}
