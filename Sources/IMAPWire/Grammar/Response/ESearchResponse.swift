/// An `ESEARCH` response: the results a `SEARCH … RETURN (…)` asked for.
///
///     C: A283 UID SEARCH RETURN (MIN COUNT) UNSEEN
///     S: * ESEARCH (TAG "A283") UID MIN 2 COUNT 3
///
/// - SeeAlso: [RFC 4731 §3.1](https://www.rfc-editor.org/rfc/rfc4731#section-3.1),
///   [RFC 9051 §7.3.4](https://www.rfc-editor.org/rfc/rfc9051#section-7.3.4)
public struct ESearchResponse: Sendable, Hashable {
    /// The tag of the command this answers (`(TAG "A283")`), if given.
    public var correlator: String?
    /// Whether the numbers are UIDs.
    public var uid: Bool
    public var returnData: [ESearchReturnData]

    public init(correlator: String? = nil, uid: Bool = false, returnData: [ESearchReturnData]) {
        self.correlator = correlator
        self.uid = uid
        self.returnData = returnData
    }
}

/// One result in an `ESEARCH` response.
///
///     S: * ESEARCH (TAG "a") ALL 1:3,5 MODSEQ 1236
///
/// - SeeAlso: [RFC 4731 §3.1](https://www.rfc-editor.org/rfc/rfc4731#section-3.1),
///   [RFC 7162 §3.1.5](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.5)
public enum ESearchReturnData: Sendable, Hashable {
    case min(UInt32)
    case max(UInt32)
    case all(SequenceSet)
    case count(UInt32)
    /// RFC 7162.
    case modSeq(UInt64)
    /// An extension's `name value` (`search-ret-data-ext`).
    case other(name: String, value: ResponseExtensionValue)
}

// MARK: - Encoding

extension EncodeBuffer {
    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    @discardableResult
    public mutating func writeESearchResponse(_ response: ESearchResponse) -> Int {
        var n = writeRaw("ESEARCH")
        if let tag = response.correlator { n += writeRaw(" (TAG ") + writeString(tag) + writeRaw(")") }
        if response.uid { n += writeRaw(" UID") }
        for item in response.returnData { n += writeSpace() + writeESearchReturnData(item) }
        return n
    }

    // search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set /
    //                      "COUNT" SP number / search-ret-data-ext
    @discardableResult
    public mutating func writeESearchReturnData(_ item: ESearchReturnData) -> Int {
        switch item {
        case .min(let n): return writeRaw("MIN ") + writeNumber(n)
        case .max(let n): return writeRaw("MAX ") + writeNumber(n)
        case .all(let set): return writeRaw("ALL ") + writeSequenceSet(set)
        case .count(let n): return writeRaw("COUNT ") + writeNumber(n)
        case .modSeq(let n): return writeRaw("MODSEQ ") + writeNumber(n)
        case .other(let name, let value): return writeRaw(name) + writeSpace() + writeResponseExtensionValue(value)
        }
    }
}
