public import IMAPWire

extension MUpdateParser {
    /// Parses one response frame, for a client.
    ///
    /// Liberal where Cyrus is: every string may be quoted or either literal form; completion
    /// texts may be quoted, literal or bare (`S01 OK Begin TLS negotiation now`); unknown
    /// untagged lines come back as ``MUpdateResponse/untagged(_:)``. A line that is one word of
    /// base64 (or empty) is a SASL challenge, the form Cyrus's master sends during AUTHENTICATE.
    // response = untagged / tagged / continue-req / sasl-challenge
    public static func parseResponse(_ buffer: inout ParseBuffer) throws -> MUpdateResponse {
        buffer.literalCount = 0
        try checkLineLength(buffer, from: buffer.index)
        switch try buffer.peek() {
        case cr, lf:
            try PL.newline(&buffer)
            return .saslChallenge("")
        case UInt8(ascii: "*"):
            guard let next = buffer.peek(at: 1) else { throw IncompleteMessage() }
            guard next == sp else { throw ParserError("expected SP after \"*\"", at: buffer.index + 1) }
            buffer.index += 2
            return try parseUntagged(&buffer)
        case UInt8(ascii: "+"):
            guard let next = buffer.peek(at: 1) else { throw IncompleteMessage() }
            guard next == sp || next == cr || next == lf else { return try parseTaggedOrChallenge(&buffer) }
            return try parseContinuationRequest(&buffer)
        case UInt8(ascii: "\""), UInt8(ascii: "{"):
            // A challenge written as a string, the RFC 3656 §4.2 form.
            let challenge = try parseString(&buffer)
            try PL.newline(&buffer)
            return .saslChallenge(String(decoding: challenge, as: UTF8.self))
        default:
            return try parseTaggedOrChallenge(&buffer)
        }
    }

    // continue-req = "+" [SP text] CRLF
    static func parseContinuationRequest(_ buffer: inout ParseBuffer) throws -> MUpdateResponse {
        try PL.fixed(&buffer, "+")
        var text = ""
        if try buffer.peek() == sp {
            buffer.index += 1
            text = try GrammarParser.parseText(&buffer)
        }
        try PL.newline(&buffer)
        return .continuationRequest(text)
    }

    // tagged = tag SP keyword ... CRLF ; sasl-challenge = *base64-char CRLF
    static func parseTaggedOrChallenge(_ buffer: inout ParseBuffer) throws -> MUpdateResponse {
        var i = buffer.index
        while i < buffer.bytes.count, buffer.bytes[i] != sp, buffer.bytes[i] != cr, buffer.bytes[i] != lf { i += 1 }
        guard i < buffer.bytes.count else { throw IncompleteMessage() }
        if buffer.bytes[i] != sp {
            let word = buffer.bytes[buffer.index..<i]
            guard isBase64(word) else { throw buffer.error("expected a tagged response or a base64 challenge") }
            buffer.index = i
            try PL.newline(&buffer)
            return .saslChallenge(String(decoding: word, as: UTF8.self))
        }
        let tag = try GrammarParser.parseTag(&buffer)
        guard buffer.index == i else { throw buffer.error("bad tag") }
        try PL.space(&buffer)
        let keywordStart = buffer.index
        switch try GrammarParser.parseAtom(&buffer).uppercased() {
        case "OK": return .completion(tag: tag, status: .ok, text: try parseResponseText(&buffer))
        case "NO": return .completion(tag: tag, status: .no, text: try parseResponseText(&buffer))
        case "BAD": return .completion(tag: tag, status: .bad, text: try parseResponseText(&buffer))
        case "MAILBOX":
            try PL.space(&buffer)
            let name = try parseName(&buffer)
            try PL.space(&buffer)
            let location = try parseLocation(&buffer)
            try PL.space(&buffer)
            let acl = try parseACL(&buffer)
            try PL.newline(&buffer)
            return .mailbox(tag: tag, name: name, location: location, acl: acl)
        case "RESERVE":
            try PL.space(&buffer)
            let name = try parseName(&buffer)
            try PL.space(&buffer)
            let location = try parseLocation(&buffer)
            try PL.newline(&buffer)
            return .reserve(tag: tag, name: name, location: location)
        case "DELETE":
            try PL.space(&buffer)
            let name = try parseName(&buffer)
            try PL.newline(&buffer)
            return .delete(tag: tag, name: name)
        case "X-SEQ":
            try PL.space(&buffer)
            let epoch = try parseEpoch(&buffer)
            try PL.space(&buffer)
            let sequence = try parseSequence(&buffer)
            try PL.newline(&buffer)
            return .sequence(tag: tag, epoch: epoch, sequence: sequence)
        case "BYE":
            // Cyrus's clients take BYE after any tag; it always ends the connection.
            return .bye(try parseResponseText(&buffer))
        default:
            throw ParserError("unknown response", at: keywordStart)
        }
    }

