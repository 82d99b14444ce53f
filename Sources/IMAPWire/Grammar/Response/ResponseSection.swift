/// The section of a `BODY[…]` item in a FETCH response: a part number and what of it.
///
///     C: a004 fetch 12 body[header]
///     S: * 12 FETCH (BODY[HEADER] {342}
///
/// `BODY[]` is `ResponseSection()`, `BODY[1.2.MIME]` is `ResponseSection(part: [1, 2], text: .mime)`.
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
public struct ResponseSection: Sendable, Hashable {
    /// Body part numbers (`1.2` is `[1, 2]`); empty for the whole message.
    public var part: [UInt32]
    public var text: Text?

    public init(part: [UInt32] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }

    /// What of the part: its header (all or some fields), its text, or its MIME header.
    public enum Text: Sendable, Hashable {
        case header
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        /// Only after a part number.
        case mime
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // section = "[" [section-spec] "]"
    @discardableResult
    public mutating func writeResponseSection(_ section: ResponseSection) -> Int {
        var n = writeRaw("[") + writeRaw(section.part.map(String.init).joined(separator: "."))
        if let text = section.text {
            if !section.part.isEmpty { n += writeRaw(".") }
            switch text {
            case .header: n += writeRaw("HEADER")
            case .headerFields(let f): n += writeRaw("HEADER.FIELDS ") + writeList(f) { $0.writeAString($1) }
            case .headerFieldsNot(let f): n += writeRaw("HEADER.FIELDS.NOT ") + writeList(f) { $0.writeAString($1) }
            case .text: n += writeRaw("TEXT")
            case .mime: n += writeRaw("MIME")
            }
        }
        return n + writeRaw("]")
    }
}
