import Testing

@testable import IMAPWire

/// Every ``Command`` case, encoded, parsed back and compared.
@Suite struct CommandRoundtripTests {
    static let message = AppendData(b("From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"))
    static let search = SearchKey.and([
        .or(.from(b("smith")), .not(.header("X-Spam", b("yes")))), .since(day(1994, 2, 1)), .uid(SequenceSet(1, 3)),
    ])

    static let commands: [Command] = [
        .capability,
        .noop,
        .logout,
        .id(nil),
        .id([IDParameter("name", "sodr"), IDParameter("os", nil)]),
        .startTLS,
        .authenticate(mechanism: "GSSAPI", initialResponse: nil),
        .authenticate(mechanism: "PLAIN", initialResponse: .empty),
        .authenticate(mechanism: "PLAIN", initialResponse: .base64("dGVzdAB0ZXN0AHRlc3Q=")),
        .login(username: b("fred"), password: b("pass word \"quoted\"")),
        .login(username: b("fred"), password: b("caf\u{e9}\r\n")),
        .enable(["CONDSTORE", "QRESYNC"]),
        .select(.inbox, []),
        .select(mb("Drafts"), [.condStore]),
        .examine(
            mb("Sent"),
            [
                .qresync(
                    QResyncParameters(
                        uidValidity: 67_890_007, modSeq: 90_060_115_194_045_000,
                        knownUIDs: SequenceSet([SequenceRange(41...211)]),
                        sequenceMatch: .init(sequenceNumbers: SequenceSet(1, 5), uids: SequenceSet(41, 99))))
            ]),
        .select(
            mb("a"), [.other(TaggedExtension("X-FOO", .list([.string(b("one")), .list([.string(b("two words"))])])))]),
        .create(mb("owatagusiam/"), partition: nil, []),
        .create(mb("Drafts"), partition: nil, [.use(["\\Drafts", "\\Sent"]), .partition("p2")]),
        .create(mb("user.fred.Archive"), partition: "default", []),
        .delete(mb("blurdybloop")),
        .rename(from: mb("blurdybloop"), to: mb("sarasoop"), partition: nil),
        .rename(from: mb("user.fred"), to: mb("user.fred"), partition: "backend2!p1"),
        .subscribe(mb("#news.comp.mail.mime")),
        .unsubscribe(mb("#news.comp.mail.mime")),
        .list(ListCommand(reference: "", pattern: "")),
        .list(
            ListCommand(
                selectOptions: [.subscribed, .recursiveMatch], reference: mb("~/Mail/"), patterns: [b("%"), b("a b*")],
                returnOptions: [.children, .subscribed, .specialUse, .myRights, .status([.messages, .unseen, .size])])),
        .lsub(reference: mb("#news."), pattern: b("comp.mail.*")),
        .xlist(reference: mb(""), pattern: b("*")),
        .namespace,
        .status(mb("blurdybloop"), StatusAttribute.allCases),
        .append(AppendCommand(mb("saved-messages"), [AppendMessage(data: message)])),
        .append(
            AppendCommand(
                mb("saved-messages"),
                [
                    AppendMessage(
                        options: AppendOptions(
                            flags: [.seen, Flag("$Forwarded")], internalDate: date(1994, 2, 7, 21, 52, 25, zone: -480)),
                        data: message),
                    AppendMessage(
                        options: AppendOptions(extensions: [TaggedExtension("X-EXT", .number(7))]),
                        data: AppendData([0, 1, 2, 255], isBinary: true)),
                ])),
        .localAppend(AppendCommand(mb("user.fred"), [AppendMessage(data: message)]), selected: nil),
        .localAppend(
            AppendCommand(mb("user.fred"), [AppendMessage(options: AppendOptions(flags: [.draft]), data: message)]),
            selected: mb("user.fred.Sent")),
        .idle,
        .compress(mechanism: "DEFLATE"),
        .getACL(.inbox),
        .setACL(mb("INBOX/Drafts"), identifier: "John", rights: RightsModification(.replace, "lrswicda")),
        .setACL(mb("INBOX/Drafts"), identifier: "Fred", rights: RightsModification(.add, "k")),
        .setACL(mb("INBOX/Drafts"), identifier: "-Fred", rights: RightsModification(.remove, "w")),
        .deleteACL(mb("INBOX/Drafts"), identifier: "Fred"),
        .listRights(mb("~/Mail/saved"), identifier: "smith"),
        .myRights(mb("TargetMailbox")),
        .getQuota(root: b("")),
        .getQuotaRoot(.inbox),
        .setQuota(
            root: b("user.fred"),
            [QuotaLimit(.storage, 512), QuotaLimit(.message, 1 << 40), QuotaLimit(QuotaResource("X-OTHER"), 0)]),
        .setQuota(root: b(""), []),
        .getMetadata([], mb(""), entries: ["/shared/vendor/cmu/cyrus-imapd/freespace/total"]),
        .getMetadata([.maxSize(1024), .depth(.infinity)], .inbox, entries: ["/shared/comment", "/private/comment"]),
        .setMetadata(
            .inbox,
            [
                MetadataEntryValue("/private/comment", .string(b("My new comment across\r\ntwo lines."))),
                MetadataEntryValue("/shared/comment", .nil),
                MetadataEntryValue("/private/blob", .binary([0, 13, 10, 0])),
            ]),
        .transfer(.put(owner: "user.bob", path: "mbox/6f1c-a2/1.eml", data: [0, 13, 10, 255, 0x7B])),
        .transfer(.put(owner: "user.bob", path: "index.sqlite", data: [])),
        .transfer(.commit(owner: "user.bob")),
        .transfer(.abort(owner: "shared")),
        .check,
        .close,
        .unselect,
        .expunge,
        .uidExpunge(SequenceSet([SequenceRange(3000...3002)])),
        .copy(SequenceSet([SequenceRange(2...4)]), mb("MEETING")),
        .uidCopy(.savedResult, mb("Trash")),
        .move(SequenceSet(1), mb("foo")),
        .uidMove(SequenceSet([SequenceRange(42...69)]), mb("foo")),
        .fetch(FetchCommand(SequenceSet(12), .full)),
        .fetch(FetchCommand(SequenceSet(12), .all)),
        .fetch(FetchCommand(SequenceSet(12), .fast)),
        .fetch(
            FetchCommand(
                SequenceSet([SequenceRange(2...4)]),
                .list([
                    .flags,
                    .bodySection(SectionSpecifier(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false),
                ]))),
        .uidFetch(
            FetchCommand(
                SequenceSet([SequenceRange(.number(300), .last)]),
                .list([
                    .envelope, .internalDate, .rfc822, .rfc822Header, .rfc822Size, .rfc822Text, .body, .bodyStructure,
                    .uid,
                    .bodySection(.complete, partial: Partial(offset: 0, length: 2048), peek: true),
                    .bodySection(SectionSpecifier(part: [1, 2], text: .mime), partial: nil, peek: true),
                    .bodySection(
                        SectionSpecifier(part: [3], text: .headerFieldsNot(["Received", "X Odd"])), partial: nil,
                        peek: false),
                    .bodySection(SectionSpecifier(part: [4, 1], text: .text), partial: nil, peek: false),
                    .bodySection(SectionSpecifier(text: .header), partial: nil, peek: false),
                    .bodySection(SectionSpecifier(part: [2]), partial: Partial(offset: 10, length: 1), peek: false),
                    .binary(part: [1, 1], partial: nil, peek: false),
                    .binary(part: [], partial: Partial(offset: 5, length: 6), peek: true),
                    .binarySize(part: [2]), .modSeq, .emailID, .threadID,
                ]), modifiers: [.changedSince(12345), .vanished])),
        .store(StoreCommand(SequenceSet([SequenceRange(2...4)]), StoreData(.add, [.deleted]))),
        .store(
            StoreCommand(
                SequenceSet(7, 5, 9), modifiers: [.unchangedSince(320_162_338)],
                StoreData(.add, silent: true, [.deleted]))),
        .uidStore(StoreCommand(SequenceSet(1), StoreData(.replace, []))),
        .uidStore(StoreCommand(SequenceSet(1), StoreData(.remove, silent: true, [.seen, Flag("$Junk")]))),
        .search(SearchCommand(.all)),
        .search(SearchCommand(returnOptions: [.min, .count], charset: "UTF-8", search)),
        .uidSearch(
            SearchCommand(returnOptions: [], .and([.text(b("caf\u{e9}")), .modSeq(.init(.draft, .all), 620_162_338)]))),
        .sort(SortCommand([SortCriterion(.subject), SortCriterion(.date, reverse: true)], charset: "UTF-8", .all)),
        .uidSort(SortCommand([SortCriterion(.arrival)], charset: "US-ASCII", search)),
        .thread(ThreadCommand(.orderedSubject, charset: "UTF-8", .since(day(2000, 3, 5)))),
        .uidThread(ThreadCommand(.other("REFS"), charset: "UTF-8", .emailID("M6d99ac3275bb4e"))),
    ]

    @Test("every command encodes and parses back to itself", arguments: commands)
    func roundtrip(_ command: Command) {
        expectRoundtrip(TaggedCommand(tag: "A1", command: command))
    }

    @Test("every command round-trips with LITERAL+ and synchronising literals", arguments: commands)
    func roundtripClientModes(_ command: Command) {
        expectRoundtrip(TaggedCommand(tag: "x.9", command: command), options: .clientLiteralPlus)
        expectRoundtrip(TaggedCommand(tag: "x.9", command: command), options: .client)
    }

    @Test("every proper prefix of a command frame is incomplete, never a syntax error", arguments: commands)
    func prefixes(_ command: Command) {
        var encoder = EncodeBuffer(.server)
        encoder.writeTaggedCommand(TaggedCommand(tag: "A1", command: command))
        for length in 0..<encoder.bytes.count {
            var buffer = ParseBuffer(Array(encoder.bytes[..<length]))
            #expect(throws: IncompleteMessage.self, "prefix \(length) of \(encoder.string.debugDescription)") {
                try GrammarParser.parseTaggedCommand(&buffer)
            }
        }
    }

