import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ResponseTests {
    @Test(
        "a frame is tagged, untagged or a continuation and ends after its CRLF",
        arguments: [
            ParseFixture<Response>.response("A1 OK done\r\n", "* 1 EXISTS\r\n", .success(.ok("A1", "done"))),
            .response(
                "a2 no [TRYCREATE] No such mailbox\r\n", "", .success(.no("a2", "No such mailbox", code: .tryCreate))),
            .response("x]y BAD syntax\n", "", .success(.bad("x]y", "syntax"))),
            .response(
                "* OK [ALERT] System shutdown in 10 minutes\r\n", "",
                .success(.untaggedOK("System shutdown in 10 minutes", code: .alert))),
            .response("* BYE\r\n", "", .success(.untagged(.bye(ResponseText(text: ""))))),
            .response("+ go ahead\r\n", "", .success(.continuation(.responseText(ResponseText(text: "go ahead"))))),
            .response("A1 OK done", "", .incomplete),
            .response("A1 OK done\r", "", .incomplete),
            .response("A1 OK [UIDNEXT 4", "", .incomplete),
            .response("* 12 FETCH (FLAGS (\\Seen) UID", "", .incomplete),
            .response("", "", .incomplete),
            .response("A1 MAYBE done\r\n", "", .failure),
            .response("A1 OK done\rX", "", .failure),
            .response("(A1 OK done\r\n", "", .failure),
            .response("* 12 FROB\r\n", "", .failure),
            .response("* 12 FETCH (FLAGS (\\Seen) UID 0)\r\n", "", .failure),
            .response("* 12 FETCH (X-GM-MSGID 1)\r\n", "", .failure),
        ])
    func frames(_ fixture: ParseFixture<Response>) { fixture.check { try GrammarParser.parseResponse(&$0) } }

    @Test(
        "servers' loose forms are accepted",
        arguments: [
            // No text after the keyword, no space after the code, a bracket that opens no code.
            ("A1 OK\r\n", Response.ok("A1", "")),
            ("A1 OK [READ-WRITE]\r\n", .ok("A1", "", code: .readWrite)),
            ("* OK [UIDNEXT\r\n", .untaggedOK("[UIDNEXT")),
            ("* NO [not closed really\r\n", .untagged(.state(.no(ResponseText(text: "[not closed really"))))),
            (
                "* NO [x y] really\r\n",
                .untagged(.state(.no(ResponseText(code: .other(name: "x", text: "y"), text: "really"))))
            ),
            ("* OK [ALERT foo] x\r\n", .untaggedOK("x", code: .other(name: "ALERT", text: "foo"))),
            ("* SEARCH 1 2 \r\n", .untagged(.search([1, 2], modSeq: nil))),
            ("* ok Fine\r\n", .untaggedOK("Fine")),
        ])
    func lenient(wire: String, expected: Response) throws {
        #expect(try parseResponseFrame(wire) == expected)
    }

    // RFC 3501 §7.1 to §7.5 (the same examples appear in RFC 9051 §7).
    @Test(
        "RFC 3501 section 7 examples parse and re-encode byte for byte",
        arguments: [
            ("* OK IMAP4rev1 server ready\r\n", Response.untaggedOK("IMAP4rev1 server ready")),
            (
                "* OK [ALERT] System shutdown in 10 minutes\r\n",
                .untaggedOK("System shutdown in 10 minutes", code: .alert)
            ),
            ("A001 OK LOGIN Completed\r\n", .ok("A001", "LOGIN Completed")),
            (
                "* NO Disk is 98% full, please delete unnecessary data\r\n",
                .untagged(.state(.no(ResponseText(text: "Disk is 98% full, please delete unnecessary data"))))
            ),
            ("A222 OK COPY completed\r\n", .ok("A222", "COPY completed")),
            ("A223 NO COPY failed: disk is full\r\n", .no("A223", "COPY failed: disk is full")),
            ("* BAD Command line too long\r\n", .untagged(.state(.bad(ResponseText(text: "Command line too long"))))),
            ("* BAD Empty command line\r\n", .untagged(.state(.bad(ResponseText(text: "Empty command line"))))),
            (
                "* BAD Disk crash, attempting salvage to a new disk!\r\n",
                .untagged(.state(.bad(ResponseText(text: "Disk crash, attempting salvage to a new disk!"))))
            ),
            ("* OK Salvage successful, no data lost\r\n", .untaggedOK("Salvage successful, no data lost")),
            ("A443 OK Expunge completed\r\n", .ok("A443", "Expunge completed")),
            (
                "* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
                .untagged(.preauth(ResponseText(text: "IMAP4rev1 server logged in as Smith")))
            ),
            (
                "* BYE Autologout; idle for too long\r\n",
                .untagged(.bye(ResponseText(text: "Autologout; idle for too long")))
            ),
            (
                "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n",
                .untagged(.capability(["IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "XPIG-LATIN"]))
            ),
            (
                "* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n",
                .untagged(
                    .list(MailboxInfo(attributes: ["\\Noselect"], delimiter: "/", name: MailboxName("~/Mail/foo"))))
            ),
            (
                "* LSUB () \".\" #news.comp.mail.misc\r\n",
                .untagged(.lsub(MailboxInfo(attributes: [], delimiter: ".", name: MailboxName("#news.comp.mail.misc"))))
            ),
            (
                "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
                .untagged(.status(MailboxName("blurdybloop"), [.messages(231), .uidNext(44292)]))
            ),
            ("* SEARCH 2 3 6\r\n", .untagged(.search([2, 3, 6], modSeq: nil))),
            (
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
                .untagged(.flags([.answered, .flagged, .deleted, .seen, .draft]))
            ),
            ("* 23 EXISTS\r\n", .untagged(.exists(23))),
            ("* 5 RECENT\r\n", .untagged(.recent(5))),
            ("* 44 EXPUNGE\r\n", .untagged(.expunge(44))),
            (
                "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n",
                .untagged(.fetch(23, [.flags([.seen]), .rfc822Size(44827)]))
            ),
            (
                "+ Ready for additional command text\r\n",
                .continuation(.responseText(ResponseText(text: "Ready for additional command text")))
            ),
            ("A001 OK LOGIN completed\r\n", .ok("A001", "LOGIN completed")),
            ("A044 BAD No such command as \"BLURDYBLOOP\"\r\n", .bad("A044", "No such command as \"BLURDYBLOOP\"")),
            ("* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n", .untagged(.fetch(23, [.flags([.seen]), .uid(4_827_313)]))),
            ("A999 OK UID FETCH completed\r\n", .ok("A999", "UID FETCH completed")),
            ("* CAPABILITY IMAP4rev1 XPIG-LATIN\r\n", .untagged(.capability(["IMAP4rev1", "XPIG-LATIN"]))),
            (
                "* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay\r\n",
                .untagged(.unknown(keyword: "XPIG-LATIN", data: octets("ow-nay eaking-spay ig-pay atin-lay")))
            ),
            ("A442 OK XPIG-LATIN ompleted-cay\r\n", .ok("A442", "XPIG-LATIN ompleted-cay")),
        ])
    func rfc3501Section7(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test(
        "the greeting is OK, PREAUTH or BYE",
        arguments: [
            ParseFixture<Greeting>.response(
                "* OK IMAP4rev1 Service Ready\r\n", "", .success(.ok(ResponseText(text: "IMAP4rev1 Service Ready")))),
            .response(
                "* OK [CAPABILITY IMAP4rev1 LITERAL+] murder ready\r\n", "",
                .success(.ok(ResponseText(code: .capability(["IMAP4rev1", "LITERAL+"]), text: "murder ready")))),
            .response(
                "* PREAUTH IMAP4rev1 server logged in as Smith\r\n", "",
                .success(.preauth(ResponseText(text: "IMAP4rev1 server logged in as Smith")))),
            .response(
                "* BYE [UNAVAILABLE] too busy\r\n", "",
                .success(.bye(ResponseText(code: .unavailable, text: "too busy")))),
            .response("* NO later\r\n", "", .failure),
            .response("A1 OK x\r\n", "", .failure),
            .response("* OK IMAP4rev1", "", .incomplete),
        ])
    func greeting(_ fixture: ParseFixture<Greeting>) { fixture.check { try GrammarParser.parseGreeting(&$0) } }

    @Test("a greeting encodes as a server sends it")
    func greetingEncoding() {
        expectEncoded("* OK [CAPABILITY IMAP4rev1 STARTTLS] murder ready\r\n") {
            $0.writeGreeting(.ok(ResponseText(code: .capability(["IMAP4rev1", "STARTTLS"]), text: "murder ready")))
        }
        expectEncoded("* BYE Autologout; idle for too long\r\n") {
            $0.writeGreeting(.bye(ResponseText(text: "Autologout; idle for too long")))
        }
    }

    @Test("a status text longer than the line bound is over the limit")
    func textLimit() {
        var limits = Limits.responses
        limits.maxLineLength = 16
        let check = { (wire: String, expected: ParseFixture<Response>.Expected) in
            ParseFixture<Response>(wire, "", expected, limits: limits).check { try GrammarParser.parseResponse(&$0) }
        }
        check("A1 OK 0123456789abcdef\r\n", .success(.ok("A1", "0123456789abcdef")))
        check("A1 OK 0123456789abcdefg\r\n", .overLimit(.lineLength))
        check("* OK [X-CODE 0123456789abcdefg] x\r\n", .overLimit(.lineLength))
        check("* XFOO 0123456789abcdefg\r\n", .overLimit(.lineLength))
    }

    @Test(
        "unknown untagged data keeps its raw bytes, literals included",
        arguments: [
            ParseFixture<Response>.response("* XFOO\r\n", "", .success(.untagged(.unknown(keyword: "XFOO", data: [])))),
            .response(
                "* XFOO a {3}\r\nb\r\n c\r\n", "* 1 EXISTS\r\n",
                .success(.untagged(.unknown(keyword: "XFOO", data: octets("a {3}\r\nb\r\n c"))))),
            .response(
                "* XFOO a ~{2}\r\n\r\n\r\n", "",
                .success(.untagged(.unknown(keyword: "XFOO", data: octets("a ~{2}\r\n\r\n"))))),
            .response("* XFOO a {3}\r\nb", "", .incomplete),
            .response("* XFOO a b", "", .incomplete),
            .response("* XFOO a {99999999999}\r\n", "", .overLimit(.literalSize)),
        ])
    func unknown(_ fixture: ParseFixture<Response>) { fixture.check { try GrammarParser.parseResponse(&$0) } }

    @Test("literals past the per-response bound are over the limit")
    func literalCount() {
        var limits = Limits.responses
        limits.maxLiteralsPerMessage = 2
        ParseFixture<Response>(
            "* 1 FETCH (RFC822.HEADER {1}\r\na RFC822.TEXT {1}\r\nb)\r\n", "",
            .success(
                .untagged(.fetch(1, [.rfc822Header(octets("a")), .rfc822Text(octets("b"))]))), limits: limits
        ).check { try GrammarParser.parseResponse(&$0) }
        ParseFixture<Response>(
            "* 1 FETCH (RFC822.HEADER {1}\r\na RFC822.TEXT {1}\r\nb RFC822 {1}\r\nc)\r\n", "",
            .overLimit(.literalsPerMessage), limits: limits
        ).check { try GrammarParser.parseResponse(&$0) }
        ParseFixture<Response>(
            "* XFOO {1}\r\na {1}\r\nb {1}\r\nc\r\n", "", .overLimit(.literalsPerMessage), limits: limits
        )
        .check { try GrammarParser.parseResponse(&$0) }
    }

    @Test("parenthesised lists of several items parse (PL.oneOrMore applies its separator)")
    func severalItems() throws {
        var buffer = ParseBuffer("(\\Seen \\Deleted $Junk) ", limits: .responses)
        #expect(try GrammarParser.parseFlagList(&buffer) == [.seen, .deleted, Flag("$Junk")])
    }
}

extension ResponseTests {
    @Test("line breaks in a text cannot end the response early")
    func textInjection() {
        expectEncoded("A1 NO bad\u{20}\u{20}* OK forged\r\n") { $0.writeResponse(.no("A1", "bad\r\n* OK forged")) }
        expectEncoded("* OK [XPROXY a b c] x\r\n") {
            $0.writeResponse(.untaggedOK("x", code: .other(name: "XPROXY", text: "a]b\nc")))
        }
    }
}
