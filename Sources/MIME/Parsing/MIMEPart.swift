/// One node of a message's MIME tree: a header, a body range and what the body holds.
///
///     Content-Type: multipart/mixed; boundary="b"     ← header
///                                                     ← blank line
///     --b                                             ← body: children split at the boundary
///
/// The top-level message is a part too; a message/rfc822 part holds its enclosed message as
/// a part of its own.
/// - SeeAlso: [RFC 2046 §5](https://www.rfc-editor.org/rfc/rfc2046#section-5)
struct MIMEPart: Sendable {
    indirect enum Content: Sendable {
        case leaf
        case multipart([MIMEPart])
        case message(MIMEPart)
    }

    var header: Header
    /// The body, after the header's blank line.
    var body: Range<Int>
    /// Media type and subtype, lowercased; `text/plain` when absent or malformed.
    var type: String
    var subtype: String
    /// Content-Type parameters as sent (names keep their case).
    var parameters: [(name: String, value: String)]
    /// Content-Transfer-Encoding lowercased, nil when absent.
    var encoding: String?
    var content: Content

    /// The whole part: header and body.
    var range: Range<Int> { header.range.lowerBound..<body.upperBound }

    var isText: Bool { type == "text" }
    var charset: String? { parameters.first { $0.name.lowercased() == "charset" }?.value }

    /// Whether the encoding leaves bytes as they are (and so nested structure can be parsed).
    var isIdentityEncoding: Bool {
        switch encoding {
        case nil, "7bit", "8bit", "binary": return true
        default: return false
        }
    }
}

/// Builds the MIME tree under the limits; counts parts as it goes.
struct MIMEParser {
    let bytes: [UInt8]
    let limits: MIMELimits
    var partCount = 0

    /// Parses `bytes[start..<end]` as a part with its own header.
    mutating func parsePart(from start: Int, to end: Int, depth: Int, inDigest: Bool) -> MIMEPart {
        partCount += 1
        let header = Header.parse(bytes, from: start, to: end, limits: limits)
        let body = header.range.upperBound..<end
        var type = inDigest ? "message" : "text"
        var subtype = inDigest ? "rfc822" : "plain"
        var parameters: [(name: String, value: String)] = []
        if let raw = header.value("Content-Type") {
            let parsed = HeaderParameters.parse(raw)
            let pieces = parsed.value.lowercased().split(separator: "/", maxSplits: 1)
            if pieces.count == 2, let t = Self.mediaToken(pieces[0]), let s = Self.mediaToken(pieces[1]) {
                type = t
                subtype = s
                parameters = parsed.parameters
            } else if !inDigest {
                // A malformed Content-Type means text/plain (RFC 2045 §5.2); keep the charset.
                parameters = parsed.parameters.filter { $0.name.lowercased() == "charset" }
            }
        }
        let encoding = header.value("Content-Transfer-Encoding").map {
            String(decoding: trimmed($0), as: UTF8.self).lowercased()
        }
        var part = MIMEPart(
            header: header, body: body, type: type, subtype: subtype, parameters: parameters, encoding: encoding,
            content: .leaf)
        let overflow = depth >= limits.maxDepth || partCount >= limits.maxParts

        if type == "multipart" {
            guard let boundary = part.parameters.first(where: { $0.name.lowercased() == "boundary" })?.value,
                !boundary.isEmpty
            else {
                // No boundary: nothing can be split, so the body is one text/plain part (as Cyrus does).
                part.type = "text"
                part.subtype = "plain"
                part.parameters = []
                return part
            }
            if overflow {
                part.type = "application"
                part.subtype = "octet-stream"
                return part
            }
            part.content = .multipart(
                parseMultipart(body, boundary: Array(boundary.utf8), depth: depth + 1, digest: subtype == "digest"))
        } else if type == "message", subtype == "rfc822" || subtype == "global", part.isIdentityEncoding {
            if overflow {
                part.type = "application"
                part.subtype = "octet-stream"
                return part
            }
            part.content = .message(
                parsePart(from: body.lowerBound, to: body.upperBound, depth: depth + 1, inDigest: false))
        }
        return part
    }

    static func mediaToken(_ s: Substring) -> String? {
        let t = s.trimmingWhitespace()
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else { return nil }
        return t
    }

    /// Splits a multipart body at its delimiter lines. The line end before a delimiter belongs
    /// to the delimiter; the preamble and epilogue are dropped. A body without any delimiter
    /// gives one empty text/plain part (as Dovecot writes it); a missing close delimiter ends
    /// the last part at the end of the body.
    mutating func parseMultipart(_ body: Range<Int>, boundary: [UInt8], depth: Int, digest: Bool) -> [MIMEPart] {
        var children: [MIMEPart] = []
        var partStart: Int? = nil
        var i = body.lowerBound
        let end = body.upperBound
        while i < end {
            let lineEnd = Header.lineEnd(bytes, from: i, to: end)
            if let close = delimiter(at: i, lineEnd: lineEnd, boundary: boundary) {
                if let s = partStart {
                    var e = i
                    if e > s, bytes[e - 1] == 0x0A {
                        e -= 1
                        if e > s, bytes[e - 1] == 0x0D { e -= 1 }
                    }
                    if partCount >= limits.maxParts { return children }
                    children.append(parsePart(from: s, to: e, depth: depth, inDigest: digest))
                }
                if close { return finish(children, at: lineEnd) }
                partStart = lineEnd
            }
            i = lineEnd
        }
        if let s = partStart, partCount < limits.maxParts {
            children.append(parsePart(from: s, to: end, depth: depth, inDigest: digest))
        }
        return finish(children, at: end)
    }

    func finish(_ children: [MIMEPart], at offset: Int) -> [MIMEPart] {
        guard children.isEmpty else { return children }
        let empty = Header(fields: [], range: offset..<offset)
        return [
            MIMEPart(
                header: empty, body: offset..<offset, type: "text", subtype: "plain", parameters: [], encoding: nil,
                content: .leaf)
        ]
    }

    /// nil if the line is not a delimiter; true for the close delimiter `--boundary--`.
    func delimiter(at i: Int, lineEnd: Int, boundary: [UInt8]) -> Bool? {
        let n = boundary.count
        guard lineEnd - i >= n + 2, bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == UInt8(ascii: "-") else {
            return nil
        }
        for k in 0..<n where bytes[i + 2 + k] != boundary[k] { return nil }
        var j = i + 2 + n
        var close = false
        if j + 1 < lineEnd, bytes[j] == UInt8(ascii: "-"), bytes[j + 1] == UInt8(ascii: "-") {
            close = true
            j += 2
        }
        while j < lineEnd, isWhitespace(bytes[j]) { j += 1 }
        return j == lineEnd ? close : nil
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        let b = Array(utf8)
        return String(decoding: trimmed(b), as: UTF8.self)
    }
}