    @Test("LITERAL- writes {n+} up to 4096 octets and a synchronising literal above")
    func literalMinus() {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 4097)
        let tagged = TaggedCommand(
            tag: "A1",
            command: .append(
                AppendCommand(
                    .inbox,
                    [
                        AppendMessage(data: AppendData(b("abc"))), AppendMessage(data: AppendData(big)),
                    ])))
        var encoder = EncodeBuffer(EncodingOptions(literalMode: .nonSynchronizingUpTo4096))
        encoder.writeTaggedCommand(tagged)
        #expect(encoder.chunks.map(\.count) == [34, 4099])
        #expect(encoder.string.hasPrefix("A1 APPEND INBOX {3+}\r\nabc {4097}\r\n"))
        expectRoundtrip(tagged, options: EncodingOptions(literalMode: .nonSynchronizingUpTo4096))
    }

    @Test("the table covers every case of Command")
    func coverage() {
        let covered = Set(Self.commands.map(Self.caseName))
        #expect(covered == Set(Self.allCaseNames), "missing: \(Set(Self.allCaseNames).subtracting(covered))")
    }

    @Test("synchronising literals leave a stop point after each literal header")
    func stopPoints() {
        var encoder = EncodeBuffer(.client)
        encoder.writeTaggedCommand(
            TaggedCommand(
                tag: "A1",
                command: .append(
                    AppendCommand(
                        .inbox,
                        [
                            AppendMessage(data: AppendData(b("abc"))),
                            AppendMessage(data: AppendData(b("de"), isBinary: true)),
                        ]))))
        #expect(
            encoder.chunks.map { String(decoding: $0, as: UTF8.self) } == [
                "A1 APPEND INBOX {3}\r\n", "abc ~{2}\r\n", "de\r\n",
            ])
    }

    static let allCaseNames = [
        "capability", "noop", "logout", "id", "startTLS", "authenticate", "login", "enable", "select", "examine",
        "create", "delete", "rename", "subscribe", "unsubscribe", "list", "lsub", "xlist", "namespace", "status",
        "append", "localAppend", "idle", "compress", "getACL", "setACL", "deleteACL", "listRights", "myRights",
        "getQuota", "getQuotaRoot", "setQuota", "getMetadata", "setMetadata", "transfer", "check", "close", "unselect",
        "expunge", "uidExpunge", "copy", "uidCopy", "move", "uidMove", "fetch", "uidFetch", "store", "uidStore",
        "search", "uidSearch", "sort", "uidSort", "thread", "uidThread",
    ]

    /// The case's name; the switch has no default, so a new case fails to compile here.
    static func caseName(_ command: Command) -> String {
        switch command {
        case .capability: return "capability"
        case .noop: return "noop"
        case .logout: return "logout"
        case .id: return "id"
        case .startTLS: return "startTLS"
        case .authenticate: return "authenticate"
        case .login: return "login"
        case .enable: return "enable"
        case .select: return "select"
        case .examine: return "examine"
        case .create: return "create"
        case .delete: return "delete"
        case .rename: return "rename"
        case .subscribe: return "subscribe"
        case .unsubscribe: return "unsubscribe"
        case .list: return "list"
        case .lsub: return "lsub"
        case .xlist: return "xlist"
        case .namespace: return "namespace"
        case .status: return "status"
        case .append: return "append"
        case .localAppend: return "localAppend"
        case .idle: return "idle"
        case .compress: return "compress"
        case .getACL: return "getACL"
        case .setACL: return "setACL"
        case .deleteACL: return "deleteACL"
        case .listRights: return "listRights"
        case .myRights: return "myRights"
        case .getQuota: return "getQuota"
        case .getQuotaRoot: return "getQuotaRoot"
        case .setQuota: return "setQuota"
        case .getMetadata: return "getMetadata"
        case .setMetadata: return "setMetadata"
        case .transfer: return "transfer"
        case .check: return "check"
        case .close: return "close"
        case .unselect: return "unselect"
        case .expunge: return "expunge"
        case .uidExpunge: return "uidExpunge"
        case .copy: return "copy"
        case .uidCopy: return "uidCopy"
        case .move: return "move"
        case .uidMove: return "uidMove"
        case .fetch: return "fetch"
        case .uidFetch: return "uidFetch"
        case .store: return "store"
        case .uidStore: return "uidStore"
        case .search: return "search"
        case .uidSearch: return "uidSearch"
        case .sort: return "sort"
        case .uidSort: return "uidSort"
        case .thread: return "thread"
        case .uidThread: return "uidThread"
        }
    }
}
