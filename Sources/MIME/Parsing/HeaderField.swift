/// One field of a message or MIME header: its name, its unfolded value and where its raw
/// lines sit in the message.
///
///     Subject: a long
///      subject          →  name "Subject", value "a long subject", lines = both raw lines
///
/// - SeeAlso: [RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2)
struct HeaderField: Sendable {
    var name: String
    /// The value after the colon, CR and LF removed, surrounding whitespace trimmed.
    var value: [UInt8]
    /// The raw field lines, line ends included.
    var lines: Range<Int>

    /// Whether the field is called `other`, ASCII case-insensitively, without allocating.
    func named(_ other: String) -> Bool {
        guard name.utf8.count == other.utf8.count else { return false }
        return zip(name.utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) &- 0x61 < 26)
        }
    }
}

/// A header: its fields and its byte range (the blank line included).
struct Header: Sendable {
    var fields: [HeaderField]
    /// From the first field to the end of the blank line that ends the header.
    var range: Range<Int>

    func first(_ name: String) -> HeaderField? { fields.first { $0.named(name) } }
    func value(_ name: String) -> [UInt8]? { first(name)?.value }

    /// Reads a header from `bytes[start..<end]`: field lines up to the first empty line
    /// (CRLF or bare LF). Without an empty line the header runs to `end` and the body is empty.
    /// Lines that are neither a field nor a continuation are skipped.
    static func parse(_ bytes: [UInt8], from start: Int, to end: Int, limits: MIMELimits) -> Header {
        var fields: [HeaderField] = []
        var i = start
        var current: (name: String, valueStart: Int, lineStart: Int)? = nil
        var currentEnd = start
        func close() {
            guard let c = current else { return }
            current = nil
            guard fields.count < limits.maxHeaderFields, c.lineStart - start < limits.maxHeaderBytes else { return }
            fields.append(
                HeaderField(
                    name: c.name, value: unfold(bytes, c.valueStart, currentEnd, limit: limits.maxFieldValueBytes),
                    lines: c.lineStart..<currentEnd))
        }
        while i < end {
            let lineEnd = Self.lineEnd(bytes, from: i, to: end)
            let c = bytes[i]
            if c == 0x0A || (c == 0x0D && i + 1 < end && bytes[i + 1] == 0x0A) {
                close()
                return Header(fields: fields, range: start..<lineEnd)
            }
            if c == 0x20 || c == 0x09 {
                if current != nil { currentEnd = lineEnd }
            } else {
                close()
                var j = i
                while j < lineEnd, bytes[j] != UInt8(ascii: ":"), bytes[j] > 0x20 || bytes[j] == 0x20 { j += 1 }
                if j < lineEnd, bytes[j] == UInt8(ascii: ":") {
                    var nameEnd = j
                    while nameEnd > i, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                    if nameEnd > i {
                        current = (String(decoding: bytes[i..<nameEnd], as: UTF8.self), j + 1, i)
                        currentEnd = lineEnd
                    }
                }
            }
            i = lineEnd
        }
        close()
        return Header(fields: fields, range: start..<end)
    }

    /// The index after the next LF at or after `i`, or `end`.
    static func lineEnd(_ bytes: [UInt8], from i: Int, to end: Int) -> Int {
        var j = i
        while j < end {
            if bytes[j] == 0x0A { return j + 1 }
            j += 1
        }
        return end
    }

    static func unfold(_ bytes: [UInt8], _ from: Int, _ to: Int, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes[from..<to] where b != 0x0D && b != 0x0A {
            if out.isEmpty && (b == 0x20 || b == 0x09) { continue }
            if out.count >= limit { break }
            out.append(b)
        }
        return trimmed(out)
    }
}

func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

func trimmed(_ b: [UInt8]) -> [UInt8] {
    guard let s = b.firstIndex(where: { !isWhitespace($0) }), let e = b.lastIndex(where: { !isWhitespace($0) }) else {
        return []
    }
    return Array(b[s...e])
}
