import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct TaggedCommandTests {
    @Test(
        "RFC 3501 §8 sample session: every client line parses byte for byte",
        arguments: [
            (
                "a001 login mrc secret\r\n",
                TaggedCommand(tag: "a001", command: .login(username: b("mrc"), password: b("secret")))
            ),
            ("a002 select inbox\r\n", TaggedCommand(tag: "a002", command: .select(.inbox, []))),
            (
                "a003 fetch 12 full\r\n",
                TaggedCommand(tag: "a003", command: .fetch(FetchCommand(SequenceSet(12), .full)))
            ),
            (
                "a004 fetch 12 body[header]\r\n",
                TaggedCommand(
                    tag: "a004",
                    command: .fetch(
                        FetchCommand(
                            SequenceSet(12),
                            .list([.bodySection(SectionSpecifier(text: .header), partial: nil, peek: false)]))))
            ),
            (
                "a005 store 12 +flags \\deleted\r\n",
                TaggedCommand(
                    tag: "a005",
                    command: .store(
                        StoreCommand(
                            SequenceSet(12), StoreData(.add, [.deleted]))))
            ),
            ("a006 logout\r\n", TaggedCommand(tag: "a006", command: .logout)),
        ])
    func sampleSession(line: String, expected: TaggedCommand) throws {
        var buffer = ParseBuffer(line)
        #expect(try GrammarParser.parseTaggedCommand(&buffer) == expected)
        #expect(buffer.isAtEnd)
    }

    /// Client lines of the examples in RFC 3501 §6 and of the extension RFCs, each with the
    /// command it must parse to; `canonical` when our encoder writes the very same bytes.
    static let rfcExamples: [(String, Command, Bool)] = [
        ("a441 CAPABILITY", .capability, true),
        ("a002 NOOP", .noop, true),
        ("A023 LOGOUT", .logout, true),
        ("a001 STARTTLS", .startTLS, true),
        ("A001 AUTHENTICATE GSSAPI", .authenticate(mechanism: "GSSAPI", initialResponse: nil), true),
        ("a001 LOGIN SMITH SESAME", .login(username: b("SMITH"), password: b("SESAME")), true),
        ("A142 SELECT INBOX", .select(.inbox, []), true),
        ("A932 EXAMINE blurdybloop", .examine(mb("blurdybloop"), []), true),
        ("A003 CREATE owatagusiam/", .create(mb("owatagusiam/"), partition: nil, []), true),
        ("A683 DELETE blurdybloop", .delete(mb("blurdybloop")), true),
        (
            "A683 RENAME blurdybloop sarasoop", .rename(from: mb("blurdybloop"), to: mb("sarasoop"), partition: nil),
            true
        ),
        ("A002 SUBSCRIBE #news.comp.mail.mime", .subscribe(mb("#news.comp.mail.mime")), true),
        ("A002 UNSUBSCRIBE #news.comp.mail.mime", .unsubscribe(mb("#news.comp.mail.mime")), true),
        ("A101 LIST \"\" \"\"", .list(ListCommand(reference: "", pattern: "")), true),
        (
            "A102 LIST #news.comp.mail.misc \"\"", .list(ListCommand(reference: "#news.comp.mail.misc", pattern: "")),
            true
        ),
        ("A202 LIST ~/Mail/ %", .list(ListCommand(reference: "~/Mail/", pattern: "%")), true),
        ("A002 LSUB \"#news.\" \"comp.mail.*\"", .lsub(reference: mb("#news."), pattern: b("comp.mail.*")), false),
        ("A042 STATUS blurdybloop (UIDNEXT MESSAGES)", .status(mb("blurdybloop"), [.uidNext, .messages]), true),
        ("FXXZ CHECK", .check, true),
        ("A341 CLOSE", .close, true),
        ("A202 EXPUNGE", .expunge, true),
        (
            "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
            .search(
                SearchCommand(
                    .and([.flagged, .since(day(1994, 2, 1)), .not(.from(b("Smith")))]))), false
        ),
        ("A283 SEARCH TEXT \"string not in mailbox\"", .search(SearchCommand(.text(b("string not in mailbox")))), true),
        (
            "A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX",
            .search(SearchCommand(charset: "UTF-8", .text(b("XXXXXX")))), false
        ),
        (
            "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])",
            .fetch(
                FetchCommand(
                    SequenceSet([SequenceRange(2...4)]),
                    .list([
                        .flags,
                        .bodySection(
                            SectionSpecifier(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false),
                    ]))), true
        ),
        (
            "A003 STORE 2:4 +FLAGS (\\Deleted)",
            .store(StoreCommand(SequenceSet([SequenceRange(2...4)]), StoreData(.add, [.deleted]))), true
        ),
        ("A003 COPY 2:4 MEETING", .copy(SequenceSet([SequenceRange(2...4)]), mb("MEETING")), true),
        (
            "A999 UID FETCH 4827313:4828442 FLAGS",
            .uidFetch(FetchCommand(SequenceSet([SequenceRange(4_827_313...4_828_442)]), .list([.flags]))), false
        ),
        // RFC 2177, 4315, 2342, 6851, 3691, 4978, 5161, 2971, 4959
        ("A001 IDLE", .idle, true),
        ("A003 UID EXPUNGE 3000:3002", .uidExpunge(SequenceSet([SequenceRange(3000...3002)])), true),
        ("A001 NAMESPACE", .namespace, true),
        ("a UID MOVE 42:69 foo", .uidMove(SequenceSet([SequenceRange(42...69)]), mb("foo")), true),
        ("A342 UNSELECT", .unselect, true),
        ("a COMPRESS DEFLATE", .compress(mechanism: "DEFLATE"), true),
        ("t2 ENABLE CONDSTORE X-GOOD-IDEA", .enable(["CONDSTORE", "X-GOOD-IDEA"]), true),
        (
            "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")",
            .id([
                IDParameter("name", "sodr"), IDParameter("version", "19.34"),
                IDParameter("vendor", "Pink Floyd Music Limited"),
            ]), true
        ),
        (
            "A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=",
            .authenticate(mechanism: "PLAIN", initialResponse: .base64("dGVzdAB0ZXN0AHRlc3Q=")), true
        ),
        // RFC 4314, 9208
        (
            "A035 SETACL INBOX/Drafts John lrQswicda",
            .setACL(mb("INBOX/Drafts"), identifier: "John", rights: RightsModification(.replace, "lrQswicda")), true
        ),
        ("a001 LISTRIGHTS ~/Mail/saved smith", .listRights(mb("~/Mail/saved"), identifier: "smith"), true),
        ("A003 MYRIGHTS TargetMailbox", .myRights(mb("TargetMailbox")), true),
        ("A001 SETQUOTA \"\" (STORAGE 512)", .setQuota(root: b(""), [QuotaLimit(.storage, 512)]), true),
        ("A003 GETQUOTAROOT INBOX", .getQuotaRoot(.inbox), true),
        // RFC 7162, 4731, 5256
        (
            "a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121231000) +FLAGS.SILENT (\\Deleted)",
            .uidStore(
                StoreCommand(
                    SequenceSet(6, 4, 8), modifiers: [.unchangedSince(12_121_231_000)],
                    StoreData(.add, silent: true, [.deleted]))), true
        ),
        (
            "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)",
            .uidFetch(
                FetchCommand(
                    .all, .list([.flags]), modifiers: [.changedSince(12345)])), true
        ),
        (
            "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338",
            .search(
                SearchCommand(
                    .modSeq(.init(Flag("\\draft"), .all), 620_162_338))), true
        ),
        (
            "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
            .select(
                .inbox,
                [
                    .qresync(
                        QResyncParameters(
                            uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
                            knownUIDs: SequenceSet([
                                SequenceRange(41), SequenceRange(43...211), SequenceRange(214...541),
                            ])))
                ]), true
        ),
        (
            "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
            .search(
                SearchCommand(
                    returnOptions: [.min, .count], .and([.flagged, .since(day(1994, 2, 1)), .not(.from(b("Smith")))]))),
            false
        ),
        (
            "A285 SORT (SUBJECT REVERSE DATE) UTF-8 ALL",
            .sort(
                SortCommand(
                    [SortCriterion(.subject), SortCriterion(.date, reverse: true)], charset: "UTF-8", .all)), true
        ),
        (
            "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
            .thread(
                ThreadCommand(
                    .orderedSubject, charset: "UTF-8", .since(day(2000, 3, 5)))), false
        ),
        // RFC 5464, 6154, 5258, 5819
        (
            "a GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)",
            .getMetadata(
                [.maxSize(1024)], .inbox, entries: ["/shared/comment", "/private/comment"]), true
        ),
        (
            "a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)",
            .setMetadata(
                .inbox,
                [
                    MetadataEntryValue("/private/comment", .string(b("My new comment across\r\ntwo lines.")))
                ]), true
        ),
        ("t1 CREATE \"Drafts\" (USE (\\Drafts))", .create(mb("Drafts"), partition: nil, [.use(["\\Drafts"])]), false),
        (
            "A02 LIST (SUBSCRIBED) \"\" \"*\"",
            .list(ListCommand(selectOptions: [.subscribed], reference: mb(""), patterns: [b("*")])), false
        ),
        (
            "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))",
            .list(
                ListCommand(
                    reference: mb(""), patterns: [b("%")], returnOptions: [.status([.messages, .unseen])])), true
        ),
    ]

    @Test("client lines of RFC examples parse (and re-encode byte for byte when canonical)", arguments: rfcExamples)
    func rfcExample(line: String, command: Command, canonical: Bool) {
        let frame = line + "\r\n"
        var buffer = ParseBuffer(frame)
        do {
            let parsed = try GrammarParser.parseTaggedCommand(&buffer)
            #expect(parsed.command == command)
            #expect(buffer.isAtEnd)
            if canonical {
                var encoder = EncodeBuffer(.server)
                encoder.writeTaggedCommand(parsed)
                #expect(encoder.string == frame)
            }
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test(
        "frames: success, truncated, malformed",
        arguments: [
            ParseFixture<Command>.line("NOOP", .success(.noop)),
            ParseFixture<Command>.line("noop", .success(.noop)),
            ParseFixture<Command>.frame("A1 NOOP\n", .success(.noop)),
            ParseFixture<Command>.frame("A1 NOOP", .incomplete),
            ParseFixture<Command>.frame("A1 NOOP\r", .incomplete),
            ParseFixture<Command>.frame("A1", .incomplete),
            ParseFixture<Command>.line("NOOP extra", .failure),
            ParseFixture<Command>.line("FROB", .failure),
            ParseFixture<Command>.line("UID FROB 1", .failure),
            ParseFixture<Command>.line("", .failure),
            ParseFixture<Command>.frame("+1 NOOP\r\n", .failure),
            ParseFixture<Command>.frame("A1  NOOP\r\n", .failure),
            ParseFixture<Command>.line("SELECT", .failure),
            ParseFixture<Command>.line("SELECT INBOX ()", .failure),
            ParseFixture<Command>.line("COPY 1:2", .failure),
            ParseFixture<Command>.line("UID EXPUNGE", .failure),
            ParseFixture<Command>.line("EXPUNGE 1", .failure),
        ])
    func frames(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("a bad command keeps its tag; an unreadable tag gives none")
    func badCommandTag() {
        func bad(_ s: String) -> BadCommand? {
            var buffer = ParseBuffer(s)
            do {
                _ = try GrammarParser.parseTaggedCommand(&buffer)
                return nil
            } catch {
                return error as? BadCommand
            }
        }
        #expect(bad("A7 FROB\r\n")?.tag == "A7")
        #expect(bad("A7 FROB\r\n")?.underlying is ParserError)
        #expect(bad("(x) NOOP\r\n")?.tag == nil)
        var limits = Limits.commands
        limits.maxMailboxNameLength = 4
        var buffer = ParseBuffer("A8 SELECT toolong\r\n", limits: limits)
        #expect(throws: BadCommand.self) { try GrammarParser.parseTaggedCommand(&buffer) }
        buffer = ParseBuffer("A8 SELECT toolong\r\n", limits: limits)
        do {
            _ = try GrammarParser.parseTaggedCommand(&buffer)
        } catch let e as BadCommand {
            #expect(e.tag == "A8")
            #expect((e.underlying as? LimitExceeded)?.limit == .mailboxNameLength)
        } catch {
            Issue.record("\(error)")
        }
        buffer = ParseBuffer("A9 NOOP", limits: limits)
        #expect(throws: IncompleteMessage.self) { try GrammarParser.parseTaggedCommand(&buffer) }
    }

    @Test(
        "IDLE then DONE",
        arguments: [
            ParseFixture<Bool>("DONE\r\n", "+", .success(true)),
            ParseFixture<Bool>("done\n", "+", .success(true)),
            ParseFixture<Bool>("DON", "", .incomplete),
            ParseFixture<Bool>("DONE", "", .incomplete),
            ParseFixture<Bool>("DONE now\r\n", "", .failure),
            ParseFixture<Bool>("A2 NOOP\r\n", "", .failure),
        ])
    func idleDone(_ fixture: ParseFixture<Bool>) {
        fixture.check {
            try GrammarParser.parseIdleDone(&$0)
            return true
        }
    }

    @Test(
        "AUTHENTICATE continuation lines: base64, empty, cancel",
        arguments: [
            ParseFixture<AuthenticateResponse>(
                "dGVzdAB0ZXN0AHRlc3Q=\r\n", "+", .success(.base64("dGVzdAB0ZXN0AHRlc3Q="))),
            ParseFixture<AuthenticateResponse>("\r\n", "+", .success(.base64(""))),
            ParseFixture<AuthenticateResponse>("*\r\n", "+", .success(.cancel)),
            ParseFixture<AuthenticateResponse>("dGVz", "", .incomplete),
            ParseFixture<AuthenticateResponse>("dGV\r\n", "", .failure),
            ParseFixture<AuthenticateResponse>("dG=z\r\n", "", .failure),
            ParseFixture<AuthenticateResponse>("d===\r\n", "", .failure),
            ParseFixture<AuthenticateResponse>("* \r\n", "", .failure),
            ParseFixture<AuthenticateResponse>("dGVz dGVz\r\n", "", .failure),
        ])
    func authenticateResponse(_ fixture: ParseFixture<AuthenticateResponse>) {
        fixture.check { try GrammarParser.parseAuthenticateResponse(&$0) }
    }

    @Test("AUTHENTICATE responses and DONE encode")
    func encodeContinuations() {
        expectEncoded("abcd\r\n") { $0.writeAuthenticateResponse(.base64("abcd")) }
        expectEncoded("*\r\n") { $0.writeAuthenticateResponse(.cancel) }
        expectEncoded("DONE\r\n") { $0.writeIdleDone() }
    }
}
