/// Conversion of the charsets mail commonly uses to UTF-8, written out by hand so that it
/// behaves the same everywhere (no platform converters).
///
///     Content-Type: text/plain; charset=iso-8859-1
///
///     Gr\xFC\xDFe   →  "Grüße" in UTF-8
///
/// Known: UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 (with their usual
/// aliases). Any other charset is unknown: `toUTF8` returns nil and callers keep the bytes.
/// - SeeAlso: [RFC 2046 §4.1.2](https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2)
public enum Charset: Sendable, Hashable {
    case utf8
    case usASCII
    case latin1
    case latin9
    case windows1252

    /// The charset a MIME `charset` parameter or encoded word names, or nil if unknown.
    public init?(name: some StringProtocol) {
        var key = name.lowercased()
        // RFC 2231 allows a language after "*" in encoded words: "utf-8*en".
        if let star = key.firstIndex(of: "*") { key = String(key[..<star]) }
        switch key {
        case "utf-8", "utf8", "unicode-1-1-utf-8": self = .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "cp367", "ibm367": self = .usASCII
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "iso-ir-100", "cp819", "ibm819",
            "iso_8859-1:1987":
            self = .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9": self = .latin9
        case "windows-1252", "cp1252", "x-cp1252", "win-1252": self = .windows1252
        default: return nil
        }
    }

    /// Windows-1252's 0x80–0x9F; bytes Windows leaves undefined map to the same C1 code point.
    static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// The code point of a byte in a single-byte charset.
    func codePoint(_ b: UInt8) -> UInt32 {
        switch self {
        case .windows1252 where b >= 0x80 && b <= 0x9F: return Self.cp1252High[Int(b - 0x80)]
        case .latin9:
            switch b {
            case 0xA4: return 0x20AC
            case 0xA6: return 0x0160
            case 0xA8: return 0x0161
            case 0xB4: return 0x017D
            case 0xB8: return 0x017E
            case 0xBC: return 0x0152
            case 0xBD: return 0x0153
            case 0xBE: return 0x0178
            default: return UInt32(b)
            }
        default: return UInt32(b)
        }
    }

    /// `bytes` converted to UTF-8. UTF-8 and US-ASCII pass through unchanged (8-bit bytes
    /// in US-ASCII text are left alone, as many servers do).
    public func toUTF8(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .utf8, .usASCII: return bytes
        case .latin1, .latin9, .windows1252:
            guard bytes.contains(where: { $0 >= 0x80 }) else { return bytes }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 4)
            for b in bytes {
                if b < 0x80 {
                    out.append(b)
                } else {
                    Self.appendUTF8(codePoint(b), to: &out)
                }
            }
            return out
        }
    }

    /// `bytes` in the charset called `name` converted to UTF-8; unknown charsets give the bytes back.
    public static func toUTF8(_ bytes: [UInt8], charset name: String?) -> [UInt8] {
        guard let name, let cs = Charset(name: name) else { return bytes }
        return cs.toUTF8(bytes)
    }

    static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        switch cp {
        case 0..<0x80: out.append(UInt8(cp))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | cp >> 6))
            out.append(UInt8(0x80 | cp & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | cp >> 12))
            out.append(UInt8(0x80 | cp >> 6 & 0x3F))
            out.append(UInt8(0x80 | cp & 0x3F))
        default:
            out.append(UInt8(0xF0 | (cp >> 18 & 0x07)))
            out.append(UInt8(0x80 | cp >> 12 & 0x3F))
            out.append(UInt8(0x80 | cp >> 6 & 0x3F))
            out.append(UInt8(0x80 | cp & 0x3F))
        }
    }
}
