#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Case-insensitive substring matching for SEARCH: both sides are folded with Unicode
/// simple case folding on UTF-8, then compared byte for byte.
///
///     C: A1 SEARCH CHARSET UTF-8 TEXT "ÄRGER"     ← matches "ärger" in a body
///
/// Folding maps ASCII letters and every code point whose lowercase mapping is one code point
/// (`Ä`→`ä`, `Σ`/`ς`→`σ`, `K` (Kelvin)→`k`); one-to-many foldings (`ß`↔`SS`) are not
/// applied. Invalid UTF-8 bytes are kept as they are, so 8-bit text in an unknown charset
/// still matches byte for byte.
/// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4),
///   [RFC 5051](https://www.rfc-editor.org/rfc/rfc5051)
public enum SearchText {
    /// A search string, folded once for many messages.
    public struct Needle: Sendable, Hashable {
        public let folded: [UInt8]

        /// `utf8` is the search string in UTF-8 (the server converts other CHARSETs first).
        public init(_ utf8: [UInt8]) { folded = SearchText.fold(utf8) }

        public var isEmpty: Bool { folded.isEmpty }
    }

    /// `bytes` (UTF-8) with Unicode simple case folding applied.
    public static func fold<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        fold(bytes, into: &out)
        return out
    }

    /// Appends the folded form of `bytes` to `out`.
    public static func fold<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { fold($0, into: &out) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { fold($0, into: &out) } }
    }

    /// Folding lookup for ASCII: letters lowered, everything else unchanged.
    static let asciiFold: [UInt8] = (0..<128).map { b in UInt8(b) &- 0x41 < 26 ? UInt8(b) | 0x20 : UInt8(b) }

    static func fold(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + b.count)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                out.append(asciiFold[Int(c)])
                i += 1
                continue
            }
            // Decode one UTF-8 scalar; anything invalid passes through byte by byte.
            let len: Int
            var cp: UInt32
            switch c {
            case 0xC2...0xDF:
                len = 2
                cp = UInt32(c & 0x1F)
            case 0xE0...0xEF:
                len = 3
                cp = UInt32(c & 0x0F)
            case 0xF0...0xF4:
                len = 4
                cp = UInt32(c & 0x07)
            default:
                out.append(c)
                i += 1
                continue
            }
            var k = 1
            while k < len, i + k < n, b[i + k] & 0xC0 == 0x80 {
                cp = cp << 6 | UInt32(b[i + k] & 0x3F)
                k += 1
            }
            guard k == len, let scalar = Unicode.Scalar(cp) else {
                out.append(c)
                i += 1
                continue
            }
            let folded = simpleFold(scalar)
            if folded == scalar {
                for j in 0..<len { out.append(b[i + j]) }
            } else {
                Charset.appendUTF8(folded.value, to: &out)
            }
            i += len
        }
    }

    /// The one-to-one lowercase form of a scalar, or the scalar itself.
    static func simpleFold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        // Latin-1 capitals: the common case, without a property lookup.
        if v >= 0xC0 && v <= 0xDE && v != 0xD7 { return Unicode.Scalar(v + 0x20) ?? s }
        if v < 0x100 { return s }
        if v == 0x03C2 { return Unicode.Scalar(0x03C3) ?? s }  // final sigma folds to sigma
        guard s.properties.changesWhenLowercased else { return s }
        let lower = s.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first else { return s }
        return first
    }

    /// Whether `haystack` (already folded) contains `needle` (already folded).
    public static func contains(folded haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in find(h, n) }
        }
    }

    /// Whether `haystack` contains `needle`, both folded here.
    public static func matches(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        contains(folded: fold(haystack), fold(needle))
    }

    /// memchr for the first byte, then memcmp for the rest.
    static func find(_ h: UnsafeBufferPointer<UInt8>, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let hb = h.baseAddress, let nb = n.baseAddress else { return n.isEmpty }
        let first = Int32(n[0])
        let last = h.count - n.count
        var i = 0
        while i <= last {
            guard let p = memchr(hb + i, first, last - i + 1) else { return false }
            let at = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - hb
            if memcmp(hb + at, nb, n.count) == 0 { return true }
            i = at + 1
        }
        return false
    }
}
