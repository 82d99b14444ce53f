/// FETCH response data: message attributes, body sections and message contents.
extension GrammarParser {
    /// An empty list `()` is accepted.
    // msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    public static func parseMsgAtt(_ buffer: inout ParseBuffer) throws -> [MessageAttribute] {
        try PL.parenthesized(&buffer) { try parseMessageAttribute(&$0) }
    }

    // msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
    // msg-att-static = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number64 /
    //                  "BODY" ["STRUCTURE"] SP body / "BODY" section ["<" number ">"] SP nstring /
    //                  "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number /
    //                  "UID" SP uniqueid / "RFC822" [".HEADER" / ".TEXT"] SP nstring /
    //                  "MODSEQ" SP "(" permsg-modsequence ")" / "EMAILID" SP "(" objectid ")" /
    //                  "THREADID" SP ("(" objectid ")" / nil)
    public static func parseMessageAttribute(_ buffer: inout ParseBuffer) throws -> MessageAttribute {
        let start = buffer.index
        let nameBytes = try PL.bytes(&buffer, what: "a FETCH item name") {
            $0.isAtomChar && $0 != UInt8(ascii: "[")
        }
        let name = String(decoding: nameBytes, as: UTF8.self).uppercased()
        let hasSection = try buffer.peek() == UInt8(ascii: "[")
        switch name {
        case "BODY" where hasSection:
            let section = try parseSection(&buffer)
            var origin: UInt32?
            if buffer.peek(at: 0) == UInt8(ascii: "<") {
                buffer.index += 1
                origin = try parseNumber(&buffer)
                try PL.fixed(&buffer, ">")
            }
            try PL.space(&buffer)
            return .bodySection(section, origin: origin, data: try parseMessageNString(&buffer, binary: false))
        case "BINARY":
            let section = try parseSectionBinary(&buffer)
            try PL.space(&buffer)
            return .binary(section: section, data: try parseMessageNString(&buffer, binary: true))
        case "BINARY.SIZE":
            let section = try parseSectionBinary(&buffer)
            try PL.space(&buffer)
            return .binarySize(section: section, size: try parseNumber(&buffer))
        default: break
        }
        try PL.space(&buffer)
        switch name {
        case "FLAGS": return .flags(try parseFlagList(&buffer))
        case "ENVELOPE": return .envelope(try parseEnvelope(&buffer))
        case "INTERNALDATE": return .internalDate(try parseDateTime(&buffer))
        case "RFC822": return .rfc822(try parseMessageNString(&buffer, binary: false))
        case "RFC822.HEADER": return .rfc822Header(try parseMessageNString(&buffer, binary: false))
        case "RFC822.TEXT": return .rfc822Text(try parseMessageNString(&buffer, binary: false))
        case "RFC822.SIZE": return .rfc822Size(try parseNumber64(&buffer))
        case "BODY": return .body(try parseBody(&buffer))
        case "BODYSTRUCTURE": return .bodyStructure(try parseBody(&buffer))
        case "UID": return .uid(try parseNZNumber(&buffer))
        case "MODSEQ":
            try PL.fixed(&buffer, "(")
            let modSeq = try parseNumber64(&buffer)
            try PL.fixed(&buffer, ")")
            return .modSeq(modSeq)
        case "EMAILID": return .emailID(try parseObjectIDInParentheses(&buffer))
        case "THREADID":
            if try buffer.peek() == UInt8(ascii: "(") { return .threadID(try parseObjectIDInParentheses(&buffer)) }
            try parseNil(&buffer)
            return .threadID(nil)
        default:
            throw ParserError("unknown FETCH item \(name)", at: start)
        }
    }

    /// Message contents: `NIL`, a quoted string, a literal (any octet but bounded only by
    /// ``Limits/maxLiteralSize``, since message bodies are not strings) and, when `binary`,
    /// a literal8.
    // nstring / literal8
    public static func parseMessageNString(_ buffer: inout ParseBuffer, binary: Bool) throws -> [UInt8]? {
        switch try buffer.peek() {
        case UInt8(ascii: "N"), UInt8(ascii: "n"):
            try parseNil(&buffer)
            return nil
        case UInt8(ascii: "\""):
            return try parseQuoted(&buffer)
        case UInt8(ascii: "{"):
            return try parseLiteralBody(&buffer, binary: binary, bound: buffer.limits.maxLiteralSize)
        case UInt8(ascii: "~") where binary:
            return try parseLiteralBody(&buffer, binary: true, bound: buffer.limits.maxLiteralSize)
        default:
            throw buffer.error(binary ? "expected a string, literal8 or NIL" : "expected a string or NIL")
        }
    }

    /// A literal's header and bytes; over `bound` (but within ``Limits/maxLiteralSize``) is
    /// a string literal over ``Limits/maxStringLiteralSize``.
    static func parseLiteralBody(_ buffer: inout ParseBuffer, binary: Bool, bound: UInt64) throws -> [UInt8] {
        let (length, _, _) = try parseLiteralHeader(&buffer, binary: binary)
        guard length <= bound else { throw LimitExceeded(.stringLiteralSize, bound: bound) }
        guard UInt64(buffer.remaining) >= length else { throw IncompleteMessage() }
        let body = Array(buffer.bytes[buffer.index..<buffer.index + Int(length)])
        buffer.index += Int(length)
        return body
    }
}
