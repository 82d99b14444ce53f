import IMAPWire
import MIME
import Testing

@Suite struct SectionTests {
    static let mixed = Fixtures.message(Fixtures.mixed)
    static let innerHeader =
        "From: Inner <inner@c.example>\r\nSubject: inner subject\r\nMessage-ID: <inner@c.example>\r\n"
        + "Content-Type: multipart/mixed; boundary=Y\r\n\r\n"
    static let innerText = "--Y\r\n\r\ninner text\r\n--Y\r\nContent-Type: image/gif\r\n\r\nGIF\r\n--Y--"

    @Test(
        "sections of a nested multipart message",
        arguments: [
            (SectionSpecifier(part: [1]), "Hello there."),
            (SectionSpecifier(part: [1], text: .mime), "Content-Type: text/plain; charset=us-ascii\r\n\r\n"),
            (
                SectionSpecifier(part: [2]),
                "--inner\r\nContent-Type: text/plain\r\n\r\nHi\r\n--inner\r\nContent-Type: text/html\r\n\r\n"
                    + "<b>Hi</b>\r\n--inner--\r\n"
            ),
            (SectionSpecifier(part: [2, 1]), "Hi"),
            (SectionSpecifier(part: [2, 1], text: .mime), "Content-Type: text/plain\r\n\r\n"),
            (SectionSpecifier(part: [2, 2]), "<b>Hi</b>"),
            (SectionSpecifier(part: [3]), innerHeader + innerText),
            (SectionSpecifier(part: [3], text: .header), innerHeader),
            (SectionSpecifier(part: [3], text: .text), innerText),
            (SectionSpecifier(part: [3], text: .mime), "Content-Type: message/rfc822\r\n\r\n"),
            (SectionSpecifier(part: [3], text: .headerFields(["SUBJECT"])), "Subject: inner subject\r\n\r\n"),
            (SectionSpecifier(part: [3, 1]), "inner text"),
            (SectionSpecifier(part: [3, 1], text: .mime), "\r\n"),
            (SectionSpecifier(part: [3, 2]), "GIF"),
            (SectionSpecifier(part: [3, 2], text: .mime), "Content-Type: image/gif\r\n\r\n"),
            (SectionSpecifier(part: [4]), "AAEC"),
            (
                SectionSpecifier(text: .headerFields(["subject", "FROM"])),
                "From: Terry Gray <gray@cac.washington.edu>\r\nSubject: mixed bag\r\n\r\n"
            ),
            (
                SectionSpecifier(text: .headerFieldsNot(["Received", "mime-version", "Content-Type"])),
                "From: Terry Gray <gray@cac.washington.edu>\r\nTo: imap@cac.washington.edu\r\nSubject: mixed bag\r\n\r\n"
            ),
            (SectionSpecifier(text: .headerFields(["X-Nothing"])), "\r\n"),
        ])
    func nested(section: SectionSpecifier, expected: String) {
        #expect(Fixtures.text(Self.mixed.section(section)) == expected)
    }

    @Test(
        "sections that do not exist are nil",
        arguments: [
            SectionSpecifier(part: [5]), SectionSpecifier(part: [0]), SectionSpecifier(part: [1, 1]),
            SectionSpecifier(part: [2], text: .header), SectionSpecifier(part: [2, 3]),
            SectionSpecifier(part: [3, 3]), SectionSpecifier(part: [4], text: .text),
            SectionSpecifier(part: [], text: .mime),
        ])
    func missing(section: SectionSpecifier) {
        #expect(Self.mixed.section(section) == nil)
    }

    @Test("whole message, HEADER and TEXT partition the message")
    func wholeMessage() {
        let m = Self.mixed
        let header = m.section(SectionSpecifier(text: .header)) ?? []
        let text = m.section(SectionSpecifier(text: .text)) ?? []
        #expect(m.section(.complete) == m.bytes)
        #expect(header + text == m.bytes)
        #expect(Fixtures.text(header)?.hasSuffix("boundary=\"outer\"\r\n\r\n") == true)
    }

    @Test("part 1 of a non-multipart message is its body, with the message header as MIME header")
    func singlePart() {
        let m = Fixtures.message("Subject: s\n\nbody\n")
        #expect(Fixtures.text(m.section(SectionSpecifier(part: [1]))) == "body\r\n")
        #expect(Fixtures.text(m.section(SectionSpecifier(part: [1], text: .mime))) == "Subject: s\r\n\r\n")
        #expect(m.section(SectionSpecifier(part: [2])) == nil)
        #expect(m.section(SectionSpecifier(part: [1, 1])) == nil)
    }

    @Test("folded fields keep their raw lines in HEADER.FIELDS")
    func foldedFields() {
        let m = Fixtures.message("X-Long: a\n b\nSubject: s\n\nbody")
        #expect(
            Fixtures.text(m.section(SectionSpecifier(text: .headerFields(["x-long"])))) == "X-Long: a\r\n b\r\n\r\n")
    }

    @Test("a message without a blank line is all header")
    func noBody() {
        let m = MIMEMessage(Array("Subject: s".utf8))
        #expect(Fixtures.text(m.section(SectionSpecifier(text: .header))) == "Subject: s")
        #expect(m.section(SectionSpecifier(text: .text)) == [])
        #expect(Fixtures.text(m.section(SectionSpecifier(text: .headerFields(["subject"])))) == "Subject: s\r\n\r\n")
    }

    @Test(
        "partial ranges are clipped to the section",
        arguments: [(0, 3, "abc"), (2, 10, "cdef"), (6, 1, ""), (9, 1, "")] as [(UInt64, UInt64, String)])
    func partial(offset: UInt64, length: UInt64, expected: String) {
        let p = MIMEMessage.partial(Array("abcdef".utf8), Partial(offset: offset, length: length))
        #expect(String(decoding: p, as: UTF8.self) == expected)
    }
}
