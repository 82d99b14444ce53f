/// A command continuation request: the server is ready for a literal's bytes, or sends a
/// SASL challenge.
///
///     C: A001 LOGIN {11}
///     S: + Ready for additional command text
///     C: A002 AUTHENTICATE GSSAPI
///     S: + YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=
///
/// The grammar cannot tell some texts from base64 (`+ idle` is both), so the parser decides
/// by the form: a non-empty run of valid base64 with no space is ``data(_:)``, anything else
/// is ``responseText(_:)``. An empty challenge (`+ ` or `+`) is an empty response text; a
/// SASL client treats it as empty data.
/// - SeeAlso: [RFC 9051 §7.5](https://www.rfc-editor.org/rfc/rfc9051#section-7.5)
public enum ContinuationRequest: Sendable, Hashable {
    case responseText(ResponseText)
    /// Decoded base64 (a SASL challenge).
    case data([UInt8])
}

extension ContinuationRequest {
    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64Encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }

    /// The decoded bytes, or nil if `text` is not base64 (RFC 4648 alphabet, padded).
    // base64 = *(4base64-char) [base64-terminal]
    static func base64Decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        func value(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): return 62
            case UInt8(ascii: "/"): return 63
            default: return nil
            }
        }
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            let last = i + 4 == chars.count
            let pad = last ? (chars[i + 3] == UInt8(ascii: "=") ? (chars[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var group: UInt32 = 0
            for j in 0..<4 {
                if j >= 4 - pad {
                    group <<= 6
                    continue
                }
                guard let v = value(chars[i + j]) else { return nil }
                group = group << 6 | v
            }
            out.append(UInt8(group >> 16))
            if pad < 2 { out.append(UInt8(group >> 8 & 0xFF)) }
            if pad < 1 { out.append(UInt8(group & 0xFF)) }
            i += 4
        }
        return out
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // continue-req = "+" SP (resp-text / base64) CRLF
    @discardableResult
    public mutating func writeContinuationRequest(_ request: ContinuationRequest) -> Int {
        switch request {
        case .responseText(let text): return writeRaw("+ ") + writeResponseText(text) + writeNewline()
        case .data(let bytes):
            return writeRaw("+ ") + writeBytes(ContinuationRequest.base64Encode(bytes)) + writeNewline()
        }
    }
}
