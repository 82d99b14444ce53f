import MurderTestSupport
import Testing

@testable import IMAPWire

/// Untagged data with a simple shape: capabilities, flags, message counts, VANISHED, ID, ACL,
/// LISTRIGHTS, MYRIGHTS, QUOTA, QUOTAROOT.
@Suite struct UntaggedResponseTests {
    @Test(
        "untagged data parses",
        arguments: [
            ParseFixture<UntaggedResponse>.response(
                "* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN\r\n", "",
                .success(.capability(["IMAP4rev2", "IMAP4rev1", "AUTH=PLAIN"]))),
            .response("* CAPABILITY\r\n", "", .success(.capability([]))),
            .response("* ENABLED\r\n", "", .success(.enabled([]))),
            .response("* ENABLED CONDSTORE QRESYNC\r\n", "", .success(.enabled(["CONDSTORE", "QRESYNC"]))),
            .response("* FLAGS ()\r\n", "", .success(.flags([]))),
            .response("* 0 EXISTS\r\n", "", .success(.exists(0))),
            .response("* 4294967295 EXPUNGE\r\n", "", .success(.expunge(4_294_967_295))),
            .response("* 3 recent\r\n", "", .success(.recent(3))),
            .response(
                "* VANISHED 405,407,410,425\r\n", "",
                .success(.vanished(earlier: false, uids: SequenceSet(405, 407, 410, 425)))),
            .response(
                "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n", "",
                .success(
                    .vanished(
                        earlier: true,
                        uids: SequenceSet([
                            SequenceRange(41), SequenceRange(43...116), SequenceRange(118), SequenceRange(120...211),
                            SequenceRange(214...540),
                        ])))),
            .response("* ID NIL\r\n", "", .success(.id(nil))),
            .response("* ID ()\r\n", "", .success(.id([]))),
            .response(
                "* ID (\"name\" \"Cyrus\" \"support-url\" NIL)\r\n", "",
                .success(.id([IDField("name", "Cyrus"), IDField("support-url", nil)]))),
            .response("* ACL INBOX\r\n", "", .success(.acl(.inbox, []))),
            .response(
                "* ACL \"a b\" \"-fred\" \"\" anyone lr\r\n", "",
                .success(
                    .acl(
                        MailboxName("a b"),
                        [
                            ACLIdentifierRights(identifier: "-fred", rights: ""),
                            ACLIdentifierRights(identifier: "anyone", rights: "lr"),
                        ]))),
            .response("* QUOTA \"\" ()\r\n", "", .success(.quota(root: "", []))),
            .response(
                "* QUOTAROOT INBOX \"\" user.alice\r\n", "", .success(.quotaRoot(.inbox, roots: ["", "user.alice"]))),
            .response("* EXISTS\r\n", "", .success(.unknown(keyword: "EXISTS", data: []))),
            .response("* VANISHED 1:*\r\n", "", .failure),
            .response("* VANISHED (LATER) 1\r\n", "", .failure),
            .response("* ID (\"name\")\r\n", "", .failure),
            .response("* ACL INBOX fred\r\n", "", .failure),
            .response("* LISTRIGHTS INBOX fred\r\n", "", .failure),
            .response("* QUOTA x (STORAGE 1)\r\n", "", .failure),
            .response("* MYRIGHTS INBOX\r\n", "", .failure),
            .response("* FLAGS (\\Seen", "", .incomplete),
            .response("* 1 EXISTS", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<UntaggedResponse>) { fixture.check { try GrammarParser.parseResponseData(&$0) } }

    @Test(
        "examples of the extension RFCs parse and re-encode byte for byte",
        arguments: [
            // RFC 5161 §4
            ("* ENABLED X-GOOD-IDEA\r\n", Response.untagged(.enabled(["X-GOOD-IDEA"]))),
            // RFC 7162 §3.2.10
            (
                "* VANISHED (EARLIER) 300:310,405,411\r\n",
                .untagged(
                    .vanished(
                        earlier: true,
                        uids: SequenceSet([
                            SequenceRange(300...310), SequenceRange(405), SequenceRange(411),
                        ])))
            ),
            // RFC 2971 §3.3
            (
                "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n",
                .untagged(
                    .id([
                        IDField("name", "Cyrus"), IDField("version", "1.5"), IDField("os", "sunos"),
                        IDField("os-version", "5.5"),
                        IDField("support-url", "mailto:cyrus-bugs+@andrew.cmu.edu"),
                    ]))
            ),
            ("* ID NIL\r\n", .untagged(.id(nil))),
            // RFC 4314 §3.6, §3.7, §3.8
            (
                "* ACL INBOX Fred rwipsldexta\r\n",
                .untagged(.acl(.inbox, [ACLIdentifierRights(identifier: "Fred", rights: "rwipsldexta")]))
            ),
            (
                "* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n",
                .untagged(
                    .listRights(
                        MailboxName("~/Mail/saved"), identifier: "smith", required: "la", optional: ["r", "swicdkxte"]))
            ),
            ("* MYRIGHTS INBOX rwiptsldaex\r\n", .untagged(.myRights(.inbox, rights: "rwiptsldaex"))),
            (
                "* LISTRIGHTS archive/imap anyone \"\" l r s w i p c d k x t e a\r\n",
                .untagged(
                    .listRights(
                        MailboxName("archive/imap"), identifier: "anyone", required: "",
                        optional: ["l", "r", "s", "w", "i", "p", "c", "d", "k", "x", "t", "e", "a"]))
            ),
            // RFC 9208 §6.1.1, §6.1.2
            (
                "* QUOTA \"\" (STORAGE 10 512)\r\n",
                .untagged(.quota(root: "", [QuotaUsage(resource: "STORAGE", usage: 10, limit: 512)]))
            ),
            ("* QUOTAROOT INBOX \"\"\r\n", .untagged(.quotaRoot(.inbox, roots: [""]))),
            ("* QUOTAROOT comp.mail.mime\r\n", .untagged(.quotaRoot(MailboxName("comp.mail.mime"), roots: []))),
            (
                "* QUOTA user.alice (STORAGE 54 111 MESSAGE 42 1000)\r\n",
                .untagged(
                    .quota(
                        root: "user.alice",
                        [
                            QuotaUsage(resource: "STORAGE", usage: 54, limit: 111),
                            QuotaUsage(resource: "MESSAGE", usage: 42, limit: 1000),
                        ]))
            ),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("lists past the item or range bound are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxListItems = 2
        for wire in [
            "* CAPABILITY A B C\r\n", "* ENABLED A B C\r\n", "* FLAGS (\\A \\B \\C)\r\n", "* ACL x a r b r c r\r\n",
            "* QUOTAROOT x a b c\r\n", "* ID (\"a\" NIL \"b\" NIL \"c\" NIL)\r\n", "* LISTRIGHTS x y r a b c\r\n",
            "* QUOTA x (A 1 2 B 1 2 C 1 2)\r\n",
        ] {
            ParseFixture<Response>(wire, "", .overLimit(.listItems), limits: limits).check {
                try GrammarParser.parseResponse(&$0)
            }
        }
        limits = .responses
        limits.maxSequenceRanges = 2
        ParseFixture<Response>("* VANISHED 1,3,5\r\n", "", .overLimit(.sequenceRanges), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
        limits = .responses
        limits.maxStringLiteralSize = 3
        ParseFixture<Response>("* ID (\"name\" {4}\r\nabcd)\r\n", "", .overLimit(.stringLiteralSize), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
    }
}
