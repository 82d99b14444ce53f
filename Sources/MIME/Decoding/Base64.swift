/// Lenient base64 decoding for message bodies and encoded words.
///
///     Content-Transfer-Encoding: base64
///
///     SGVsbG8s
///     IHdvcmxk   →  "Hello, world"
///
/// Whitespace, line ends and any byte outside the alphabet are skipped; `=` padding is
/// optional; a dangling single sextet at the end is dropped.
/// - SeeAlso: [RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)
public enum Base64 {
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Decodes `input`, skipping everything that is not in the base64 alphabet.
    public static func decode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var acc: UInt32 = 0
        var n = 0
        for c in input {
            let v = table[Int(c)]
            if v == 0xFF { continue }
            acc = acc << 6 | UInt32(v)
            n += 1
            if n == 4 {
                out.append(UInt8(truncatingIfNeeded: acc >> 16))
                out.append(UInt8(truncatingIfNeeded: acc >> 8))
                out.append(UInt8(truncatingIfNeeded: acc))
                acc = 0
                n = 0
            }
        }
        if n == 2 {
            out.append(UInt8(truncatingIfNeeded: acc >> 4))
        } else if n == 3 {
            out.append(UInt8(truncatingIfNeeded: acc >> 10))
            out.append(UInt8(truncatingIfNeeded: acc >> 2))
        }
        return out
    }
}
