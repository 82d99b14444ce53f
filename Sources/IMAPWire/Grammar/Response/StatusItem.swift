/// One item of a `STATUS` response.
///
///     C: A042 STATUS blurdybloop (UIDNEXT MESSAGES)
///     S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
///
/// - SeeAlso: [RFC 9051 §7.2.4](https://www.rfc-editor.org/rfc/rfc9051#section-7.2.4),
///   [RFC 7889](https://www.rfc-editor.org/rfc/rfc7889), [RFC 8474](https://www.rfc-editor.org/rfc/rfc8474)
public enum StatusItem: Sendable, Hashable {
    case messages(UInt32)
    /// IMAP4rev1 only.
    case recent(UInt32)
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    /// RFC 9051: messages with `\Deleted`.
    case deleted(UInt32)
    /// RFC 8438 / RFC 9051: total octets.
    case size(UInt64)
    /// RFC 7162.
    case highestModSeq(UInt64)
    /// RFC 7889: the largest APPEND the server accepts, nil for `NIL` (no limit).
    case appendLimit(UInt64?)
    /// RFC 8474.
    case mailboxID(String)
    /// RFC 9208.
    case deletedStorage(UInt64)
    /// Any other `name number` pair.
    case other(name: String, value: UInt64)
}

// MARK: - Encoding

extension EncodeBuffer {
    // status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ...
    @discardableResult
    public mutating func writeStatusItem(_ item: StatusItem) -> Int {
        switch item {
        case .messages(let n): return writeRaw("MESSAGES ") + writeNumber(n)
        case .recent(let n): return writeRaw("RECENT ") + writeNumber(n)
        case .uidNext(let n): return writeRaw("UIDNEXT ") + writeNumber(n)
        case .uidValidity(let n): return writeRaw("UIDVALIDITY ") + writeNumber(n)
        case .unseen(let n): return writeRaw("UNSEEN ") + writeNumber(n)
        case .deleted(let n): return writeRaw("DELETED ") + writeNumber(n)
        case .size(let n): return writeRaw("SIZE ") + writeNumber(n)
        case .highestModSeq(let n): return writeRaw("HIGHESTMODSEQ ") + writeNumber(n)
        case .appendLimit(let n): return writeRaw("APPENDLIMIT ") + (n.map { writeNumber($0) } ?? writeNil())
        case .mailboxID(let id): return writeRaw("MAILBOXID (") + writeRaw(id) + writeRaw(")")
        case .deletedStorage(let n): return writeRaw("DELETED-STORAGE ") + writeNumber(n)
        case .other(let name, let value): return writeRaw(name) + writeSpace() + writeNumber(value)
        }
    }
}
