import MurderTestSupport
import Testing

@testable import IMAPWire

/// SELECT/EXAMINE parameters, CREATE, RENAME, STATUS, LSUB, XLIST, copy and move, ACL, QUOTA.
@Suite struct MailboxCommandTests {
    @Test(
        "SELECT and EXAMINE with CONDSTORE, QRESYNC and extension parameters",
        arguments: [
            ParseFixture<Command>.line("SELECT INBOX (CONDSTORE)", .success(.select(.inbox, [.condStore]))),
            ParseFixture<Command>.line("select inbox", .success(.select(.inbox, []))),
            ParseFixture<Command>.line("EXAMINE \"a b\" (condstore)", .success(.examine(mb("a b"), [.condStore]))),
            ParseFixture<Command>.line(
                "SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
                .success(
                    .select(
                        .inbox,
                        [
                            .qresync(
                                QResyncParameters(
                                    uidValidity: 67_890_007, modSeq: 90_060_115_194_045_000,
                                    knownUIDs: SequenceSet([SequenceRange(41...211), SequenceRange(214...541)])))
                        ]))),
            ParseFixture<Command>.line(
                "SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))",
                .success(
                    .select(
                        .inbox,
                        [
                            .qresync(
                                QResyncParameters(
                                    uidValidity: 67_890_007, modSeq: 90_060_115_194_045_000,
                                    knownUIDs: SequenceSet([SequenceRange(1...29997)]),
                                    sequenceMatch: .init(
                                        sequenceNumbers: SequenceSet(5000, 7500), uids: SequenceSet(15000, 22500))))
                        ]))),
            ParseFixture<Command>.line(
                "SELECT INBOX (QRESYNC (1 2 (3 4)))",
                .success(
                    .select(
                        .inbox,
                        [
                            .qresync(
                                QResyncParameters(
                                    uidValidity: 1, modSeq: 2,
                                    sequenceMatch: .init(sequenceNumbers: SequenceSet(3), uids: SequenceSet(4))))
                        ]))),
            ParseFixture<Command>.line(
                "SELECT INBOX (QRESYNC (1 2) CONDSTORE X-Y 5 X-Z)",
                .success(
                    .select(
                        .inbox,
                        [
                            .qresync(QResyncParameters(uidValidity: 1, modSeq: 2)), .condStore,
                            .other(TaggedExtension("X-Y", .number(5))), .other(TaggedExtension("X-Z")),
                        ]))),
            ParseFixture<Command>.line("SELECT INBOX (QRESYNC (0 2))", .failure),
            ParseFixture<Command>.line("SELECT INBOX (QRESYNC (1 0))", .failure),
            ParseFixture<Command>.line("SELECT INBOX (QRESYNC (1 2 1:*))", .failure),
            ParseFixture<Command>.line("SELECT INBOX (QRESYNC (1 2 (3)))", .failure),
            ParseFixture<Command>.line("SELECT INBOX (QRESYNC)", .failure),
            ParseFixture<Command>.line("SELECT INBOX (CONDSTORE", .failure),
            ParseFixture<Command>.line("SELECT INBOX (5)", .failure),
            ParseFixture<Command>.frame("A1 SELECT INBOX (QRESYNC (1", .incomplete),
        ])
    func select(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "extension parameter values: numbers, sets, nested lists",
        arguments: [
            ParseFixture<Command>.line(
                "SELECT a (X 1:5,7)",
                .success(
                    .select(
                        mb("a"),
                        [
                            .other(
                                TaggedExtension(
                                    "X",
                                    .sequenceSet(
                                        SequenceSet([SequenceRange(1...5), SequenceRange(7)]))))
                        ]))),
            ParseFixture<Command>.line(
                "SELECT a (X $)", .success(.select(mb("a"), [.other(TaggedExtension("X", .sequenceSet(.savedResult)))]))
            ),
            ParseFixture<Command>.line(
                "SELECT a (X 99999999999)",
                .success(.select(mb("a"), [.other(TaggedExtension("X", .number(99_999_999_999)))]))),
            ParseFixture<Command>.line(
                "SELECT a (X ())", .success(.select(mb("a"), [.other(TaggedExtension("X", .list([])))]))),
            ParseFixture<Command>.line(
                "SELECT a (X (a {1}\r\nb (c)))",
                .success(
                    .select(
                        mb("a"),
                        [
                            .other(
                                TaggedExtension(
                                    "X",
                                    .list([
                                        .string(b("a")), .string(b("b")), .list([.string(b("c"))]),
                                    ])))
                        ]))),
            ParseFixture<Command>.line("SELECT a (9X)", .failure),
        ])
    func taggedExtensions(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("extension values nest no deeper than the nesting bound")
    func taggedExtensionDepth() {
        var limits = Limits.commands
        limits.maxNestingDepth = 3
        ParseFixture<Command>.line(
            "SELECT a (X ((b)))",
            .success(.select(mb("a"), [.other(TaggedExtension("X", .list([.list([.string(b("b"))])])))])),
            limits: limits
        ).checkCommand()
        ParseFixture<Command>.line("SELECT a (X (((b))))", .overLimit(.nestingDepth), limits: limits).checkCommand()
    }

    @Test(
        "CREATE: plain, special use, Cyrus partition as atom or parameter",
        arguments: [
            ParseFixture<Command>.line(
                "CREATE owatagusiam/blurdybloop", .success(.create(mb("owatagusiam/blurdybloop"), partition: nil, []))),
            ParseFixture<Command>.line(
                "CREATE MySpecial (USE (\\Drafts \\Sent))",
                .success(.create(mb("MySpecial"), partition: nil, [.use(["\\Drafts", "\\Sent"])]))),
            ParseFixture<Command>.line("CREATE x (USE ())", .success(.create(mb("x"), partition: nil, [.use([])]))),
            ParseFixture<Command>.line(
                "CREATE user.fred.x p2", .success(.create(mb("user.fred.x"), partition: "p2", []))),
            ParseFixture<Command>.line(
                "CREATE x (PARTITION p2 USE (\\Archive))",
                .success(.create(mb("x"), partition: nil, [.partition("p2"), .use(["\\Archive"])]))),
            ParseFixture<Command>.line(
                "CREATE x (X-FOO)", .success(.create(mb("x"), partition: nil, [.other(TaggedExtension("X-FOO"))]))),
            ParseFixture<Command>.line("CREATE x (USE (Drafts))", .failure),
            ParseFixture<Command>.line("CREATE x ()", .failure),
            ParseFixture<Command>.line("CREATE x p2 p3", .failure),
            ParseFixture<Command>.line("CREATE", .failure),
        ])
    func create(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "DELETE, RENAME (with a Cyrus location), SUBSCRIBE, UNSUBSCRIBE",
        arguments: [
            ParseFixture<Command>.line("DELETE blurdybloop", .success(.delete(mb("blurdybloop")))),
            ParseFixture<Command>.line(
                "RENAME Inbox old-mail", .success(.rename(from: .inbox, to: mb("old-mail"), partition: nil))),
            ParseFixture<Command>.line(
                "RENAME user.fred user.fred srv2!p1",
                .success(.rename(from: mb("user.fred"), to: mb("user.fred"), partition: "srv2!p1"))),
            ParseFixture<Command>.line("RENAME a", .failure),
            ParseFixture<Command>.line("SUBSCRIBE {3+}\r\na b", .success(.subscribe(mb("a b")))),
            ParseFixture<Command>.line("UNSUBSCRIBE \"\"", .success(.unsubscribe(mb("")))),
        ])
    func mailboxManagement(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "STATUS items of RFC 3501, 9051 and the extensions",
        arguments: [
            ParseFixture<Command>.line(
                "STATUS blurdybloop (UIDNEXT MESSAGES)", .success(.status(mb("blurdybloop"), [.uidNext, .messages]))),
            ParseFixture<Command>.line(
                "STATUS x (messages recent uidnext uidvalidity unseen deleted size highestmodseq appendlimit mailboxid deleted-storage)",
                .success(.status(mb("x"), StatusAttribute.allCases))),
            ParseFixture<Command>.line("STATUS x ()", .failure),
            ParseFixture<Command>.line("STATUS x (BOGUS)", .failure),
            ParseFixture<Command>.line("STATUS x MESSAGES", .failure),
        ])
    func status(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "LSUB and XLIST take a reference and one pattern",
        arguments: [
            ParseFixture<Command>.line(
                "LSUB \"#news.\" \"comp.mail.*\"", .success(.lsub(reference: mb("#news."), pattern: b("comp.mail.*")))),
            ParseFixture<Command>.line("LSUB \"\" %", .success(.lsub(reference: mb(""), pattern: b("%")))),
            ParseFixture<Command>.line("XLIST \"\" *", .success(.xlist(reference: mb(""), pattern: b("*")))),
            ParseFixture<Command>.line("XLIST \"\" (*)", .failure),
            ParseFixture<Command>.line("LSUB \"\"", .failure),
        ])
    func lsub(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "COPY, MOVE and UID EXPUNGE",
        arguments: [
            ParseFixture<Command>.line(
                "COPY 2:4 MEETING", .success(.copy(SequenceSet([SequenceRange(2...4)]), mb("MEETING")))),
            ParseFixture<Command>.line("UID COPY $ Trash", .success(.uidCopy(.savedResult, mb("Trash")))),
            ParseFixture<Command>.line("MOVE 1:* \"Old mail\"", .success(.move(.all, mb("Old mail")))),
            ParseFixture<Command>.line(
                "uid move 42:69 foo", .success(.uidMove(SequenceSet([SequenceRange(42...69)]), mb("foo")))),
            ParseFixture<Command>.line(
                "UID EXPUNGE 3000:3002,3005",
                .success(.uidExpunge(SequenceSet([SequenceRange(3000...3002), SequenceRange(3005)])))),
            ParseFixture<Command>.line("MOVE 0 foo", .failure),
            ParseFixture<Command>.line("COPY foo 1", .failure),
        ])
    func copyMove(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "ACL commands",
        arguments: [
            ParseFixture<Command>.line(
                "SETACL INBOX/Drafts John lrswicda",
                .success(
                    .setACL(mb("INBOX/Drafts"), identifier: "John", rights: RightsModification(.replace, "lrswicda")))),
            ParseFixture<Command>.line(
                "SETACL INBOX anyone +lr",
                .success(.setACL(.inbox, identifier: "anyone", rights: RightsModification(.add, "lr")))),
            ParseFixture<Command>.line(
                "SETACL INBOX \"-fred\" \"-w\"",
                .success(.setACL(.inbox, identifier: "-fred", rights: RightsModification(.remove, "w")))),
            ParseFixture<Command>.line(
                "SETACL INBOX fred \"\"",
                .success(.setACL(.inbox, identifier: "fred", rights: RightsModification(.replace, "")))),
            ParseFixture<Command>.line(
                "DELETEACL INBOX/Drafts Fred", .success(.deleteACL(mb("INBOX/Drafts"), identifier: "Fred"))),
            ParseFixture<Command>.line("GETACL INBOX", .success(.getACL(.inbox))),
            ParseFixture<Command>.line(
                "LISTRIGHTS ~/Mail/saved smith", .success(.listRights(mb("~/Mail/saved"), identifier: "smith"))),
            ParseFixture<Command>.line("MYRIGHTS INBOX", .success(.myRights(.inbox))),
            ParseFixture<Command>.line("SETACL INBOX fred", .failure),
            ParseFixture<Command>.line("GETACL", .failure),
            ParseFixture<Command>.line("MYRIGHTS INBOX x", .failure),
        ])
    func acl(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "QUOTA commands",
        arguments: [
            ParseFixture<Command>.line("GETQUOTA \"\"", .success(.getQuota(root: b("")))),
            ParseFixture<Command>.line("GETQUOTAROOT INBOX", .success(.getQuotaRoot(.inbox))),
            ParseFixture<Command>.line(
                "SETQUOTA \"\" (STORAGE 512)", .success(.setQuota(root: b(""), [QuotaLimit(.storage, 512)]))),
            ParseFixture<Command>.line(
                "SETQUOTA user.fred (storage 512 Message 9223372036854775807 X-FOO 0)",
                .success(
                    .setQuota(
                        root: b("user.fred"),
                        [
                            QuotaLimit(.storage, 512), QuotaLimit(.message, 9_223_372_036_854_775_807),
                            QuotaLimit(QuotaResource("x-foo"), 0),
                        ]))),
            ParseFixture<Command>.line("SETQUOTA \"\" ()", .success(.setQuota(root: b(""), []))),
            ParseFixture<Command>.line("SETQUOTA \"\" (STORAGE)", .failure),
            ParseFixture<Command>.line("SETQUOTA \"\" (STORAGE -1)", .failure),
            ParseFixture<Command>.line("SETQUOTA \"\" (STORAGE 9223372036854775808)", .failure),
            ParseFixture<Command>.line("SETQUOTA \"\" STORAGE 1", .failure),
        ])
    func quota(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("quota lists are bounded by the list-item limit")
    func quotaLimit() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("SETQUOTA \"\" (A 1 B 2 C 3)", .overLimit(.listItems), limits: limits).checkCommand()
    }
}
