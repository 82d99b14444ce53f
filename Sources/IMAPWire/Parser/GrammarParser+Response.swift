/// Responses as a whole: the frame (`*`, `+` or a tag), status responses, response text, the
/// greeting, and the dispatch of untagged data to the rules of each kind.
extension GrammarParser {
    /// One complete response frame, final CRLF included.
    // response = *(continue-req / response-data) response-done
    public static func parseResponse(_ buffer: inout ParseBuffer) throws -> Response {
        switch try buffer.peek() {
        case UInt8(ascii: "*"): return .untagged(try parseResponseData(&buffer))
        case UInt8(ascii: "+"): return .continuation(try parseContinueReq(&buffer))
        default: return .tagged(try parseResponseTagged(&buffer))
        }
    }

    // greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
    public static func parseGreeting(_ buffer: inout ParseBuffer) throws -> Greeting {
        try PL.fixed(&buffer, "*")
        try PL.space(&buffer)
        let start = buffer.index
        let greeting: Greeting
        switch try parseAtom(&buffer).uppercased() {
        case "OK": greeting = .ok(try parseRespTextAfterKeyword(&buffer))
        case "PREAUTH": greeting = .preauth(try parseRespTextAfterKeyword(&buffer))
        case "BYE": greeting = .bye(try parseRespTextAfterKeyword(&buffer))
        default: throw ParserError("expected OK, PREAUTH or BYE", at: start)
        }
        try PL.newline(&buffer)
        return greeting
    }

    // response-tagged = tag SP resp-cond-state CRLF
    public static func parseResponseTagged(_ buffer: inout ParseBuffer) throws -> TaggedResponse {
        let tag = try parseTag(&buffer)
        try PL.space(&buffer)
        let state = try parseRespCondState(&buffer)
        try PL.newline(&buffer)
        return TaggedResponse(tag: tag, state: state)
    }

    // resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
    public static func parseRespCondState(_ buffer: inout ParseBuffer) throws -> ResponseState {
        let start = buffer.index
        switch try parseAtom(&buffer).uppercased() {
        case "OK": return .ok(try parseRespTextAfterKeyword(&buffer))
        case "NO": return .no(try parseRespTextAfterKeyword(&buffer))
        case "BAD": return .bad(try parseRespTextAfterKeyword(&buffer))
        default: throw ParserError("expected OK, NO or BAD", at: start)
        }
    }

    /// `SP resp-text` after a status keyword; a keyword directly followed by the end of the
    /// line is accepted as an empty text (servers send `a1 OK` with no text).
    static func parseRespTextAfterKeyword(_ buffer: inout ParseBuffer) throws -> ResponseText {
        switch try buffer.peek() {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"): return ResponseText(text: "")
        default:
            try PL.space(&buffer)
            return try parseRespText(&buffer)
        }
    }

    /// A bracket that does not open a valid code is read as part of the text. The text is
    /// bounded by ``Limits/maxLineLength``.
    // resp-text = ["[" resp-text-code "]" SP] [text]
    public static func parseRespText(_ buffer: inout ParseBuffer) throws -> ResponseText {
        var code: ResponseCode?
        if buffer.peek(at: 0) == UInt8(ascii: "[") {
            code = try PL.optional(&buffer) { buffer in
                buffer.index += 1
                let code = try parseRespTextCode(&buffer)
                try PL.fixed(&buffer, "]")
                return code
            }
            if code != nil, buffer.peek(at: 0) == UInt8(ascii: " ") { buffer.index += 1 }
        }
        let bound = buffer.limits.maxLineLength
        let text = try PL.bytes(&buffer, min: 0, max: bound + 1, what: "text") { $0.isTextChar }
        guard text.count <= bound else { throw LimitExceeded(.lineLength, bound: bound) }
        return ResponseText(code: code, text: String(decoding: text, as: UTF8.self))
    }

    /// Base64 when the whole line is valid base64 with no space, else a response text.
    // continue-req = "+" [SP (resp-text / base64)] CRLF
    public static func parseContinueReq(_ buffer: inout ParseBuffer) throws -> ContinuationRequest {
        try PL.fixed(&buffer, "+")
        let request: ContinuationRequest
        if try buffer.peek() == UInt8(ascii: " ") {
            buffer.index += 1
            let start = buffer.index
            let line = try PL.bytes(&buffer, min: 0, what: "text") { $0.isTextChar }
            if !line.isEmpty, let data = ContinuationRequest.base64Decode(line) {
                request = .data(data)
            } else {
                buffer.index = start
                request = .responseText(try parseRespText(&buffer))
            }
        } else {
            request = .responseText(ResponseText(text: ""))
        }
        try PL.newline(&buffer)
        return request
    }

