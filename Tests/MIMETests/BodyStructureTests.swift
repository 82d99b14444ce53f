import IMAPWire
import MIME
import Testing

@Suite struct BodyStructureTests {
    @Test("plain text message without Content-Type: text/plain us-ascii with line count")
    func plain() {
        let m = Fixtures.message("From: a@b.example\nSubject: hi\n\nHello\nWorld\n")
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: true))
                == #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 14 2 NIL NIL NIL NIL)"#)
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: false))
                == #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 14 2)"#)
    }

    @Test("multipart/alternative: the line end before a delimiter belongs to the delimiter")
    func alternative() {
        let m = Fixtures.message(
            """
            Content-Type: multipart/alternative; boundary="b1"

            preamble
            --b1
            Content-Type: text/plain; charset=utf-8

            plain
            --b1
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <p>html</p>
            --b1--
            epilogue

            """)
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: true))
                == #"(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 5 1 NIL NIL NIL NIL)"#
                + #"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 11 1 NIL NIL NIL NIL)"#
                + #" "ALTERNATIVE" ("BOUNDARY" "b1") NIL NIL NIL)"#)
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: false))
                == #"(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 5 1)"#
                + #"("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 11 1) "ALTERNATIVE")"#)
    }

    @Test("mixed with nested alternative, attached message and attachment with every extension field")
    func mixed() {
        let m = Fixtures.message(Fixtures.mixed)
        let inner =
            #"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 192 (NIL "inner subject" (("Inner" NIL "inner" "c.example")) "#
            + #"(("Inner" NIL "inner" "c.example")) (("Inner" NIL "inner" "c.example")) NIL NIL NIL NIL "#
            + #""<inner@c.example>") (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)"#
            + #"("IMAGE" "GIF" NIL NIL NIL "7BIT" 3 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "Y") NIL NIL NIL) 13 NIL NIL NIL NIL)"#
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: true))
                == #"(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)"#
                + #"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 2 1 NIL NIL NIL NIL)"#
                + #"("TEXT" "HTML" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 9 1 NIL NIL NIL NIL)"#
                + #" "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)"# + inner
                + #"("APPLICATION" "OCTET-STREAM" ("NAME" "a.bin") "<id1@x>" "Some data" "BASE64" 4 NIL "#
                + #"("ATTACHMENT" ("FILENAME" "a.bin")) ("en" "de") "http://x.example/a.bin")"#
                + #" "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)"#)
    }

    @Test("multipart without a boundary parameter is one text/plain part")
    func noBoundary() {
        let m = Fixtures.message("Content-Type: multipart/mixed\n\n--x\n\nhello\n--x--\n")
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: false))
                == #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 21 4)"#)
        #expect(m.bodyContains(Array("hello".utf8)))
    }

    @Test("multipart whose boundary never appears has one empty text/plain part")
    func boundaryNeverSeen() {
        let m = Fixtures.message("Content-Type: multipart/mixed; boundary=nope\n\n--other\n\nhello\n")
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: true))
                == #"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)"#
                + #" "MIXED" ("BOUNDARY" "nope") NIL NIL NIL)"#)
    }

    @Test("a missing close delimiter ends the last part at the end of the message")
    func missingClose() {
        let m = Fixtures.message("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n")
        #expect(
            Fixtures.encoded(m.bodyStructure(extended: false))
                == #"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 1)"#
                + #"("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 5 1) "MIXED")"#)
        #expect(Fixtures.text(m.section(SectionSpecifier(part: [2]))) == "two\r\n")
    }

    @Test("a boundary line needs the exact boundary: longer lines are content")
    func boundaryPrefix() {
        let m = Fixtures.message("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx is text\n--b--\n")
        #expect(Fixtures.text(m.section(SectionSpecifier(part: [1]))) == "--bx is text")
    }

    @Test("nesting past maxDepth becomes an application/octet-stream leaf")
    func deepNesting() {
        var s = "Subject: deep\n"
        for i in 0..<40 { s += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        s += "Content-Type: text/plain\n\nleaf\n"
        for i in (0..<40).reversed() { s += "--b\(i)--\n" }
        let m = MIMEMessage(Fixtures.crlf(s), limits: MIMELimits(maxDepth: 8))
        #expect(m.partCount == 9)
        var body = m.bodyStructure(extended: false)
        var depth = 0
        while case .multipart(let mp) = body, let first = mp.parts.first {
            body = first
            depth += 1
        }
        #expect(depth == 8)
        guard case .singlepart(let leaf) = body else { return }
        #expect(leaf.kind == .basic(type: "APPLICATION", subtype: "OCTET-STREAM"))
        // The default bound also holds with a far deeper message.
        var t = ""
        for i in 0..<500 { t += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        #expect(MIMEMessage(Fixtures.crlf(t)).partCount == 33)
    }

    @Test("part count stays within maxParts")
    func manyParts() {
        var s = "Content-Type: multipart/mixed; boundary=b\n\n"
        for _ in 0..<3000 { s += "--b\n\nx\n" }
        s += "--b--\n"
        let m = MIMEMessage(Fixtures.crlf(s))
        #expect(m.partCount == 1000)
        _ = m.bodyStructure(extended: true)
    }

    @Test("message/rfc822 in a digest is the default type of its parts")
    func digest() {
        let m = Fixtures.message("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nbody\n--d--\n")
        guard case .multipart(let mp) = m.bodyStructure(extended: false), case .singlepart(let p) = mp.parts[0],
            case .message(let sub, let env, _, _) = p.kind
        else {
            Issue.record("not a message part")
            return
        }
        #expect(sub == "RFC822")
        #expect(Fixtures.text(env.subject) == "s")
    }

    @Test(
        "garbage never crashes",
        arguments: [
            "", "\n", ":\n\n", "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n",
            "Content-Type: message/rfc822\n\n", "Content-Type: text/plain; charset*0*=utf-8''%E2%82; charset*1=x\n\nb",
            "Content-Type: /\n\n", "Content-Type: multipart/mixed; boundary=b\n\n--b--\n--b\n",
            "Content-Type: ((((\n\n", "From: <<<@@@,,;;::\"\n\n",
        ])
    func garbage(input: String) {
        let m = Fixtures.message(input)
        _ = Fixtures.encoded(m.bodyStructure(extended: true))
        _ = Fixtures.encoded(m.envelope)
        _ = m.section(SectionSpecifier(part: [1, 1], text: .mime))
        _ = m.textContains(Array("x".utf8))
        _ = m.baseSubject
    }

    @Test("RFC 2231 continuations and encoded parameter values are joined and decoded")
    func rfc2231() {
        let m = Fixtures.message(
            "Content-Type: application/x-stuff;\n title*0*=us-ascii'en'This%20is%20even%20more%20;\n"
                + " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n title*2=\"isn't it!\"\n\nx")
        guard case .singlepart(let p) = m.bodyStructure(extended: false) else { return }
        #expect(p.fields.parameters == [BodyStructure.Parameter("TITLE", "This is even more ***fun*** isn't it!")])
    }
}
