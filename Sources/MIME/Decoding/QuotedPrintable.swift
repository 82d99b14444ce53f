/// Quoted-printable decoding for message bodies and `Q` encoded words.
///
///     Content-Transfer-Encoding: quoted-printable
///
///     Gr=C3=BC=C3=9Fe, this line is lo=
///     ng   →  "Grüße, this line is long"
///
/// `=XX` (either case) becomes the byte, `=` at a line end is a soft break and goes with the
/// line end, whitespace before a line end is dropped, and a malformed `=` is kept as it is.
/// - SeeAlso: [RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)
public enum QuotedPrintable {
    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Decodes a quoted-printable body; `underscoreIsSpace` gives the RFC 2047 `Q` rules.
    public static func decode(_ input: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        let end = input.endIndex
        while i < end {
            let c = input[i]
            if c == UInt8(ascii: "=") {
                if i + 2 < end, let h = hex(input[i + 1]), let l = hex(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                // Soft line break: "=" then optional whitespace, then CRLF or LF (or the end).
                var j = i + 1
                while j < end, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j == end {
                    i = j
                    continue
                }
                if input[j] == 0x0A {
                    i = j + 1
                    continue
                }
                if input[j] == 0x0D, j + 1 < end, input[j + 1] == 0x0A {
                    i = j + 2
                    continue
                }
                out.append(c)
                i += 1
            } else if c == 0x20 || c == 0x09 {
                // Trailing whitespace on a line was added in transport: drop it.
                var j = i
                while j < end, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j == end || input[j] == 0x0A || (input[j] == 0x0D && j + 1 < end && input[j + 1] == 0x0A) {
                    i = j
                } else {
                    out.append(contentsOf: input[i..<j])
                    i = j
                }
            } else if c == UInt8(ascii: "_") && underscoreIsSpace {
                out.append(0x20)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    public static func decode(_ input: [UInt8], underscoreIsSpace: Bool = false) -> [UInt8] {
        decode(input[...], underscoreIsSpace: underscoreIsSpace)
    }
}