    // untagged = "*" SP (banner / "BYE" resp-text / "BAD" resp-text / text) CRLF
    static func parseUntagged(_ buffer: inout ParseBuffer) throws -> MUpdateResponse {
        let start = buffer.index
        let keyword: String?
        do {
            keyword = try GrammarParser.parseAtom(&buffer).uppercased()
        } catch is ParserError {
            keyword = nil
        }
        // Banner lines that do not have the expected shape are kept as unknown lines, which
        // clients ignore (SPEC.md §3.2).
        let banner: MUpdateResponse?
        switch keyword {
        case "BYE": return .bye(try parseResponseText(&buffer))
        case "BAD": return .untaggedBad(try parseResponseText(&buffer))
        case "OK":
            if try PL.tryFixed(&buffer, " MUPDATE ") { return try parseGreeting(&buffer) }
            banner = nil
        case "AUTH":
            banner = try PL.optional(&buffer) { .authMechanisms(try parseBannerWords(&$0)) }
        case "COMPRESS":
            banner = try PL.optional(&buffer) { .compressAvailable(try parseBannerWords(&$0)) }
        case "STARTTLS":
            banner = try PL.optional(&buffer) {
                try PL.newline(&$0)
                return .startTLSAvailable
            }
        case "PARTIAL-UPDATE":
            banner = try PL.optional(&buffer) {
                try PL.newline(&$0)
                return .partialUpdateAvailable
            }
        case "X-UPDATE-SINCE":
            banner = try PL.optional(&buffer) {
                try PL.newline(&$0)
                return .updateSinceAvailable
            }
        default:
            banner = nil
        }
        if let banner { return banner }
        buffer.index = start
        return .untagged(String(decoding: try parseRestOfLine(&buffer), as: UTF8.self))
    }

