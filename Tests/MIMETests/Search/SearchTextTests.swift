import MIME
import Testing

@Suite struct SearchTextTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test(
        "folding matches case-insensitively, ASCII and simple Unicode folding",
        arguments: [
            ("ärger im Büro", "ÄRGER", true), ("HELLO world", "hello WORLD", true), ("straße", "STRASSE", false),
            ("ΣΊΣΥΦΟΣ", "σίσυφος", true), ("Kelvin \u{212A}", "kelvin k", true), ("abc", "abd", false),
            ("abc", "", true), ("", "a", false), ("Ünïcödé", "ünïcödé", true),
        ])
    func folding(haystack: String, needle: String, expected: Bool) {
        #expect(SearchText.matches(Self.bytes(haystack), Self.bytes(needle)) == expected)
    }

    @Test("invalid UTF-8 passes through folding byte for byte")
    func invalidUTF8() {
        #expect(SearchText.fold([0xFF, 0x41, 0xC3]) == [0xFF, 0x61, 0xC3])
        #expect(SearchText.fold([0xC3, 0x41]) == [0xC3, 0x61])
    }

    static let message = Fixtures.message(
        """
        From: =?iso-8859-1?q?J=F6rg?= <joerg@example.com>
        Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgQmVybGlu?=
        X-Empty:
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Sch=C3=B6ne Gr=C3=BC=C3=9Fe, this line is lo=
        ng
        --b
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        M=FCnchen =80
        --b
        Content-Type: text/html; charset=windows-1252
        Content-Transfer-Encoding: base64

        PHA+UHJlaXM6IIAgNTwvcD4=
        --b
        Content-Type: application/octet-stream

        secret attachment
        --b--

        """)

    @Test(
        "BODY search decodes transfer encodings and charsets",
        arguments: [
            ("SCHÖNE", true), ("grüße", true), ("is long", true), ("münchen", true), ("Preis: € 5", true),
            ("<p>", true), ("€", true), ("secret", false), ("Subject", false), ("Jörg", false),
        ])
    func body(needle: String, expected: Bool) {
        #expect(Self.message.bodyContains(Self.bytes(needle)) == expected)
    }

    @Test(
        "HEADER search decodes encoded words; empty needle tests presence",
        arguments: [
            ("From", "JÖRG", true), ("from", "joerg@example", true), ("Subject", "grüße aus", true),
            ("Subject", "München", false), ("X-Empty", "", true), ("X-Missing", "", false), ("To", "x", false),
        ])
    func header(field: String, needle: String, expected: Bool) {
        #expect(Self.message.headerContains(field, Self.bytes(needle)) == expected)
    }

    @Test("TEXT search covers the header and the body")
    func text() {
        #expect(Self.message.textContains(Self.bytes("berlin")))
        #expect(Self.message.textContains(Self.bytes("MÜNCHEN")))
        #expect(Self.message.textContains(Self.bytes("x-empty")))
        #expect(!Self.message.textContains(Self.bytes("secret")))
        #expect(Self.message.textContains(SearchText.Needle(Self.bytes("jörg"))))
    }

    @Test("unknown charsets are compared as bytes")
    func unknownCharset() {
        let m = MIMEMessage([UInt8]("Content-Type: text/plain; charset=koi8-r\r\n\r\nabc ".utf8) + [0xC1, 0xC2])
        #expect(m.bodyContains([0xC1, 0xC2]))
        #expect(m.bodyContains(Self.bytes("ABC")))
    }
}

@Suite struct SearchTextBulkTests {
    @Test("one folded needle over many messages finds exactly the matching ones")
    func many() {
        let needle = SearchText.Needle(Array("NEEDLE-ä".utf8))
        var hits = 0
        for i in 0..<2000 {
            let word = i % 100 == 0 ? "needle-Ä" : "haystack"
            let m = Fixtures.message("Subject: message \(i)\nFrom: a@b.example\n\nSome text with a \(word) in it.\n")
            if m.textContains(needle) { hits += 1 }
        }
        #expect(hits == 20)
    }
}
