/// The core rules of RFC 3501 §9 / RFC 9051 §9 shared by commands, responses and MUPDATE:
/// atoms, strings, literals, numbers, tags, flags, dates.
public enum GrammarParser {}

// MARK: - Character classes

extension UInt8 {
    /// ATOM-CHAR: any CHAR except atom-specials: `(` `)` `{` SP CTL `%` `*` `"` `\` `]`.
    @inlinable public var isAtomChar: Bool {
        switch self {
        case 0x00...0x1F, 0x7F, 0x80...0xFF: return false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: " "),
            UInt8(ascii: "%"), UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"),
            UInt8(ascii: "]"):
            return false
        default: return true
        }
    }

    /// ASTRING-CHAR = ATOM-CHAR / resp-specials (`]`).
    @inlinable public var isAStringChar: Bool { isAtomChar || self == UInt8(ascii: "]") }

    /// Characters of a tag: ASTRING-CHAR except `+`.
    @inlinable public var isTagChar: Bool { isAStringChar && self != UInt8(ascii: "+") }

    /// list-char = ATOM-CHAR / list-wildcards / resp-specials.
    @inlinable public var isListChar: Bool {
        isAStringChar || self == UInt8(ascii: "%") || self == UInt8(ascii: "*")
    }

    /// TEXT-CHAR: any CHAR except CR and LF (and NUL), UTF-8 octets allowed (RFC 9051).
    @inlinable public var isTextChar: Bool {
        self != 0 && self != UInt8(ascii: "\r") && self != UInt8(ascii: "\n")
    }

    /// QUOTED-CHAR without the escape: any TEXT-CHAR except `"` and `\`.
    @inlinable public var isQuotedChar: Bool {
        isTextChar && self != UInt8(ascii: "\"") && self != UInt8(ascii: "\\")
    }

    @inlinable public var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    @inlinable public var isAlpha: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
}

// MARK: - Rules

extension GrammarParser {
    // atom = 1*ATOM-CHAR
    public static func parseAtom(_ buffer: inout ParseBuffer) throws -> String {
        let bytes = try PL.bytes(&buffer, what: "atom") { $0.isAtomChar }
        return String(decoding: bytes, as: UTF8.self)
    }

    // tag = 1*<any ASTRING-CHAR except "+">
    public static func parseTag(_ buffer: inout ParseBuffer) throws -> String {
        let bytes = try PL.bytes(&buffer, max: 256, what: "tag") { $0.isTagChar }
        return String(decoding: bytes, as: UTF8.self)
    }

    // number = 1*DIGIT ; unsigned 32-bit integer
    public static func parseNumber(_ buffer: inout ParseBuffer) throws -> UInt32 {
        let value = try parseNumber64(&buffer)
        guard value <= UInt64(UInt32.max) else { throw buffer.error("number over 4294967295") }
        return UInt32(value)
    }

    // nz-number = digit-nz *DIGIT
    public static func parseNZNumber(_ buffer: inout ParseBuffer) throws -> UInt32 {
        let start = buffer.index
        let value = try parseNumber(&buffer)
        guard value != 0 else { throw ParserError("expected a non-zero number", at: start) }
        return value
    }

