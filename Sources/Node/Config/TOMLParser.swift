/// A strict parser for the TOML subset node configuration files use.
///
/// Supported: `#` comments, `[table]` and `[table.sub]` headers, `key = value` with bare keys,
/// basic strings (escapes `\" \\ \n \t \r \b \f \uXXXX \UXXXXXXXX`), literal strings,
/// decimal integers with `_` separators, booleans, and arrays of those (which may span lines
/// and end with a comma). Everything else TOML has — dotted and quoted keys, floats, dates,
/// inline tables, arrays of tables, multi-line strings — is refused with an error naming it,
/// never guessed at.
///
///     servername = "127.0.0.1:1143"   # a comment
///     [imap]
///     listen = [
///         "127.0.0.1:143",
///         "[::1]:143",
///     ]
///     max_literal_bytes = 67_108_864
///
/// - SeeAlso: [TOML v1.0.0](https://toml.io/en/v1.0.0)
struct TOMLParser {
    /// The largest file accepted.
    static let maxFileBytes = 1 << 20
    /// The most elements one array may have.
    static let maxArrayElements = 4096
    /// The most parts a table name may have.
    static let maxTableDepth = 8

    private let file: String
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var document = TOMLDocument()
    private var table: String? = nil

    init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    /// Parses `text` as the file named `file` (the name appears in errors only).
    static func parse(_ text: String, file: String) throws(ConfigError) -> TOMLDocument {
        var parser = TOMLParser(file: file, bytes: Array(text.utf8))
        return try parser.parse()
    }

