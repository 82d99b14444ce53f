/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII except `&` stands for
/// itself, `&` is `&-`, and other characters are UTF-16 in modified base64 (`,` for `/`)
/// between `&` and `-`.
///
///     "Entwürfe"  <->  "Entw&APw-rfe"
///
/// - SeeAlso: [RFC 3501 §5.1.3](https://www.rfc-editor.org/rfc/rfc3501#section-5.1.3)
public enum ModifiedUTF7 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    public static func encode(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "&"))
            var bits: UInt32 = 0
            var count = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                count += 16
                while count >= 6 {
                    count -= 6
                    out.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
                }
            }
            if count > 0 { out.append(alphabet[Int((bits << UInt32(6 - count)) & 0x3F)]) }
            out.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in string.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out.append(UInt8(scalar.value))
                if scalar == "&" { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return out
    }

    /// Decodes; nil for anything RFC 3501 forbids: bytes outside printable ASCII, a bad base64
    /// run, non-zero padding bits, an unpaired surrogate, or an encoded printable ASCII
    /// character (which must stand for itself).
    public static func decode(_ bytes: [UInt8]) -> String? {
        var out = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 0x20 && b <= 0x7E else { return nil }
            if b != UInt8(ascii: "&") {
                out.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            i += 1
            guard let end = bytes[i...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            if end == i {
                out.append("&")
                i += 1
                continue
            }
            var bits: UInt32 = 0
            var count = 0
            var units: [UInt16] = []
            for c in bytes[i..<end] {
                let v = reverse[Int(c)]
                guard v >= 0 else { return nil }
                bits = (bits << 6) | UInt32(v)
                count += 6
                if count >= 16 {
                    count -= 16
                    units.append(UInt16((bits >> UInt32(count)) & 0xFFFF))
                }
            }
            guard count < 6, bits & ((1 << UInt32(count)) - 1) == 0, !units.isEmpty else { return nil }
            var decoded = String.UnicodeScalarView()
            var iterator = units.makeIterator()
            var utf16 = UTF16()
            loop: while true {
                switch utf16.decode(&iterator) {
                case .scalarValue(let s):
                    if s.value >= 0x20 && s.value <= 0x7E { return nil }
                    decoded.append(s)
                case .emptyInput: break loop
                case .error: return nil
                }
            }
            out.append(contentsOf: decoded)
            i = end + 1
        }
        return String(out)
    }
}