    // banner-words = *(SP (string / atom)) CRLF
    static func parseBannerWords(_ buffer: inout ParseBuffer) throws -> [String] {
        var words: [String] = []
        while try buffer.peek() == sp {
            buffer.index += 1
            let b = try buffer.peek()
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") {
                words.append(String(decoding: try parseString(&buffer), as: UTF8.self))
            } else {
                words.append(try GrammarParser.parseAtom(&buffer))
            }
        }
        try PL.newline(&buffer)
        return words
    }

    // greeting = "OK MUPDATE" SP string SP string SP string SP string CRLF
    static func parseGreeting(_ buffer: inout ParseBuffer) throws -> MUpdateResponse {
        let serverName = String(decoding: try parseString(&buffer), as: UTF8.self)
        try PL.space(&buffer)
        let implementation = String(decoding: try parseString(&buffer), as: UTF8.self)
        try PL.space(&buffer)
        let version = String(decoding: try parseString(&buffer), as: UTF8.self)
        try PL.space(&buffer)
        let role = String(decoding: try parseString(&buffer), as: UTF8.self)
        try PL.newline(&buffer)
        return .greeting(
            MUpdateGreeting(
                serverName: serverName, implementation: implementation, version: version,
                role: MUpdateGreeting.Role(role)))
    }

    // resp-text = [SP (string / text)] CRLF ; a quoted or literal text only when it fills the line
    static func parseResponseText(_ buffer: inout ParseBuffer) throws -> MUpdateText {
        if try isAtNewline(buffer) {
            try PL.newline(&buffer)
            return MUpdateText("", form: .bare)
        }
        try PL.space(&buffer)
        let b = try buffer.peek()
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") {
            let string = try PL.optional(&buffer) { buffer in
                let string = try parseString(&buffer)
                try PL.newline(&buffer)
                return string
            }
            if let string { return MUpdateText(String(decoding: string, as: UTF8.self), form: .quoted) }
        }
        let text = try GrammarParser.parseText(&buffer)
        try PL.newline(&buffer)
        return MUpdateText(text, form: .bare)
    }

    /// The rest of the frame, literals included, without its final CRLF: the text of a line this
    /// parser does not know.
    static func parseRestOfLine(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        let start = buffer.index
        while true {
            guard let newline = buffer.bytes[buffer.index...].firstIndex(of: lf) else { throw IncompleteMessage() }
            var end = newline
            if end > buffer.index, buffer.bytes[end - 1] == cr { end -= 1 }
            guard let length = literalLength(buffer.bytes[buffer.index..<end]) else {
                buffer.index = newline + 1
                return Array(buffer.bytes[start..<end])
            }
            guard length <= buffer.limits.maxLiteralSize else {
                throw LimitExceeded(.literalSize, bound: buffer.limits.maxLiteralSize)
            }
            let body = newline + 1
            guard UInt64(buffer.bytes.count - body) >= length else { throw IncompleteMessage() }
            buffer.index = body + Int(length)
            try checkLineLength(buffer, from: buffer.index)
        }
    }

    /// The length announced by a `{n}` or `{n+}` that ends `line`, if it ends with one.
    static func literalLength(_ line: ArraySlice<UInt8>) -> UInt64? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var digitsEnd = line.endIndex - 1
        if digitsEnd > line.startIndex, line[digitsEnd - 1] == UInt8(ascii: "+") { digitsEnd -= 1 }
        var digitsStart = digitsEnd
        while digitsStart > line.startIndex, line[digitsStart - 1].isDigit { digitsStart -= 1 }
        guard digitsStart < digitsEnd, digitsEnd - digitsStart <= 19, digitsStart > line.startIndex,
            line[digitsStart - 1] == UInt8(ascii: "{")
        else { return nil }
        return line[digitsStart..<digitsEnd].reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
    }

    /// Parses a client's answer to a SASL challenge, for the server: a bare base64 line (what
    /// Cyrus's clients send), a quoted string or a literal holding base64, or `*` to cancel.
    // sasl-response = ("*" / *base64-char / string) CRLF
    public static func parseSASLResponse(_ buffer: inout ParseBuffer) throws -> MUpdateSASLResponse {
        buffer.literalCount = 0
        try checkLineLength(buffer, from: buffer.index)
        let start = buffer.index
        let b = try buffer.peek()
        if b == UInt8(ascii: "*") {
            buffer.index += 1
            try PL.newline(&buffer)
            return .cancel
        }
        let bytes: [UInt8]
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") {
            bytes = try parseString(&buffer)
            guard isBase64(bytes) else { throw ParserError("expected base64", at: start) }
        } else {
            bytes = Array(try PL.bytes(&buffer, min: 0, what: "base64", where: isBase64Char))
        }
        do {
            try PL.newline(&buffer)
        } catch let error as ParserError {
            throw ParserError("expected base64", at: error.offset)
        }
        return .data(String(decoding: bytes, as: UTF8.self))
    }
}
