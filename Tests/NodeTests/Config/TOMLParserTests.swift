import Testing

@testable import Node

@Suite struct TOMLParserTests {
    @Test(
        "values of every supported kind",
        arguments: [
            ("a = \"plain\"", TOMLValue.string("plain")),
            (#"a = "q\"b\\n\nt\tu\u00e9U\U0001F600""#, .string("q\"b\\n\nt\tuéU😀")),
            (#"a = 'C:\path\no escapes'"#, .string(#"C:\path\no escapes"#)),
            ("a = 42", .integer(42)),
            ("a = -17", .integer(-17)),
            ("a = +0", .integer(0)),
            ("a = 67_108_864", .integer(67_108_864)),
            ("a = 9223372036854775807", .integer(.max)),
            ("a = true", .boolean(true)),
            ("a = false # comment", .boolean(false)),
            ("a = []", .array([])),
            ("a = [\"x\", 'y',]", .array([.string("x"), .string("y")])),
            ("a = [\n  1, # one\n  2,\n\n]", .array([.integer(1), .integer(2)])),
            ("a=\"tight\"", .string("tight")),
        ]
    )
    func values(text: String, expected: TOMLValue) throws {
        let document = try TOMLParser.parse(text, file: "t.toml")
        #expect(document["a"]?.value == expected)
    }

    @Test("tables prefix keys and lines are counted")
    func tables() throws {
        let text = """
            # top
            top = 1

            [imap]
            max = 2
            [auth.sub]   # nested
            key = "v"\r
            last = 3
            """
        let document = try TOMLParser.parse(text, file: "t.toml")
        #expect(document["top"]?.value == .integer(1))
        #expect(document["imap.max"]?.line == 5)
        #expect(document["auth.sub.key"]?.value == .string("v"))
        #expect(document["auth.sub.last"]?.line == 8)
        #expect(document.tables["auth.sub"] == 6)
        #expect(document.isTable("auth"))
    }

    @Test(
        "syntax errors name the file, line, column and key",
        arguments: [
            ("a = \"open", "t.toml:1:5: a: unterminated string"),
            ("\n\nb = 'open\nc = 1", "t.toml:3:5: b: unterminated string"),
            (
                #"a = "bad \q escape""#,
                #"t.toml:1:10: a: invalid escape \q (use \" \\ \n \t \r \b \f \uXXXX or \UXXXXXXXX)"#
            ),
            (#"a = "\u12""#, #"t.toml:1:6: a: invalid escape: \u needs 4 hexadecimal digits"#),
            (#"a = "\uD800""#, "t.toml:1:6: a: invalid escape: U+D800 is not a Unicode scalar value"),
            ("a = 1 2", "t.toml:1:7: a: expected the end of the line after the value, got \"2\""),
            ("a = ", "t.toml:1:5: a: expected a value after \"=\""),
            ("a 1", "t.toml:1:3: a: expected \"=\" after the key, got \"1\""),
            ("a.b = 1", "t.toml:1:2: a: dotted keys are not supported; put a under a [table] header"),
            ("\"a\" = 1", "t.toml:1:1: quoted keys are not supported"),
            ("= 1", "t.toml:1:1: expected a key, a [table] header or a comment, got \"=\""),
            ("[imap", "t.toml:1:6: expected \"]\" to end the table header, got the end of the file"),
            ("[imap] x", "t.toml:1:8: expected the end of the line after the table header, got \"x\""),
            ("[]", "t.toml:1:2: expected a table name, got \"]\""),
            ("[[users]]", "t.toml:1:2: arrays of tables ([[...]]) are not supported"),
            (
                "a = big",
                "t.toml:1:5: a: expected a value (a \"string\", an integer, true, false or an [array]), got big"
            ),
            ("a = 1.5", "t.toml:1:5: a: floating-point numbers are not supported: 1.5"),
            ("a = 0x1F", "t.toml:1:5: a: hexadecimal, octal and binary integers are not supported: 0x1F"),
            ("a = 1979-05-27", "t.toml:1:5: a: dates and times are not supported: 1979-05-27"),
            ("a = 01", "t.toml:1:5: a: invalid integer 01 (digits with single \"_\" between them, no leading zeros)"),
            (
                "a = 1__0",
                "t.toml:1:5: a: invalid integer 1__0 (digits with single \"_\" between them, no leading zeros)"
            ),
            (
                "a = 9223372036854775808",
                "t.toml:1:5: a: invalid integer 9223372036854775808 (digits with single \"_\" between them, no leading zeros)"
            ),
            ("a = [1, [2]]", "t.toml:1:9: a: nested arrays are not supported"),
            ("a = [1 2]", "t.toml:1:8: a: expected \",\" or \"]\" in the array, got \"2\""),
            ("a = [1,", "t.toml:1:8: a: unterminated array: expected \"]\""),
            ("a = {x = 1}", "t.toml:1:5: a: inline tables ({...}) are not supported"),
            ("a = \"\"\"x\"\"\"", "t.toml:1:5: a: multi-line strings (\"\"\") are not supported"),
            ("a = \"tab\u{1}\"", "t.toml:1:9: a: control character U+0001 in a string; write it as an escape"),
        ]
    )
    func syntaxErrors(text: String, message: String) {
        #expect {
            _ = try TOMLParser.parse(text, file: "t.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            #expect(error.description == message)
            return error.code == .syntax
        }
    }

    @Test(
        "a key or table given twice is an error pointing at both lines",
        arguments: [
            ("a = 1\nb = 2\na = 3", ConfigError.Code.duplicateKey, "t.toml:3: a: key set twice (first on line 1)"),
            ("[t]\na = 1\n[t]", .duplicateTable, "t.toml:3: table [t] defined twice (first on line 1)"),
            ("t = 1\n[t]", .duplicateTable, "t.toml:2: table [t] has the name of the key set on line 1"),
            ("[t.u]\n[t]\nu = 1", .duplicateKey, "t.toml:3: t.u: key has the name of a table"),
        ]
    )
    func duplicates(text: String, code: ConfigError.Code, message: String) {
        #expect {
            _ = try TOMLParser.parse(text, file: "t.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            #expect(error.description == message)
            return error.code == code
        }
    }

    @Test("an implicit parent table may get its own header later")
    func implicitParent() throws {
        let document = try TOMLParser.parse("[a.b]\nx = 1\n[a]\ny = 2", file: "t.toml")
        #expect(document["a.b.x"]?.value == .integer(1))
        #expect(document["a.y"]?.value == .integer(2))
    }

    @Test("a byte order mark is skipped and columns start after it")
    func byteOrderMark() throws {
        let document = try TOMLParser.parse("\u{FEFF}a = 1", file: "t.toml")
        #expect(document["a"]?.column == 1)
    }

    @Test("an array with too many elements is refused")
    func arrayBound() {
        let text = "a = [" + String(repeating: "1,", count: TOMLParser.maxArrayElements + 1) + "]"
        #expect(throws: ConfigError.self) { _ = try TOMLParser.parse(text, file: "t.toml") }
    }
}
