/// The arguments of SEARCH and UID SEARCH: ESEARCH return options, charset, criteria.
///
///     C: A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
///     C: A283 SEARCH CHARSET UTF-8 TEXT {4}
///
/// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4),
///   [RFC 4731 §3.1](https://www.rfc-editor.org/rfc/rfc4731#section-3.1)
public struct SearchCommand: Sendable, Hashable {
    /// nil without `RETURN`; `RETURN ()` is `[]` (the same as `[.all]` in results).
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    /// The criteria; several top-level keys are one ``SearchKey/and(_:)``.
    public var key: SearchKey

    public init(returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, _ key: SearchKey) {
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}

/// What an extended SEARCH returns (RFC 4731), or SAVE to keep the result as `$` (RFC 5182).
/// - SeeAlso: [RFC 4731 §3.1](https://www.rfc-editor.org/rfc/rfc4731#section-3.1),
///   [RFC 5182 §2.1](https://www.rfc-editor.org/rfc/rfc5182#section-2.1)
public enum SearchReturnOption: String, Sendable, Hashable, CaseIterable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
}

// MARK: - Encoding

extension EncodeBuffer {
    // search = "SEARCH" [search-return-opts] SP search-program (arguments only, with the
    // leading SP)
    @discardableResult
    public mutating func writeSearchCommand(_ search: SearchCommand) -> Int {
        var n = 0
        if let options = search.returnOptions {
            n += writeRaw(" RETURN ") + writeList(options) { $0.writeRaw($1.rawValue) }
        }
        if let charset = search.charset { n += writeRaw(" CHARSET ") + writeCharset(charset) }
        return n + writeSpace() + writeSearchProgramKeys(search.key)
    }

    // charset = atom / quoted
    @discardableResult
    public mutating func writeCharset(_ charset: String) -> Int {
        let b = Array(charset.utf8)
        if !b.isEmpty, b.allSatisfy(\.isAtomChar) { return writeBytes(b) }
        return writeQuoted(b)
    }
}
