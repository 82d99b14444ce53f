import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct AppendCommandTests {
    static let rfcMessage = """
        Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r
        From: Fred Foobar <foobar@Blurdybloop.COM>\r
        Subject: afternoon meeting\r
        To: mooch@owatagu.siam.edu\r
        Message-Id: <B27397-0100000@Blurdybloop.COM>\r
        MIME-Version: 1.0\r
        Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r
        \r
        Hello Joe, do you think we can meet at 3:30 tomorrow?\r

        """

    @Test("RFC 3501 §6.3.11 example: a 310-octet message with \\Seen")
    func rfcExample() throws {
        #expect(Self.rfcMessage.utf8.count == 310)
        var buffer = ParseBuffer("A003 APPEND saved-messages (\\Seen) {310}\r\n" + Self.rfcMessage + "\r\n")
        let command = try GrammarParser.parseTaggedCommand(&buffer)
        #expect(
            command
                == TaggedCommand(
                    tag: "A003",
                    command: .append(
                        AppendCommand(
                            mb("saved-messages"),
                            [
                                AppendMessage(
                                    options: AppendOptions(flags: [.seen]), data: AppendData(b(Self.rfcMessage)))
                            ]))))
        #expect(buffer.isAtEnd)
    }

    @Test(
        "APPEND and MULTIAPPEND: options, literal kinds, several messages",
        arguments: [
            ParseFixture<Command>.line(
                "APPEND INBOX {3}\r\nabc",
                .success(.append(AppendCommand(.inbox, [AppendMessage(data: AppendData(b("abc")))])))),
            ParseFixture<Command>.line(
                "APPEND INBOX {0+}\r\n", .success(.append(AppendCommand(.inbox, [AppendMessage(data: AppendData([]))])))
            ),
            ParseFixture<Command>.line(
                "APPEND INBOX () \" 7-Feb-1994 21:52:25 -0800\" {1}\r\nx",
                .success(
                    .append(
                        AppendCommand(
                            .inbox,
                            [
                                AppendMessage(
                                    options: AppendOptions(internalDate: date(1994, 2, 7, 21, 52, 25, zone: -480)),
                                    data: AppendData(b("x")))
                            ])))),
            ParseFixture<Command>.line(
                "APPEND Drafts (\\Draft $x) ~{3}\r\na\u{0}b",
                .success(
                    .append(
                        AppendCommand(
                            mb("Drafts"),
                            [
                                AppendMessage(
                                    options: AppendOptions(flags: [.draft, Flag("$x")]),
                                    data: AppendData([0x61, 0, 0x62], isBinary: true))
                            ])))),
            ParseFixture<Command>.line(
                "APPEND INBOX {1}\r\na (\\Seen) {2+}\r\nbc ~{1}\r\nd",
                .success(
                    .append(
                        AppendCommand(
                            .inbox,
                            [
                                AppendMessage(data: AppendData(b("a"))),
                                AppendMessage(options: AppendOptions(flags: [.seen]), data: AppendData(b("bc"))),
                                AppendMessage(data: AppendData(b("d"), isBinary: true)),
                            ])))),
            ParseFixture<Command>.line(
                "APPEND INBOX X-EXT (a b) X-N 5 {1}\r\nz",
                .success(
                    .append(
                        AppendCommand(
                            .inbox,
                            [
                                AppendMessage(
                                    options: AppendOptions(extensions: [
                                        TaggedExtension("X-EXT", .list([.string(b("a")), .string(b("b"))])),
                                        TaggedExtension("X-N", .number(5)),
                                    ]), data: AppendData(b("z")))
                            ])))),
            ParseFixture<Command>.line("APPEND INBOX", .failure),
            ParseFixture<Command>.line("APPEND INBOX (\\Seen)", .failure),
            ParseFixture<Command>.line("APPEND INBOX \"abc\"", .failure),
            ParseFixture<Command>.line("APPEND INBOX X-EXT {1}\r\nz", .failure),
            ParseFixture<Command>.line("APPEND INBOX {1}\r\nz  {1}\r\ny", .failure),
            ParseFixture<Command>.line("APPEND INBOX (\\Seen) (\\Seen) {1}\r\nz", .failure),
            ParseFixture<Command>.frame("A1 APPEND INBOX {10}\r\nabc", .incomplete),
            ParseFixture<Command>.frame("A1 APPEND INBOX {3}\r\nabc", .incomplete),
            ParseFixture<Command>.line("APPEND INBOX {99999999999}\r\n", .overLimit(.literalSize)),
        ])
    func append(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "LOCALAPPEND: mailbox, selected mailbox or \"\", then APPEND arguments",
        arguments: [
            ParseFixture<Command>.line(
                "LOCALAPPEND user.fred \"\" {3}\r\nabc",
                .success(
                    .localAppend(
                        AppendCommand(mb("user.fred"), [AppendMessage(data: AppendData(b("abc")))]), selected: nil))),
            ParseFixture<Command>.line(
                "LOCALAPPEND user.fred user.fred.Sent (\\Seen) {3+}\r\nabc",
                .success(
                    .localAppend(
                        AppendCommand(
                            mb("user.fred"),
                            [AppendMessage(options: AppendOptions(flags: [.seen]), data: AppendData(b("abc")))]),
                        selected: mb("user.fred.Sent")))),
            ParseFixture<Command>.line("LOCALAPPEND user.fred {3}\r\nabc", .failure),
        ])
    func localAppend(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("messages of one APPEND are bounded by the list-item limit")
    func messageCount() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line(
            "APPEND INBOX {1}\r\na {1}\r\nb",
            .success(
                .append(
                    AppendCommand(
                        .inbox,
                        [
                            AppendMessage(data: AppendData(b("a"))), AppendMessage(data: AppendData(b("b"))),
                        ]))), limits: limits
        ).checkCommand()
        ParseFixture<Command>.line("APPEND INBOX {1}\r\na {1}\r\nb {1}\r\nc", .overLimit(.listItems), limits: limits)
            .checkCommand()
    }

    @Test("extensions of one message are bounded by the list-item limit")
    func extensionCount() {
        var limits = Limits.commands
        limits.maxListItems = 1
        ParseFixture<Command>.line("APPEND INBOX X 1 Y 2 {1}\r\na", .overLimit(.listItems), limits: limits)
            .checkCommand()
    }

    @Test("streaming: start, then per message header, body, and what follows")
    func streaming() throws {
        // What a streaming decoder sees: the line up to the first literal header, then after
        // each body the bytes up to the next header or the final CRLF.
        var start = ParseBuffer("A1 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {310}\r\n")
        let head = try GrammarParser.parseAppendStart(&start)
        #expect(head == AppendStart(tag: "A1", mailbox: .inbox))
        let first = try GrammarParser.parseAppendMessageHeader(&start)
        #expect(
            first
                == AppendMessageHeader(
                    options: AppendOptions(flags: [.seen], internalDate: date(1996, 7, 17, 2, 44, 25, zone: -420)),
                    length: 310))
        #expect(start.isAtEnd)

        var between = ParseBuffer(" ~{2+}\r\n")
        #expect(try GrammarParser.parseAppendAfterMessage(&between))
        let second = try GrammarParser.parseAppendMessageHeader(&between)
        #expect(
            second == AppendMessageHeader(options: AppendOptions(), length: 2, isBinary: true, isNonSynchronizing: true)
        )
        #expect(between.isAtEnd)

        var end = ParseBuffer("\r\n")
        #expect(try !GrammarParser.parseAppendAfterMessage(&end))
        #expect(end.isAtEnd)
    }

    @Test("streaming start of LOCALAPPEND, and errors carrying the tag")
    func streamingStart() throws {
        var buffer = ParseBuffer("c5 LOCALAPPEND user.fred user.fred.Drafts {3}\r\n")
        #expect(
            try GrammarParser.parseAppendStart(&buffer)
                == AppendStart(
                    tag: "c5", mailbox: mb("user.fred"), kind: .localAppend(selected: mb("user.fred.Drafts"))))
        buffer = ParseBuffer("c6 localappend user.fred \"\" {3}\r\n")
        #expect(try GrammarParser.parseAppendStart(&buffer).kind == .localAppend(selected: nil))
        buffer = ParseBuffer("c7 FETCH 1 FLAGS\r\n")
        do {
            _ = try GrammarParser.parseAppendStart(&buffer)
            Issue.record("FETCH accepted as APPEND")
        } catch let e as BadCommand {
            #expect(e.tag == "c7")
        }
        buffer = ParseBuffer("c8 APPEND")
        #expect(throws: IncompleteMessage.self) { try GrammarParser.parseAppendStart(&buffer) }
    }

    @Test(
        "streamed message headers: success, incomplete, malformed",
        arguments: [
            ParseFixture<AppendMessageHeader>(
                " {3}\r\n", "abc", .success(AppendMessageHeader(options: AppendOptions(), length: 3))),
            ParseFixture<AppendMessageHeader>(
                " (\\Seen) ~{3}\r\n", "abc",
                .success(
                    AppendMessageHeader(
                        options: AppendOptions(flags: [.seen]), length: 3, isBinary: true))),
            ParseFixture<AppendMessageHeader>(" {3}", "", .incomplete),
            ParseFixture<AppendMessageHeader>(" (\\Seen", "", .incomplete),
            ParseFixture<AppendMessageHeader>("{3}\r\n", "", .failure),
            ParseFixture<AppendMessageHeader>(" {3x}\r\n", "", .failure),
            ParseFixture<AppendMessageHeader>(" {99999999999}\r\n", "", .overLimit(.literalSize)),
        ])
    func messageHeader(_ fixture: ParseFixture<AppendMessageHeader>) {
        fixture.check { try GrammarParser.parseAppendMessageHeader(&$0) }
    }

    @Test("a streamed message header encodes as it parses")
    func encodeHeader() {
        expectEncoded(" (\\Seen) \"17-Jul-1996 02:44:25 -0700\" ~{310}\r\n") {
            $0.writeAppendMessageHeader(
                AppendMessageHeader(
                    options: AppendOptions(flags: [.seen], internalDate: date(1996, 7, 17, 2, 44, 25, zone: -420)),
                    length: 310, isBinary: true))
        }
        expectEncoded(" {3+}\r\n", options: .clientLiteralPlus) {
            $0.writeAppendMessageHeader(AppendMessageHeader(options: AppendOptions(), length: 3))
        }
    }
}
