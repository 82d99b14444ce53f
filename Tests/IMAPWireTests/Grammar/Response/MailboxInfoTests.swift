import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct MailboxInfoTests {
    @Test(
        "mailbox-list: attributes, delimiter or NIL, name, extended data",
        arguments: [
            ParseFixture<MailboxInfo>.response(
                "(\\HasNoChildren) \"/\" INBOX", "\r\n",
                .success(MailboxInfo(attributes: ["\\HasNoChildren"], delimiter: "/", name: .inbox))),
            .response("() NIL inbox", "\r\n", .success(MailboxInfo(attributes: [], delimiter: nil, name: .inbox))),
            .response(
                "(\\Noselect \\HasChildren) \"\\\\\" {5}\r\na\"b c", "\r\n",
                .success(
                    MailboxInfo(
                        attributes: ["\\Noselect", "\\HasChildren"], delimiter: "\\", name: MailboxName("a\"b c")))),
            .response(
                "() \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))", "\r\n",
                .success(
                    MailboxInfo(
                        attributes: [], delimiter: "/", name: MailboxName("Foo"),
                        extendedItems: [.childInfo(["SUBSCRIBED"])]))),
            .response(
                "() \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))", "\r\n",
                .success(
                    MailboxInfo(
                        attributes: [], delimiter: "/", name: MailboxName("NewMailbox"),
                        extendedItems: [.oldName(MailboxName("OldMailbox"))]))),
            .response(
                "() \"/\" x (\"X-A\" 12 X-B 1:3 \"X-C\" (a (b)) \"CHILDINFO\" 5)", "\r\n",
                .success(
                    MailboxInfo(
                        attributes: [], delimiter: "/", name: MailboxName("x"),
                        extendedItems: [
                            .other(tag: "X-A", value: .number(12)),
                            .other(tag: "X-B", value: .sequenceSet(SequenceSet([SequenceRange(1...3)]))),
                            .other(tag: "X-C", value: .list([.string(octets("a")), .list([.string(octets("b"))])])),
                            .other(tag: "CHILDINFO", value: .number(5)),
                        ]))),
            .response(
                "() \"/\" x ()", "\r\n", .success(MailboxInfo(attributes: [], delimiter: "/", name: MailboxName("x")))),
            .response("() \"ab\" x", "\r\n", .failure),
            .response("() \"\" x", "\r\n", .failure),
            .response("(Noselect) \"/\" x", "\r\n", .failure),
            .response("() \"/\"", "", .incomplete),
            .response("(\\Noselect) \"/\" \"foo", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<MailboxInfo>) { fixture.check { try GrammarParser.parseMailboxList(&$0) } }

    @Test(
        "LIST, LSUB and XLIST examples parse and re-encode byte for byte",
        arguments: [
            // RFC 9051 §7.3.1, §6.3.9
            (
                "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
                Response.untagged(.list(MailboxInfo(attributes: ["\\HasNoChildren"], delimiter: "/", name: .inbox)))
            ),
            (
                "* LIST (\\Noselect) \"/\" \"\"\r\n",
                .untagged(.list(MailboxInfo(attributes: ["\\Noselect"], delimiter: "/", name: MailboxName(""))))
            ),
            (
                "* LIST () NIL \"\"\r\n",
                .untagged(.list(MailboxInfo(attributes: [], delimiter: nil, name: MailboxName(""))))
            ),
            // RFC 5258 §5 (example 9), with the name written bare as a server canonicalises it.
            (
                "* LIST () \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
                .untagged(
                    .list(
                        MailboxInfo(
                            attributes: [], delimiter: "/", name: MailboxName("Foo"),
                            extendedItems: [.childInfo(["SUBSCRIBED"])])))
            ),
            // RFC 6154 §5.1
            (
                "* LIST (\\Marked \\HasNoChildren \\Sent) \"/\" Sent\r\n",
                .untagged(
                    .list(
                        MailboxInfo(
                            attributes: ["\\Marked", "\\HasNoChildren", "\\Sent"], delimiter: "/",
                            name: MailboxName("Sent"))))
            ),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test(
        "examples with quoted names (or Inbox) parse",
        arguments: [
            (
                "* XLIST (\\HasNoChildren \\Inbox) \"/\" \"Inbox\"\r\n",
                Response.untagged(
                    .xlist(MailboxInfo(attributes: ["\\HasNoChildren", "\\Inbox"], delimiter: "/", name: .inbox)))
            ),
            (
                "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
                .untagged(
                    .list(
                        MailboxInfo(
                            attributes: [], delimiter: "/", name: MailboxName("Foo"),
                            extendedItems: [.childInfo(["SUBSCRIBED"])])))
            ),
            (
                "* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n",
                .untagged(
                    .list(
                        MailboxInfo(
                            attributes: [], delimiter: "/", name: MailboxName("NewMailbox"),
                            extendedItems: [.oldName(MailboxName("OldMailbox"))])))
            ),
            (
                "* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n",
                .untagged(
                    .list(
                        MailboxInfo(
                            attributes: ["\\Subscribed", "\\NonExistent"], delimiter: "/",
                            name: MailboxName("Fruit/Peach"))))
            ),
        ])
    func quotedExamples(wire: String, expected: Response) { expectResponse(wire, expected, reencodes: false) }

    @Test("names and attribute lists past their bounds are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxMailboxNameLength = 4
        ParseFixture<MailboxInfo>(
            "() \"/\" abcd", "\r\n", .success(MailboxInfo(attributes: [], delimiter: "/", name: MailboxName("abcd"))),
            limits: limits
        )
        .check { try GrammarParser.parseMailboxList(&$0) }
        ParseFixture<MailboxInfo>("() \"/\" abcde", "\r\n", .overLimit(.mailboxNameLength), limits: limits)
            .check { try GrammarParser.parseMailboxList(&$0) }
        limits = .responses
        limits.maxListItems = 2
        ParseFixture<MailboxInfo>("(\\A \\B \\C) \"/\" x", "\r\n", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseMailboxList(&$0) }
        limits = .responses
        limits.maxNestingDepth = 3
        ParseFixture<MailboxInfo>("() \"/\" x (X (((a))))", "\r\n", .overLimit(.nestingDepth), limits: limits)
            .check { try GrammarParser.parseMailboxList(&$0) }
    }
}