    // number64 = 1*DIGIT ; unsigned 63-bit integer (RFC 9051)
    public static func parseNumber64(_ buffer: inout ParseBuffer) throws -> UInt64 {
        let start = buffer.index
        let digits = try PL.bytes(&buffer, max: 20, what: "number") { $0.isDigit }
        var value: UInt64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2, a <= UInt64(Int64.max) else { throw ParserError("number too large", at: start) }
            value = a
        }
        if let next = buffer.peek(at: 0), next.isDigit { throw ParserError("number too large", at: start) }
        return value
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE ; QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials
    public static func parseQuoted(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        guard try buffer.peek() == UInt8(ascii: "\"") else { throw buffer.error("expected a quoted string") }
        buffer.index += 1
        var out: [UInt8] = []
        while true {
            let b = try buffer.readByte()
            switch b {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                let e = try buffer.readByte()
                guard e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") else {
                    throw ParserError("bad escape in quoted string", at: buffer.index - 1)
                }
                out.append(e)
            default:
                guard b.isTextChar else { throw ParserError("bad character in quoted string", at: buffer.index - 1) }
                out.append(b)
            }
            if out.count > buffer.limits.maxLineLength {
                throw LimitExceeded(.lineLength, bound: buffer.limits.maxLineLength)
            }
        }
    }

    /// The header of a literal: `{n}`, `{n+}` (and with `binary`, `~{n}` / `~{n+}`), then CRLF.
    /// Returns the length and whether it was a literal8.
    // literal = "{" number64 ["+"] "}" CRLF *CHAR8 ; literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
    public static func parseLiteralHeader(
        _ buffer: inout ParseBuffer,
        binary: Bool = false
    ) throws -> (length: UInt64, isBinary: Bool, nonSync: Bool) {
        var isBinary = false
        if binary, try buffer.peek() == UInt8(ascii: "~") {
            isBinary = true
            buffer.index += 1
        }
        try PL.fixed(&buffer, "{")
        let length = try parseNumber64(&buffer)
        let nonSync = try buffer.peek() == UInt8(ascii: "+")
        if nonSync { buffer.index += 1 }
        try PL.fixed(&buffer, "}")
        try PL.newline(&buffer)
        guard length <= buffer.limits.maxLiteralSize else {
            throw LimitExceeded(.literalSize, bound: buffer.limits.maxLiteralSize)
        }
        buffer.literalCount += 1
        guard buffer.literalCount <= buffer.limits.maxLiteralsPerMessage else {
            throw LimitExceeded(.literalsPerMessage, bound: buffer.limits.maxLiteralsPerMessage)
        }
        return (length, isBinary, nonSync)
    }

    // literal, used as a string argument: bounded by maxStringLiteralSize; no NUL (CHAR8).
    public static func parseLiteral(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        let (length, _, _) = try parseLiteralHeader(&buffer)
        guard length <= UInt64(buffer.limits.maxStringLiteralSize) else {
            throw LimitExceeded(.stringLiteralSize, bound: buffer.limits.maxStringLiteralSize)
        }
        let n = Int(length)
        guard buffer.remaining >= n else { throw IncompleteMessage() }
        let body = Array(buffer.bytes[buffer.index..<buffer.index + n])
        if body.contains(0) { throw buffer.error("NUL in a literal") }
        buffer.index += n
        return body
    }

    // string = quoted / literal
    public static func parseString(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        switch try buffer.peek() {
        case UInt8(ascii: "\""): return try parseQuoted(&buffer)
        case UInt8(ascii: "{"): return try parseLiteral(&buffer)
        default: throw buffer.error("expected a string")
        }
    }

    // astring = 1*ASTRING-CHAR / string
    public static func parseAString(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        switch try buffer.peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"): return try parseString(&buffer)
        default: return Array(try PL.bytes(&buffer, what: "astring") { $0.isAStringChar })
        }
    }

    // nstring = string / nil
    public static func parseNString(_ buffer: inout ParseBuffer) throws -> [UInt8]? {
        if try buffer.peek() == UInt8(ascii: "N") || buffer.peek() == UInt8(ascii: "n") {
            try PL.fixed(&buffer, "NIL")
            return nil
        }
        return try parseString(&buffer)
    }

    // nil = "NIL"
    public static func parseNil(_ buffer: inout ParseBuffer) throws {
        try PL.fixed(&buffer, "NIL")
    }

    // text = 1*TEXT-CHAR (may be empty where the caller allows it)
    public static func parseText(_ buffer: inout ParseBuffer, allowEmpty: Bool = true) throws -> String {
        let bytes = try PL.bytes(&buffer, min: allowEmpty ? 0 : 1, what: "text") { $0.isTextChar }
        return String(decoding: bytes, as: UTF8.self)
    }

    // charset = atom / quoted
    public static func parseCharset(_ buffer: inout ParseBuffer) throws -> String {
        if try buffer.peek() == UInt8(ascii: "\"") {
            return String(decoding: try parseQuoted(&buffer), as: UTF8.self)
        }
        return try parseAtom(&buffer)
    }

    // mailbox = "INBOX" / astring ; INBOX is case-insensitive
    public static func parseMailbox(_ buffer: inout ParseBuffer) throws -> MailboxName {
        let start = buffer.index
        let raw = try parseAString(&buffer)
        guard raw.count <= buffer.limits.maxMailboxNameLength else {
            buffer.index = start
            throw LimitExceeded(.mailboxNameLength, bound: buffer.limits.maxMailboxNameLength)
        }
        return MailboxName(raw)
    }

    // list-mailbox = 1*list-char / string
    public static func parseListMailbox(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        switch try buffer.peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"): return try parseString(&buffer)
        default: return Array(try PL.bytes(&buffer, what: "mailbox pattern") { $0.isListChar })
        }
    }

    // flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    public static func parseFlag(_ buffer: inout ParseBuffer) throws -> Flag {
        if try buffer.peek() == UInt8(ascii: "\\") {
            buffer.index += 1
            return Flag("\\" + (try parseAtom(&buffer)))
        }
        return Flag(try parseAtom(&buffer))
    }

    // flag-list = "(" [flag *(SP flag)] ")"
    public static func parseFlagList(_ buffer: inout ParseBuffer) throws -> [Flag] {
        try PL.parenthesized(&buffer) { try parseFlag(&$0) }
    }

    // flag-perm = flag / "\*"
    public static func parseFlagPerm(_ buffer: inout ParseBuffer) throws -> Flag {
        if try buffer.peek() == UInt8(ascii: "\\"), buffer.peek(at: 1) == UInt8(ascii: "*") {
            buffer.index += 2
            return .wildcard
        }
        return try parseFlag(&buffer)
    }

    // mbx-list-flag / attribute = "\" atom (mailbox attributes of LIST responses)
    public static func parseMailboxAttribute(_ buffer: inout ParseBuffer) throws -> String {
        try PL.fixed(&buffer, "\\")
        return "\\" + (try parseAtom(&buffer))
    }

    // date = date-text / DQUOTE date-text DQUOTE ; date-text = date-day "-" date-month "-" date-year
    public static func parseDate(_ buffer: inout ParseBuffer) throws -> IMAPDate {
        let quoted = try buffer.peek() == UInt8(ascii: "\"")
        if quoted { buffer.index += 1 }
        let day = try parseNumberOfDigits(&buffer, min: 1, max: 2)
        try PL.fixed(&buffer, "-")
        let month = try parseMonth(&buffer)
        try PL.fixed(&buffer, "-")
        let year = try parseNumberOfDigits(&buffer, min: 4, max: 4)
        if quoted { try PL.fixed(&buffer, "\"") }
        guard let date = IMAPDate(year: year, month: month, day: day) else { throw buffer.error("no such date") }
        return date
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    public static func parseDateTime(_ buffer: inout ParseBuffer) throws -> InternalDate {
        try PL.fixed(&buffer, "\"")
        if try buffer.peek() == UInt8(ascii: " ") { buffer.index += 1 }
        let day = try parseNumberOfDigits(&buffer, min: 1, max: 2)
        try PL.fixed(&buffer, "-")
        let month = try parseMonth(&buffer)
        try PL.fixed(&buffer, "-")
        let year = try parseNumberOfDigits(&buffer, min: 4, max: 4)
        try PL.space(&buffer)
        let hour = try parseNumberOfDigits(&buffer, min: 2, max: 2)
        try PL.fixed(&buffer, ":")
        let minute = try parseNumberOfDigits(&buffer, min: 2, max: 2)
        try PL.fixed(&buffer, ":")
        let second = try parseNumberOfDigits(&buffer, min: 2, max: 2)
        try PL.space(&buffer)
        let sign = try buffer.readByte()
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { throw buffer.error("expected zone") }
        let zone = try parseNumberOfDigits(&buffer, min: 4, max: 4)
        try PL.fixed(&buffer, "\"")
        let zoneMinutes = (zone / 100) * 60 + zone % 100
        guard let date = InternalDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            zoneMinutes: sign == UInt8(ascii: "-") ? -zoneMinutes : zoneMinutes
        ) else { throw buffer.error("no such date-time") }
        return date
    }

    static let months: [StaticString] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    // date-month = "Jan" / "Feb" / ... / "Dec"
    static func parseMonth(_ buffer: inout ParseBuffer) throws -> Int {
        for (i, m) in months.enumerated() where try PL.tryFixed(&buffer, m) { return i + 1 }
        throw buffer.error("expected a month name")
    }

    static func parseNumberOfDigits(_ buffer: inout ParseBuffer, min: Int, max: Int) throws -> Int {
        let digits = try PL.bytes(&buffer, min: min, max: max, what: "\(min) digits") { $0.isDigit }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
