/// The bracketed code at the start of a status response's text: machine-readable detail for
/// the client (`[TRYCREATE]`, `[UIDVALIDITY 3857529045]`, `[COPYUID 38505 304 3956]`, …).
///
///     C: A003 APPEND saved-messages (\Seen) {297}
///     S: A003 OK [APPENDUID 38505 3955] APPEND completed
///
/// Codes this type does not know are kept as ``other(name:text:)`` (`atom [SP text]`).
/// - SeeAlso: [RFC 9051 §7.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.1),
///   [RFC 5530](https://www.rfc-editor.org/rfc/rfc5530#section-3)
public enum ResponseCode: Sendable, Hashable {
    // RFC 3501 / RFC 9051 §7.1
    case alert
    /// `BADCHARSET` with the charsets the server supports (possibly none listed).
    case badCharset([String])
    case capability([String])
    case parse
    case permanentFlags([Flag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    // RFC 5530
    case unavailable
    case authenticationFailed
    case authorizationFailed
    case expired
    case privacyRequired
    case contactAdmin
    case noPerm
    case inUse
    case expungeIssued
    case corruption
    case serverBug
    case clientBug
    case cannot
    case limit
    case overQuota
    case alreadyExists
    case nonExistent
    // RFC 4315 UIDPLUS
    /// `APPENDUID uidvalidity uids` (a set only after MULTIAPPEND).
    case appendUID(uidValidity: UInt32, uids: SequenceSet)
    case copyUID(uidValidity: UInt32, source: SequenceSet, destination: SequenceSet)
    case uidNotSticky
    // RFC 7162 CONDSTORE / QRESYNC
    case highestModSeq(UInt64)
    case noModSeq
    case modified(SequenceSet)
    case closed
    // RFC 5464 METADATA
    case metadataLongEntries(UInt32)
    case metadataMaxSize(UInt32)
    case metadataTooMany
    case metadataNoPrivate
    // RFC 8474 OBJECTID
    case mailboxID(String)
    // RFC 2221 LOGIN-REFERRALS / RFC 2193 MAILBOX-REFERRALS
    /// `REFERRAL` with one or more IMAP URLs.
    case referral([String])
    // RFC 6154 SPECIAL-USE
    case useAttr
    // RFC 9051
    case hasChildren
    // RFC 5182 SEARCHRES
    case notSaved
    // RFC 4978 COMPRESS
    case compressionActive
    // RFC 3516 BINARY
    case unknownCTE
    /// Any other code: its name as received and the text after it, if any.
    case other(name: String, text: String?)
}

// MARK: - Encoding

extension EncodeBuffer {
    // resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] / capability-data / ...
    @discardableResult
    public mutating func writeResponseCode(_ code: ResponseCode) -> Int {
        switch code {
        case .alert: return writeRaw("ALERT")
        case .badCharset(let charsets):
            guard !charsets.isEmpty else { return writeRaw("BADCHARSET") }
            return writeRaw("BADCHARSET ") + writeList(charsets) { $0.writeResponseCodeCharset($1) }
        case .capability(let caps): return writeCapabilityData(caps)
        case .parse: return writeRaw("PARSE")
        case .permanentFlags(let flags): return writeRaw("PERMANENTFLAGS ") + writeFlags(flags)
        case .readOnly: return writeRaw("READ-ONLY")
        case .readWrite: return writeRaw("READ-WRITE")
        case .tryCreate: return writeRaw("TRYCREATE")
        case .uidNext(let n): return writeRaw("UIDNEXT ") + writeNumber(n)
        case .uidValidity(let n): return writeRaw("UIDVALIDITY ") + writeNumber(n)
        case .unseen(let n): return writeRaw("UNSEEN ") + writeNumber(n)
        case .unavailable: return writeRaw("UNAVAILABLE")
        case .authenticationFailed: return writeRaw("AUTHENTICATIONFAILED")
        case .authorizationFailed: return writeRaw("AUTHORIZATIONFAILED")
        case .expired: return writeRaw("EXPIRED")
        case .privacyRequired: return writeRaw("PRIVACYREQUIRED")
        case .contactAdmin: return writeRaw("CONTACTADMIN")
        case .noPerm: return writeRaw("NOPERM")
        case .inUse: return writeRaw("INUSE")
        case .expungeIssued: return writeRaw("EXPUNGEISSUED")
        case .corruption: return writeRaw("CORRUPTION")
        case .serverBug: return writeRaw("SERVERBUG")
        case .clientBug: return writeRaw("CLIENTBUG")
        case .cannot: return writeRaw("CANNOT")
        case .limit: return writeRaw("LIMIT")
        case .overQuota: return writeRaw("OVERQUOTA")
        case .alreadyExists: return writeRaw("ALREADYEXISTS")
        case .nonExistent: return writeRaw("NONEXISTENT")
        case .appendUID(let validity, let uids):
            return writeRaw("APPENDUID ") + writeNumber(validity) + writeSpace() + writeSequenceSet(uids)
        case .copyUID(let validity, let source, let destination):
            return writeRaw("COPYUID ") + writeNumber(validity) + writeSpace() + writeSequenceSet(source)
                + writeSpace() + writeSequenceSet(destination)
        case .uidNotSticky: return writeRaw("UIDNOTSTICKY")
        case .highestModSeq(let n): return writeRaw("HIGHESTMODSEQ ") + writeNumber(n)
        case .noModSeq: return writeRaw("NOMODSEQ")
        case .modified(let set): return writeRaw("MODIFIED ") + writeSequenceSet(set)
        case .closed: return writeRaw("CLOSED")
        case .metadataLongEntries(let n): return writeRaw("METADATA LONGENTRIES ") + writeNumber(n)
        case .metadataMaxSize(let n): return writeRaw("METADATA MAXSIZE ") + writeNumber(n)
        case .metadataTooMany: return writeRaw("METADATA TOOMANY")
        case .metadataNoPrivate: return writeRaw("METADATA NOPRIVATE")
        case .mailboxID(let id): return writeRaw("MAILBOXID (") + writeRaw(id) + writeRaw(")")
        case .referral(let urls):
            return urls.reduce(writeRaw("REFERRAL")) { n, url in n + writeSpace() + writeRaw(url) }
        case .useAttr: return writeRaw("USEATTR")
        case .hasChildren: return writeRaw("HASCHILDREN")
        case .notSaved: return writeRaw("NOTSAVED")
        case .compressionActive: return writeRaw("COMPRESSIONACTIVE")
        case .unknownCTE: return writeRaw("UNKNOWN-CTE")
        case .other(let name, let text):
            guard let text else { return writeRaw(name) }
            return writeRaw(name) + writeSpace() + writeTextChars(text, inCode: true)
        }
    }

    // capability-data = "CAPABILITY" *(SP capability)
    @discardableResult
    public mutating func writeCapabilityData(_ capabilities: [String]) -> Int {
        capabilities.reduce(writeRaw("CAPABILITY")) { n, c in n + writeSpace() + writeRaw(c) }
    }

    // charset = atom / quoted
    @discardableResult
    public mutating func writeResponseCodeCharset(_ charset: String) -> Int {
        let b = Array(charset.utf8)
        if !b.isEmpty, b.allSatisfy(\.isAtomChar) { return writeBytes(b) }
        return writeQuoted(b)
    }
}
