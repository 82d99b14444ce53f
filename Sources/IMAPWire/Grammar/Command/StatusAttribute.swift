/// A data item STATUS can ask for (and LIST can return with `RETURN (STATUS (...))`).
///
///     C: A042 STATUS blurdybloop (UIDNEXT MESSAGES)
///
/// - SeeAlso: [RFC 9051 §6.3.11](https://www.rfc-editor.org/rfc/rfc9051#section-6.3.11),
///   [RFC 7162 §3.1.6](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.6),
///   [RFC 8438](https://www.rfc-editor.org/rfc/rfc8438), [RFC 8474 §4.1](https://www.rfc-editor.org/rfc/rfc8474#section-4.1),
///   [RFC 7889](https://www.rfc-editor.org/rfc/rfc7889), [RFC 9208 §4.4](https://www.rfc-editor.org/rfc/rfc9208#section-4.4)
public enum StatusAttribute: String, Sendable, Hashable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    case highestModSeq = "HIGHESTMODSEQ"
    case appendLimit = "APPENDLIMIT"
    case mailboxID = "MAILBOXID"
    case deletedStorage = "DELETED-STORAGE"
}

// MARK: - Encoding

extension EncodeBuffer {
    // status-att-list = "(" status-att *(SP status-att) ")"
    @discardableResult
    public mutating func writeStatusAttributes(_ attrs: [StatusAttribute]) -> Int {
        writeList(attrs) { $0.writeRaw($1.rawValue) }
    }
}
