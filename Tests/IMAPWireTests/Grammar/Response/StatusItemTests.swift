import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct StatusItemTests {
    @Test(
        "status-att-val items",
        arguments: [
            ParseFixture<StatusItem>.response("MESSAGES 231", ")", .success(.messages(231))),
            .response("RECENT 1", ")", .success(.recent(1))),
            .response("UIDNEXT 44292", ")", .success(.uidNext(44292))),
            .response("UIDVALIDITY 3857529045", ")", .success(.uidValidity(3_857_529_045))),
            .response("unseen 0", ")", .success(.unseen(0))),
            .response("DELETED 12", ")", .success(.deleted(12))),
            .response("SIZE 8589934592", ")", .success(.size(8_589_934_592))),
            .response("HIGHESTMODSEQ 7011231777", ")", .success(.highestModSeq(7_011_231_777))),
            .response("APPENDLIMIT 257890", ")", .success(.appendLimit(257_890))),
            .response("APPENDLIMIT NIL", ")", .success(.appendLimit(nil))),
            .response(
                "MAILBOXID (F2212ea87-6097-4256-9d51-71338625)", ")",
                .success(.mailboxID("F2212ea87-6097-4256-9d51-71338625"))),
            .response("DELETED-STORAGE 3", ")", .success(.deletedStorage(3))),
            .response("X-COUNT 77", ")", .success(.other(name: "X-COUNT", value: 77))),
            .response("MESSAGES 4294967296", ")", .failure),
            .response("MESSAGES x", ")", .failure),
            .response("MAILBOXID (a b)", ")", .failure),
            .response("MESSAGES", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<StatusItem>) { fixture.check { try GrammarParser.parseStatusAttVal(&$0) } }

    @Test(
        "STATUS examples parse and re-encode byte for byte",
        arguments: [
            (
                "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
                Response.untagged(.status(MailboxName("blurdybloop"), [.messages(231), .uidNext(44292)]))
            ),
            // RFC 7162 §3.1.4
            (
                "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 7500 HIGHESTMODSEQ 7011231777)\r\n",
                .untagged(
                    .status(
                        MailboxName("blurdybloop"), [.messages(231), .uidNext(7500), .highestModSeq(7_011_231_777)]))
            ),
            // RFC 8438 §3 / RFC 7889 §4 / RFC 8474 §4.2
            ("* STATUS INBOX (SIZE 3)\r\n", .untagged(.status(.inbox, [.size(3)]))),
            ("* STATUS INBOX (APPENDLIMIT 257890)\r\n", .untagged(.status(.inbox, [.appendLimit(257_890)]))),
            (
                "* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n",
                .untagged(.status(MailboxName("foo"), [.mailboxID("F2212ea87-6097-4256-9d51-71338625")]))
            ),
            ("* STATUS \"a b\" ()\r\n", .untagged(.status(MailboxName("a b"), []))),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("a STATUS list past the item bound is over the limit")
    func limit() {
        var limits = Limits.responses
        limits.maxListItems = 2
        ParseFixture<Response>(
            "* STATUS x (MESSAGES 1 UNSEEN 2 RECENT 3)\r\n", "", .overLimit(.listItems), limits: limits
        )
        .check { try GrammarParser.parseResponse(&$0) }
    }
}
