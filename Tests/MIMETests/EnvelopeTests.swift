import IMAPWire
import MIME
import Testing

@Suite struct EnvelopeTests {
    @Test("RFC 3501 example envelope, folded subject, defaults for sender and reply-to")
    func rfcExample() {
        let m = Fixtures.message(
            """
            Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
            From: Terry Gray <gray@cac.washington.edu>
            Subject: IMAP4rev1 WG mtg summary and
             minutes
            To: imap@cac.washington.edu
            cc: minutes@CNRI.Reston.VA.US,
            \tJohn Klensin <KLENSIN@MIT.EDU>
            Message-Id: <B27397-0100000@cac.washington.edu>
            MIME-Version: 1.0

            body

            """)
        #expect(
            Fixtures.encoded(m.envelope)
                == #"("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" "#
                + #"(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) "#
                + #"(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) "#
                + #"((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "#
                + #""<B27397-0100000@cac.washington.edu>")"#)
    }

    @Test("absent fields are NIL")
    func missing() {
        let m = Fixtures.message("X-Other: 1\n\nbody\n")
        #expect(Fixtures.encoded(m.envelope) == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)")
    }

    @Test(
        "address lists",
        arguments: [
            ("undisclosed-recipients:;", #"((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))"#),
            (
                #"team: "A B" <a@x.example>, c@y.example;, d@z.example"#,
                #"((NIL NIL "team" NIL)("A B" NIL "a" "x.example")(NIL NIL "c" "y.example")(NIL NIL NIL NIL)(NIL NIL "d" "z.example"))"#
            ),
            ("gray@cac.example (Terry Gray)", #"(("Terry Gray" NIL "gray" "cac.example"))"#),
            ("<@r1.example,@r2.example:u@h.example>", #"((NIL "@r1.example,@r2.example" "u" "h.example"))"#),
            (#""Gray, Terry" <gray@cac.example>"#, #"(("Gray, Terry" NIL "gray" "cac.example"))"#),
            ("=?utf-8?q?J=C3=B6rg?= <j@x.example>", #"(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x.example"))"#),
            ("localonly", #"((NIL NIL "localonly" ""))"#),
            ("<>", #"((NIL NIL "" ""))"#),
            ("", "NIL"),
        ])
    func addresses(value: String, expected: String) {
        let m = Fixtures.message("To: \(value)\n\n")
        var e = EncodeBuffer(.server)
        e.writeAddressList(m.envelope.to)
        #expect(e.string == expected)
    }

    @Test("header fields are unfolded and looked up case-insensitively")
    func headerLookup() {
        let m = Fixtures.message("SUBJECT: a\n  b\nX-A: 1\nX-A: 2\n\n")
        #expect(Fixtures.text(m.header("subject")) == "a  b")
        #expect(m.headers("x-a").map { String(decoding: $0, as: UTF8.self) } == ["1", "2"])
        #expect(m.headerFields.map(\.name) == ["SUBJECT", "X-A", "X-A"])
        #expect(m.header("missing") == nil)
    }

    @Test("bare LF line ends are read like CRLF")
    func bareLF() {
        let m = MIMEMessage(Array("Subject: x\nFrom: a@b\n\nbody\n".utf8))
        #expect(Fixtures.text(m.envelope.subject) == "x")
        #expect(Fixtures.text(m.section(SectionSpecifier(text: .text))) == "body\n")
    }
}