    mutating func parse() throws(ConfigError) -> TOMLDocument {
        guard self.bytes.count <= Self.maxFileBytes else {
            throw ConfigError(.unreadable, file: self.file, "file is larger than \(Self.maxFileBytes) bytes")
        }
        if self.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            self.index = 3
            self.lineStart = 3
        }
        while let byte = self.peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                self.index += 1
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try self.endOfLine(after: nil)
            case UInt8(ascii: "["):
                try self.parseTableHeader()
            default:
                try self.parseKeyValue()
            }
        }
        return self.document
    }

    // MARK: - Lines

    // table-header = "[" ws key *( ws "." ws key ) ws "]"
    private mutating func parseTableHeader() throws(ConfigError) {
        let headerLine = self.line
        self.index += 1
        if self.peek() == UInt8(ascii: "[") {
            throw self.syntax("arrays of tables ([[...]]) are not supported")
        }
        var parts: [String] = []
        while true {
            self.skipSpaces()
            let part = try self.parseBareKey(context: "a table name")
            parts.append(part)
            guard parts.count <= Self.maxTableDepth else {
                throw self.syntax("table names may have at most \(Self.maxTableDepth) parts")
            }
            self.skipSpaces()
            if self.peek() == UInt8(ascii: ".") {
                self.index += 1
                continue
            }
            guard self.peek() == UInt8(ascii: "]") else {
                throw self.syntax("expected \"]\" to end the table header, got \(self.describeNext())")
            }
            self.index += 1
            break
        }
        let name = parts.joined(separator: ".")
        if let first = self.document.tables[name] {
            throw ConfigError(
                .duplicateTable, file: self.file, line: headerLine,
                "table [\(name)] defined twice (first on line \(first))"
            )
        }
        if let entry = self.document[name] {
            throw ConfigError(
                .duplicateTable, file: self.file, line: headerLine,
                "table [\(name)] has the name of the key set on line \(entry.line)"
            )
        }
        self.document.addTable(name, line: headerLine)
        self.table = name
        try self.endOfLine(after: "the table header")
    }

    // keyval = key ws "=" ws val
    private mutating func parseKeyValue() throws(ConfigError) {
        let keyLine = self.line
        let keyColumn = self.column
        let name = try self.parseBareKey(context: "a key, a [table] header or a comment")
        let key = self.table.map { "\($0).\(name)" } ?? name
        self.skipSpaces()
        if self.peek() == UInt8(ascii: ".") {
            throw self.syntax("dotted keys are not supported; put \(name) under a [table] header", key: key)
        }
        guard self.peek() == UInt8(ascii: "=") else {
            throw self.syntax("expected \"=\" after the key, got \(self.describeNext())", key: key)
        }
        self.index += 1
        self.skipSpaces()
        let value = try self.parseValue(key: key)
        if let first = self.document[key] {
            throw ConfigError(
                .duplicateKey, file: self.file, line: keyLine, key: key,
                "key set twice (first on line \(first.line))"
            )
        }
        if self.document.isTable(key) {
            throw ConfigError(
                .duplicateKey, file: self.file, line: keyLine, key: key,
                "key has the name of a table"
            )
        }
        self.document.add(.init(key: key, value: value, line: keyLine, column: keyColumn))
        try self.endOfLine(after: "the value", key: key)
    }

    /// Skips spaces and an optional comment, then requires a line end (or the end of the file).
    private mutating func endOfLine(after what: String?, key: String? = nil) throws(ConfigError) {
        self.skipSpaces()
        if self.peek() == UInt8(ascii: "#") {
            while let byte = self.peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
                self.index += 1
            }
        }
        switch self.peek() {
        case nil:
            return
        case UInt8(ascii: "\n"):
            self.newLine(width: 1)
        case UInt8(ascii: "\r") where self.peek(1) == UInt8(ascii: "\n"):
            self.newLine(width: 2)
        default:
            let context = what.map { "after \($0)" } ?? "here"
            throw self.syntax("expected the end of the line \(context), got \(self.describeNext())", key: key)
        }
    }

    // MARK: - Keys

    // unquoted-key = 1*( ALPHA / DIGIT / "-" / "_" )
    private mutating func parseBareKey(context: String) throws(ConfigError) -> String {
        let start = self.index
        while let byte = self.peek(), Self.isBareKeyByte(byte) {
            self.index += 1
        }
        guard self.index > start else {
            if self.peek() == UInt8(ascii: "\"") || self.peek() == UInt8(ascii: "'") {
                throw self.syntax("quoted keys are not supported")
            }
            throw self.syntax("expected \(context), got \(self.describeNext())")
        }
        guard self.index - start <= 128 else {
            throw self.syntax("key is longer than 128 characters")
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    // MARK: - Values

    // val = basic-string / literal-string / integer / boolean / array
    private mutating func parseValue(key: String, inArray: Bool = false) throws(ConfigError) -> TOMLValue {
        switch self.peek() {
        case UInt8(ascii: "\""):
            if self.peek(1) == UInt8(ascii: "\""), self.peek(2) == UInt8(ascii: "\"") {
                throw self.syntax("multi-line strings (\"\"\") are not supported", key: key)
            }
            return .string(try self.parseBasicString(key: key))
        case UInt8(ascii: "'"):
            if self.peek(1) == UInt8(ascii: "'"), self.peek(2) == UInt8(ascii: "'") {
                throw self.syntax("multi-line strings (''') are not supported", key: key)
            }
            return .string(try self.parseLiteralString(key: key))
        case UInt8(ascii: "["):
            if inArray { throw self.syntax("nested arrays are not supported", key: key) }
            return try self.parseArray(key: key)
        case UInt8(ascii: "{"):
            throw self.syntax("inline tables ({...}) are not supported", key: key)
        case nil, UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw self.syntax("expected a value after \"=\"", key: key)
        default:
            return try self.parseScalarWord(key: key)
        }
    }

    // basic-string = quotation-mark *basic-char quotation-mark
    private mutating func parseBasicString(key: String) throws(ConfigError) -> String {
        let openColumn = self.column
        self.index += 1
        var result: [UInt8] = []
        while true {
            guard let byte = self.peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw self.syntax("unterminated string", key: key, column: openColumn)
            }
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                return String(decoding: result, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try self.parseEscape(into: &result, key: key)
            case 0x00..<0x20 where byte != UInt8(ascii: "\t"), 0x7F:
                throw self.syntax(
                    "control character U+\(Self.hex(UInt32(byte), width: 4)) in a string; write it as an escape",
                    key: key)
            default:
                result.append(byte)
                self.index += 1
            }
        }
    }

    // escaped = escape ( %x22 / %x5C / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG / %x55 8HEXDIG )
    private mutating func parseEscape(into result: inout [UInt8], key: String) throws(ConfigError) {
        let escapeColumn = self.column
        self.index += 1
        guard let letter = self.peek(), letter != UInt8(ascii: "\n"), letter != UInt8(ascii: "\r") else {
            throw self.syntax("unterminated string", key: key, column: escapeColumn)
        }
        self.index += 1
        switch letter {
        case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "n"): result.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): result.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "r"): result.append(UInt8(ascii: "\r"))
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = letter == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<width {
                guard let digit = self.peek().flatMap(Self.hexValue) else {
                    throw self.syntax(
                        "invalid escape: \\\(Character(Unicode.Scalar(letter))) needs \(width) hexadecimal digits",
                        key: key, column: escapeColumn
                    )
                }
                value = value << 4 | UInt32(digit)
                self.index += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw self.syntax(
                    "invalid escape: U+\(Self.hex(value, width: 4)) is not a Unicode scalar value",
                    key: key, column: escapeColumn
                )
            }
            result.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            let shown = letter < 0x80 ? String(Character(Unicode.Scalar(letter))) : "…"
            throw self.syntax(
                "invalid escape \\\(shown) (use \\\" \\\\ \\n \\t \\r \\b \\f \\uXXXX or \\UXXXXXXXX)",
                key: key, column: escapeColumn
            )
        }
    }

    // literal-string = apostrophe *literal-char apostrophe
    private mutating func parseLiteralString(key: String) throws(ConfigError) -> String {
        let openColumn = self.column
        self.index += 1
        let start = self.index
        while true {
            guard let byte = self.peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw self.syntax("unterminated string", key: key, column: openColumn)
            }
            if byte == UInt8(ascii: "'") { break }
            if byte < 0x20 && byte != UInt8(ascii: "\t") || byte == 0x7F {
                throw self.syntax("control character U+\(Self.hex(UInt32(byte), width: 4)) in a string", key: key)
            }
            self.index += 1
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        self.index += 1
        return text
    }

    // array = "[" [ array-values ] ws-comment-newline "]"
    private mutating func parseArray(key: String) throws(ConfigError) -> TOMLValue {
        self.index += 1
        var values: [TOMLValue] = []
        while true {
            try self.skipArraySpace()
            if self.peek() == nil {
                throw self.syntax("unterminated array: expected \"]\"", key: key)
            }
            if self.peek() == UInt8(ascii: "]") {
                self.index += 1
                return .array(values)
            }
            guard values.count < Self.maxArrayElements else {
                throw self.syntax("array has more than \(Self.maxArrayElements) elements", key: key)
            }
            values.append(try self.parseValue(key: key, inArray: true))
            try self.skipArraySpace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                return .array(values)
            case nil:
                throw self.syntax("unterminated array: expected \"]\"", key: key)
            default:
                throw self.syntax("expected \",\" or \"]\" in the array, got \(self.describeNext())", key: key)
            }
        }
    }

    /// Spaces, line ends and comments inside an array.
    private mutating func skipArraySpace() throws(ConfigError) {
        while let byte = self.peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                self.index += 1
            case UInt8(ascii: "\n"):
                self.newLine(width: 1)
            case UInt8(ascii: "\r") where self.peek(1) == UInt8(ascii: "\n"):
                self.newLine(width: 2)
            case UInt8(ascii: "#"):
                while let next = self.peek(), next != UInt8(ascii: "\n"), next != UInt8(ascii: "\r") {
                    self.index += 1
                }
            default:
                return
            }
        }
    }

    /// An unquoted value: a boolean or a decimal integer; anything else is named and refused.
    private mutating func parseScalarWord(key: String) throws(ConfigError) -> TOMLValue {
        let startColumn = self.column
        let start = self.index
        while let byte = self.peek(), Self.isWordByte(byte) {
            self.index += 1
        }
        let word = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        if word.isEmpty {
            throw self.syntax("expected a value, got \(self.describeNext())", key: key)
        }
        switch word {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: break
        }
        if let integer = Self.decimalInteger(word) {
            return .integer(integer)
        }
        let message: String
        let body = word.hasPrefix("+") || word.hasPrefix("-") ? String(word.dropFirst()) : word
        if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
            message = "hexadecimal, octal and binary integers are not supported: \(word)"
        } else if word.first?.isNumber == true, word.contains(":") || word.dropFirst().contains("-") {
            message = "dates and times are not supported: \(word)"
        } else if body == "inf" || body == "nan"
            || body.first?.isNumber == true && (word.contains(".") || word.contains("e") || word.contains("E"))
        {
            message = "floating-point numbers are not supported: \(word)"
        } else if body.first?.isNumber == true {
            message = "invalid integer \(word) (digits with single \"_\" between them, no leading zeros)"
        } else {
            message = "expected a value (a \"string\", an integer, true, false or an [array]), got \(word)"
        }
        throw self.syntax(message, key: key, column: startColumn)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    // dec-int = [ minus / plus ] unsigned-dec-int
    // unsigned-dec-int = DIGIT / digit1-9 1*( DIGIT / underscore DIGIT )
    static func decimalInteger(_ word: String) -> Int64? {
        var digits = Substring(word)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isNumber else { return nil }
        if first == "0", digits.count > 1 { return nil }
        var value: Int64 = 0
        var previousUnderscore = false
        for character in digits {
            if character == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
            previousUnderscore = false
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative
                ? times.subtractingReportingOverflow(Int64(digit)) : times.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return previousUnderscore ? nil : value
    }

    // MARK: - Cursor

    private var column: Int { self.index - self.lineStart + 1 }

    private func peek(_ offset: Int = 0) -> UInt8? {
        self.index + offset < self.bytes.count ? self.bytes[self.index + offset] : nil
    }

    private mutating func skipSpaces() {
        while let byte = self.peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            self.index += 1
        }
    }

    private mutating func newLine(width: Int) {
        self.index += width
        self.line += 1
        self.lineStart = self.index
    }

    /// The next character for an error message: `"x"`, "the end of the line", "the end of the file".
    private func describeNext() -> String {
        guard let byte = self.peek() else { return "the end of the file" }
        if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { return "the end of the line" }
        var end = self.index + 1
        while end < self.bytes.count, self.bytes[end] & 0xC0 == 0x80 { end += 1 }
        return TOMLValue.quote(String(decoding: self.bytes[self.index..<end], as: UTF8.self))
    }

    private func syntax(_ message: String, key: String? = nil, column: Int? = nil) -> ConfigError {
        ConfigError(.syntax, file: self.file, line: self.line, column: column ?? self.column, key: key, message)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