    // response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
    //                 capability-data / enable-data) CRLF
    public static func parseResponseData(_ buffer: inout ParseBuffer) throws -> UntaggedResponse {
        try PL.fixed(&buffer, "*")
        try PL.space(&buffer)
        let response: UntaggedResponse
        if try buffer.peek().isDigit {
            response = try parseMessageData(&buffer)
        } else {
            let keyword = try parseAtom(&buffer)
            switch keyword.uppercased() {
            case "OK": response = .state(.ok(try parseRespTextAfterKeyword(&buffer)))
            case "NO": response = .state(.no(try parseRespTextAfterKeyword(&buffer)))
            case "BAD": response = .state(.bad(try parseRespTextAfterKeyword(&buffer)))
            case "PREAUTH": response = .preauth(try parseRespTextAfterKeyword(&buffer))
            case "BYE": response = .bye(try parseRespTextAfterKeyword(&buffer))
            case "CAPABILITY": response = .capability(try parseSpacedAtoms(&buffer))
            case "ENABLED": response = .enabled(try parseSpacedAtoms(&buffer))
            default:
                if let data = try parseMailboxData(keyword: keyword, &buffer)
                    ?? parseServerData(keyword: keyword, &buffer)
                {
                    response = data
                } else {
                    response = .unknown(keyword: keyword, data: try parseUnknownResponseData(&buffer))
                }
            }
        }
        try PL.newline(&buffer)
        return response
    }

    /// `SP "("`: a space followed by an opening parenthesis.
    static func spaceThenParenthesis(_ buffer: ParseBuffer) throws -> Bool {
        try buffer.byte(after: " ") == UInt8(ascii: "(")
    }

    /// `*(SP atom)`: capabilities in CAPABILITY and ENABLED data and the CAPABILITY code.
    // capability-data = "CAPABILITY" *(SP capability) ; capability = ("AUTH=" auth-type) / atom
    static func parseSpacedAtoms(_ buffer: inout ParseBuffer) throws -> [String] {
        try parseSpacedItems(&buffer) { try parseAtom(&$0) }
    }

    /// `*(SP element)`, bounded by ``Limits/maxListItems``.
    static func parseSpacedItems<T>(_ buffer: inout ParseBuffer, _ element: (inout ParseBuffer) throws -> T) throws
        -> [T]
    {
        try PL.zeroOrMore(&buffer) { buffer in
            try PL.space(&buffer)
            return try element(&buffer)
        }
    }

    /// The raw rest of an unknown untagged response, up to (not including) its final line
    /// end, with the bytes of any literals announced at line ends.
    static func parseUnknownResponseData(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        switch try buffer.peek() {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"): return []
        default: try PL.space(&buffer)
        }
        let start = buffer.index
        var segment = start
        while true {
            guard let lf = buffer.bytes[segment...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw IncompleteMessage()
            }
            let end = lf > segment && buffer.bytes[lf - 1] == UInt8(ascii: "\r") ? lf - 1 : lf
            guard end - segment <= buffer.limits.maxLineLength else {
                throw LimitExceeded(.lineLength, bound: buffer.limits.maxLineLength)
            }
            guard let length = literalAnnouncement(buffer.bytes[segment..<end]) else {
                buffer.index = end
                return Array(buffer.bytes[start..<end])
            }
            guard length <= buffer.limits.maxLiteralSize else {
                throw LimitExceeded(.literalSize, bound: buffer.limits.maxLiteralSize)
            }
            buffer.literalCount += 1
            guard buffer.literalCount <= buffer.limits.maxLiteralsPerMessage else {
                throw LimitExceeded(.literalsPerMessage, bound: buffer.limits.maxLiteralsPerMessage)
            }
            guard UInt64(buffer.bytes.count - (lf + 1)) >= length else { throw IncompleteMessage() }
            segment = lf + 1 + Int(length)
        }
    }

    /// The length of `{n}`, `{n+}` or `~{n}` at the end of a line segment, if there is one.
    static func literalAnnouncement(_ line: ArraySlice<UInt8>) -> UInt64? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var i = line.endIndex - 1
        if i > line.startIndex, line[i - 1] == UInt8(ascii: "+") { i -= 1 }
        let digitsEnd = i
        while i > line.startIndex, line[i - 1].isDigit { i -= 1 }
        guard i < digitsEnd, digitsEnd - i <= 19, i > line.startIndex, line[i - 1] == UInt8(ascii: "{") else {
            return nil
        }
        return line[i..<digitsEnd].reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
    }
}
