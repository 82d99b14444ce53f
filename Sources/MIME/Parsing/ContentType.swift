/// A parsed `Content-Type` or `Content-Disposition` value: a main value and its parameters.
///
///     Content-Type: text/plain; charset="iso-8859-1"; format=flowed
///     →  value "text/plain", parameters [("charset", "iso-8859-1"), ("format", "flowed")]
///
/// RFC 2231 continuations (`name*0=…; name*1=…`) are joined into one parameter; an encoded
/// `name*=charset'lang'%XX` value is percent-decoded and converted to UTF-8 when the charset
/// is known. Comments are skipped; quoted strings are unquoted.
/// - SeeAlso: [RFC 2045 §5.1](https://www.rfc-editor.org/rfc/rfc2045#section-5.1),
///   [RFC 2231](https://www.rfc-editor.org/rfc/rfc2231)
struct HeaderParameters: Sendable {
    var value: String
    var parameters: [(name: String, value: String)]

    func parameter(_ name: String) -> String? {
        parameters.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static let maxParameters = 64

    static func parse(_ raw: [UInt8]) -> HeaderParameters {
        var lexer = Lexer(bytes: raw)
        let value = lexer.token(stopAt: [UInt8(ascii: ";")])
        var params: [(String, String, Bool)] = []  // name, value, extended (name*)
        while lexer.skip(UInt8(ascii: ";")), params.count < maxParameters {
            let name = lexer.token(stopAt: [UInt8(ascii: "="), UInt8(ascii: ";")])
            guard lexer.skip(UInt8(ascii: "=")) else { continue }
            let v = lexer.token(stopAt: [UInt8(ascii: ";")])
            guard !name.isEmpty else { continue }
            params.append((name, v, false))
        }
        return HeaderParameters(value: value, parameters: joinContinuations(params))
    }

    /// Joins `name*0`, `name*1*`, … in order and decodes `name*` values (RFC 2231 §3, §4).
    static func joinContinuations(_ params: [(String, String, Bool)]) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        var pieces: [String: [(Int, String, Bool)]] = [:]
        var order: [String] = []
        for (name, value, _) in params {
            let lower = name.lowercased()
            guard let star = lower.firstIndex(of: "*") else {
                if !out.contains(where: { $0.name.lowercased() == lower }) { out.append((name, value)) }
                continue
            }
            let base = String(lower[..<star])
            var rest = lower[lower.index(after: star)...]
            let encoded = rest.hasSuffix("*") || rest.isEmpty
            if rest.hasSuffix("*") { rest = rest.dropLast() }
            let index = rest.isEmpty ? 0 : (Int(rest) ?? -1)
            guard index >= 0, index < 1000 else { continue }
            if pieces[base] == nil { order.append(base) }
            pieces[base, default: []].append((index, value, encoded))
        }
        for base in order where !out.contains(where: { $0.name.lowercased() == base }) {
            let sorted = (pieces[base] ?? []).sorted { $0.0 < $1.0 }
            var charset: String? = nil
            var bytes: [UInt8] = []
            for (k, piece) in sorted.enumerated() {
                var text = Array(piece.1.utf8)
                if piece.2 {
                    if k == 0 {
                        // charset'language'value
                        let parts = text.split(
                            separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
                        if parts.count == 3 {
                            charset = String(decoding: parts[0], as: UTF8.self)
                            text = Array(parts[2])
                        }
                    }
                    text = percentDecode(text)
                }
                bytes += text
            }
            if let charset { bytes = Charset.toUTF8(bytes, charset: charset) }
            out.append((base, String(decoding: bytes, as: UTF8.self)))
        }
        return out
    }

    static func percentDecode(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = QuotedPrintable.hex(b[i + 1]),
                let l = QuotedPrintable.hex(b[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// A tiny RFC 2045 lexer: tokens, quoted strings and comments.
    struct Lexer {
        var bytes: [UInt8]
        var i = 0

        mutating func skipSpaceAndComments() {
            while i < bytes.count {
                if isWhitespace(bytes[i]) {
                    i += 1
                } else if bytes[i] == UInt8(ascii: "(") {
                    var depth = 0
                    while i < bytes.count {
                        let c = bytes[i]
                        if c == UInt8(ascii: "\\") {
                            i += 1
                        } else if c == UInt8(ascii: "(") {
                            depth += 1
                        } else if c == UInt8(ascii: ")") {
                            depth -= 1
                            if depth == 0 {
                                i += 1
                                break
                            }
                        }
                        i += 1
                    }
                } else {
                    return
                }
            }
        }

        mutating func skip(_ c: UInt8) -> Bool {
            skipSpaceAndComments()
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        /// The text up to one of `stops` (outside quotes), quotes removed, whitespace trimmed.
        mutating func token(stopAt stops: [UInt8]) -> String {
            skipSpaceAndComments()
            var out: [UInt8] = []
            while i < bytes.count, !stops.contains(bytes[i]) {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                        if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                        out.append(bytes[i])
                        i += 1
                    }
                    i += 1
                } else if c == UInt8(ascii: "(") {
                    skipSpaceAndComments()
                } else {
                    out.append(c)
                    i += 1
                }
            }
            return String(decoding: trimmed(out), as: UTF8.self)
        }
    }
}
