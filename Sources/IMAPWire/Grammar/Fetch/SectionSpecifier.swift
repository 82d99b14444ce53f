/// The part of a message a `BODY[...]` fetch names: a MIME part path and what of it.
///
///     C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
///     C: A655 FETCH 1 BODY.PEEK[1.2.MIME]
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
public struct SectionSpecifier: Sendable, Hashable {
    /// section-part: `1.2.3`; empty for the whole message.
    public var part: [UInt32]
    /// What of the part; nil for all of it.
    public var text: SectionText?

    public init(part: [UInt32] = [], text: SectionText? = nil) {
        self.part = part
        self.text = text
    }

    /// `[]`: the whole message.
    public static let complete = SectionSpecifier()
}

/// section-msgtext / "MIME": the header (or some of its fields), the text, or a part's MIME header.
///
///     C: A1 FETCH 1 (BODY[HEADER.FIELDS.NOT (Received)] BODY[2.MIME])
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
public enum SectionText: Sendable, Hashable {
    case header
    case headerFields([String])
    case headerFieldsNot([String])
    case text
    /// Only after a part number.
    case mime
}

/// `<offset.length>`: a byte range of a fetched section.
///
///     C: A1 FETCH 1 BODY[]<0.2048>
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
public struct Partial: Sendable, Hashable {
    public var offset: UInt64
    /// Non-zero.
    public var length: UInt64

    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // section = "[" [section-spec] "]"
    @discardableResult
    public mutating func writeSection(_ section: SectionSpecifier) -> Int {
        var n = writeRaw("[") + writeSectionPart(section.part)
        if let text = section.text {
            if !section.part.isEmpty { n += writeRaw(".") }
            switch text {
            case .header: n += writeRaw("HEADER")
            case .headerFields(let names): n += writeRaw("HEADER.FIELDS ") + writeList(names) { $0.writeAString($1) }
            case .headerFieldsNot(let names):
                n += writeRaw("HEADER.FIELDS.NOT ") + writeList(names) { $0.writeAString($1) }
            case .text: n += writeRaw("TEXT")
            case .mime: n += writeRaw("MIME")
            }
        }
        return n + writeRaw("]")
    }

    // section-part = nz-number *("." nz-number)
    @discardableResult
    public mutating func writeSectionPart(_ part: [UInt32]) -> Int {
        writeRaw(part.map(String.init).joined(separator: "."))
    }

    // section-binary = "[" [section-part] "]"
    @discardableResult
    public mutating func writeSectionBinary(_ part: [UInt32]) -> Int {
        writeRaw("[") + writeSectionPart(part) + writeRaw("]")
    }

    // partial = "<" number64 "." nz-number64 ">"
    @discardableResult
    public mutating func writePartial(_ partial: Partial) -> Int {
        writeRaw("<\(partial.offset).\(partial.length)>")
    }
}
