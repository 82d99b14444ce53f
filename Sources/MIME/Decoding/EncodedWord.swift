/// RFC 2047 encoded words in header values, decoded to UTF-8.
///
///     Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?B?QmVybGlu?=
///
///     →  "Grüße aus Berlin"
///
/// Both `B` and `Q` encodings are decoded; whitespace between two adjacent encoded words is
/// dropped; text outside encoded words is kept byte for byte. The charset is converted with
/// `Charset`; for a charset it does not know, the decoded bytes are kept unconverted. A
/// malformed encoded word stays as it was written.
/// - SeeAlso: [RFC 2047 §6](https://www.rfc-editor.org/rfc/rfc2047#section-6)
public enum EncodedWord {
    /// `value` with every encoded word decoded to UTF-8.
    public static func decode(_ value: [UInt8]) -> [UInt8] {
        guard containsEncodedWordStart(value) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        var pendingSpace: Range<Int>? = nil
        var lastWasEncoded = false
        while i < value.count {
            let c = value[i]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A {
                var j = i
                while j < value.count, value[j] == 0x20 || value[j] == 0x09 || value[j] == 0x0D || value[j] == 0x0A {
                    j += 1
                }
                if lastWasEncoded {
                    pendingSpace = i..<j
                } else {
                    out.append(contentsOf: value[i..<j])
                }
                i = j
                continue
            }
            if c == UInt8(ascii: "="), let (decoded, next) = decodeWord(value, at: i) {
                // Whitespace between two encoded words is not part of the text.
                pendingSpace = nil
                out.append(contentsOf: decoded)
                lastWasEncoded = true
                i = next
                continue
            }
            if let space = pendingSpace {
                out.append(contentsOf: value[space])
                pendingSpace = nil
            }
            lastWasEncoded = false
            out.append(c)
            i += 1
        }
        if let space = pendingSpace { out.append(contentsOf: value[space]) }
        return out
    }

    static func containsEncodedWordStart(_ value: [UInt8]) -> Bool {
        guard value.count >= 8 else { return false }
        for i in 0..<(value.count - 1) where value[i] == UInt8(ascii: "=") && value[i + 1] == UInt8(ascii: "?") {
            return true
        }
        return false
    }

    // encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
    static func decodeWord(_ v: [UInt8], at start: Int) -> ([UInt8], Int)? {
        let q = UInt8(ascii: "?")
        guard start + 1 < v.count, v[start + 1] == q else { return nil }
        var i = start + 2
        let csStart = i
        while i < v.count, v[i] != q, v[i] > 0x20, i - csStart < 64 { i += 1 }
        guard i < v.count, v[i] == q, i > csStart else { return nil }
        let charsetName = String(decoding: v[csStart..<i], as: UTF8.self)
        i += 1
        guard i + 1 < v.count, v[i + 1] == q else { return nil }
        let enc = v[i] | 0x20
        guard enc == UInt8(ascii: "b") || enc == UInt8(ascii: "q") else { return nil }
        i += 2
        let textStart = i
        while i + 1 < v.count, !(v[i] == q && v[i + 1] == UInt8(ascii: "=")) {
            if v[i] == 0x20 || v[i] == 0x09 || v[i] == 0x0A || v[i] == 0x0D { return nil }
            i += 1
        }
        guard i + 1 < v.count else { return nil }
        let text = v[textStart..<i]
        let raw = enc == UInt8(ascii: "b") ? Base64.decode(text) : QuotedPrintable.decode(text, underscoreIsSpace: true)
        return (Charset.toUTF8(raw, charset: charsetName), i + 2)
    }
}
