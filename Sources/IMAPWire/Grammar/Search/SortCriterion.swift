/// One key of a SORT, optionally reversed.
///
///     C: A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL
///
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3),
///   [RFC 5957 §3](https://www.rfc-editor.org/rfc/rfc5957#section-3)
public struct SortCriterion: Sendable, Hashable {
    public enum Key: String, Sendable, Hashable, CaseIterable {
        case arrival = "ARRIVAL"
        case cc = "CC"
        case date = "DATE"
        case from = "FROM"
        case size = "SIZE"
        case subject = "SUBJECT"
        case to = "TO"
        /// SORT=DISPLAY (RFC 5957)
        case displayFrom = "DISPLAYFROM"
        case displayTo = "DISPLAYTO"
    }

    public var reverse: Bool
    public var key: Key

    public init(_ key: Key, reverse: Bool = false) {
        self.key = key
        self.reverse = reverse
    }
}

/// The arguments of SORT and UID SORT: criteria, charset, search keys.
///
///     C: A284 SORT (SUBJECT) US-ASCII TEXT "not in mailbox"
///
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
public struct SortCommand: Sendable, Hashable {
    public var criteria: [SortCriterion]
    public var charset: String
    public var key: SearchKey

    public init(_ criteria: [SortCriterion], charset: String, _ key: SearchKey) {
        self.criteria = criteria
        self.charset = charset
        self.key = key
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // sort-criterion = ["REVERSE" SP] sort-key
    @discardableResult
    public mutating func writeSortCriterion(_ c: SortCriterion) -> Int {
        writeRaw((c.reverse ? "REVERSE " : "") + c.key.rawValue)
    }

    // sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria (arguments only)
    @discardableResult
    public mutating func writeSortCommand(_ sort: SortCommand) -> Int {
        writeList(sort.criteria) { $0.writeSortCriterion($1) } + writeSpace() + writeCharset(sort.charset)
            + writeSpace() + writeSearchProgramKeys(sort.key)
    }
}
