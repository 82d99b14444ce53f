/// An option of GETMETADATA: the largest value wanted, or how deep below each entry to look.
///
///     C: a GETMETADATA (MAXSIZE 1024 DEPTH 1) INBOX (/private/comment)
///
/// - SeeAlso: [RFC 5464 §4.2](https://www.rfc-editor.org/rfc/rfc5464#section-4.2)
public enum MetadataOption: Sendable, Hashable {
    case maxSize(UInt32)
    case depth(MetadataDepth)
    case other(TaggedExtension)
}

/// `DEPTH 0`, `DEPTH 1` or `DEPTH infinity`: how far below each entry to look.
///
///     C: a GETMETADATA (DEPTH 1) INBOX (/private/filters/values)
///
/// - SeeAlso: [RFC 5464 §4.2.2](https://www.rfc-editor.org/rfc/rfc5464#section-4.2.2)
public enum MetadataDepth: String, Sendable, Hashable, CaseIterable {
    case zero = "0"
    case one = "1"
    case infinity = "infinity"
}

/// An entry and the value SETMETADATA gives it (NIL removes the entry).
///
///     C: a SETMETADATA INBOX (/private/comment {33}
///     S: + ready for data
///     C: My new comment across
///     C: two lines.)
///
/// - SeeAlso: [RFC 5464 §4.3](https://www.rfc-editor.org/rfc/rfc5464#section-4.3)
public struct MetadataEntryValue: Sendable, Hashable {
    /// value = nstring / literal8
    public enum Value: Sendable, Hashable {
        case `nil`
        case string([UInt8])
        /// A literal8 (`~{n}`): may hold any octet.
        case binary([UInt8])
    }

    /// A slash-separated entry name such as `/private/comment`.
    public var entry: String
    public var value: Value

    public init(_ entry: String, _ value: Value) {
        self.entry = entry
        self.value = value
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // getmetadata-option = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity") / tagged-ext
    @discardableResult
    public mutating func writeMetadataOption(_ option: MetadataOption) -> Int {
        switch option {
        case .maxSize(let n): return writeRaw("MAXSIZE ") + writeNumber(n)
        case .depth(let d): return writeRaw("DEPTH ") + writeRaw(d.rawValue)
        case .other(let ext): return writeTaggedExtension(ext)
        }
    }

    // entry-value = entry SP value
    @discardableResult
    public mutating func writeMetadataEntryValue(_ ev: MetadataEntryValue) -> Int {
        var n = writeAString(ev.entry) + writeSpace()
        switch ev.value {
        case .nil: n += writeNil()
        case .string(let b): n += writeString(b)
        case .binary(let b): n += writeLiteral(b, binary: true)
        }
        return n
    }
}
