import Testing

@testable import IMAPWire

/// Every case of Response, UntaggedResponse, ResponseCode, ContinuationRequest and
/// MessageAttribute, encoded then parsed back.
@Suite struct ResponseRoundtripTests {
    static let codes: [ResponseCode] = [
        .alert, .badCharset([]), .badCharset(["UTF-8", "ISO-8859-1", "x y"]), .capability(["IMAP4rev1", "AUTH=PLAIN"]),
        .parse, .permanentFlags([.answered, .seen, Flag("$Forwarded"), .wildcard]), .permanentFlags([]), .readOnly,
        .readWrite, .tryCreate, .uidNext(4392), .uidValidity(3_857_529_045), .unseen(17), .unavailable,
        .authenticationFailed, .authorizationFailed, .expired, .privacyRequired, .contactAdmin, .noPerm, .inUse,
        .expungeIssued, .corruption, .serverBug, .clientBug, .cannot, .limit, .overQuota, .alreadyExists, .nonExistent,
        .appendUID(uidValidity: 38505, uids: SequenceSet(3955)),
        .appendUID(uidValidity: 38505, uids: SequenceSet([SequenceRange(3955...3957), SequenceRange(3960)])),
        .copyUID(
            uidValidity: 38505, source: SequenceSet([SequenceRange(304), SequenceRange(319...320)]),
            destination: SequenceSet([SequenceRange(3956...3958)])),
        .uidNotSticky, .highestModSeq(715_194_045_007), .noModSeq,
        .modified(SequenceSet([SequenceRange(7), SequenceRange(9)])),
        .closed, .metadataLongEntries(2199), .metadataMaxSize(1024), .metadataTooMany, .metadataNoPrivate,
        .mailboxID("F2212ea87-6097-4256-9d51-71338625"), .referral(["IMAP://user;AUTH=*@SERVER2/"]),
        .referral(["imap://a/", "imap://b/"]), .useAttr, .hasChildren, .notSaved, .compressionActive, .unknownCTE,
        .other(name: "X-SOMETHING", text: nil), .other(name: "XPROXY", text: "some [text"),
    ]

    static let attributes: [MessageAttribute] = [
        .flags([.seen, .recent, Flag("$Junk")]), .flags([]), .envelope(ResponseSamples.envelope),
        .envelope(ResponseSamples.groupEnvelope),
        .internalDate(ResponseSamples.date), .rfc822(octets("Subject: x\r\n\r\nbody\r\n")), .rfc822(nil),
        .rfc822Header(octets("Subject: x\r\n\r\n")), .rfc822Text(octets("")), .rfc822Size(4286), .rfc822Size(1 << 40),
        .body(ResponseSamples.textPart), .bodyStructure(ResponseSamples.bodyStructure),
        .bodySection(SectionSpecifier(), origin: nil, data: octets("whole\r\n")),
        .bodySection(SectionSpecifier(part: [1, 2], text: .mime), origin: 0, data: nil),
        .bodySection(
            SectionSpecifier(text: .headerFields(["DATE", "FROM", "x y"])), origin: nil, data: octets("Date: x\r\n\r\n")),
        .bodySection(SectionSpecifier(part: [3], text: .headerFieldsNot(["Received"])), origin: 1024, data: octets("")),
        .bodySection(SectionSpecifier(text: .header), origin: nil, data: octets("a")),
        .bodySection(SectionSpecifier(part: [4, 1], text: .text), origin: nil, data: octets("b")),
        .bodySection(SectionSpecifier(part: [2]), origin: nil, data: [0xFF, 0xFE, 0x00, 0x41]),
        .binary(section: [1, 2], data: [0x00, 0x01, 0x02]), .binary(section: [], data: octets("plain")),
        .binary(section: [3], data: nil),
        .binarySize(section: [1], size: 2000), .binarySize(section: [], size: 0), .uid(4_827_313), .modSeq(624_140_003),
        .emailID("M6d99ac3275bb4e"), .threadID("T64b478a75b7ea9"), .threadID(nil),
    ]

    static let inbox = MailboxName.inbox

    static let untagged: [UntaggedResponse] = [
        .state(.ok(ResponseText(code: .alert, text: "System shutdown in 10 minutes"))),
        .state(.no(ResponseText(text: "Disk is 98% full, please delete unnecessary data"))),
        .state(.bad(ResponseText(text: "Command line too long"))),
        .preauth(ResponseText(code: .capability(["IMAP4rev2"]), text: "logged in as Smith")),
        .bye(ResponseText(text: "Autologout; idle for too long")),
        .capability(["IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "XPIG-LATIN"]), .capability([]),
        .enabled(["CONDSTORE", "QRESYNC"]), .enabled([]),
        .flags([.answered, .flagged, .deleted, .seen, .draft]),
        .list(MailboxInfo(attributes: ["\\HasNoChildren"], delimiter: "/", name: inbox)),
        .list(
            MailboxInfo(
                attributes: [], delimiter: nil, name: MailboxName("a b"),
                extendedItems: [
                    .childInfo(["SUBSCRIBED"]), .oldName(MailboxName("Old")),
                    .other(tag: "X-ITEM", value: .list([.string(octets("a")), .list([.string(octets("b c"))])])),
                    .other(tag: "X-NUM", value: .number(5)),
                    .other(tag: "X-SET", value: .sequenceSet(SequenceSet([SequenceRange(1...5)]))),
                ])),
        .list(MailboxInfo(attributes: ["\\Noselect"], delimiter: "\\", name: MailboxName("~/Mail/foo"))),
        .lsub(MailboxInfo(attributes: [], delimiter: ".", name: MailboxName("#news.comp.mail.misc"))),
        .xlist(MailboxInfo(attributes: ["\\HasNoChildren", "\\Inbox"], delimiter: "/", name: inbox)),
        .status(
            MailboxName("blurdybloop"),
            [
                .messages(231), .recent(1), .uidNext(44292), .uidValidity(7), .unseen(3), .deleted(2), .size(1 << 33),
                .highestModSeq(90_060_115_205_545_359), .appendLimit(257_890), .appendLimit(nil), .mailboxID("F123"),
                .deletedStorage(12), .other(name: "X-FOO", value: 9),
            ]),
        .status(inbox, []),
        .search([2, 3, 6], modSeq: nil), .search([], modSeq: nil), .search([2, 5], modSeq: 917_162_500),
        .esearch(ESearchResponse(correlator: "A282", returnData: [.min(2), .count(3)])),
        .esearch(
            ESearchResponse(
                uid: true,
                returnData: [
                    .max(8), .all(SequenceSet([SequenceRange(2), SequenceRange(10...11)])), .modSeq(1236),
                    .other(name: "PARTIAL", value: .list([.string(octets("-1:-100")), .string(octets("201:300"))])),
                ])),
        .esearch(ESearchResponse(returnData: [])),
        .sort([2, 84, 882], modSeq: nil), .sort([], modSeq: 5),
        .thread([ThreadNode([2]), ThreadNode([3, 6], children: [ThreadNode([4, 23]), ThreadNode([44, 7, 96])])]),
        .thread([ThreadNode([], children: [ThreadNode([3]), ThreadNode([5])])]), .thread([]),
        .exists(23), .exists(0), .recent(5), .expunge(44),
        .vanished(earlier: true, uids: SequenceSet([SequenceRange(41), SequenceRange(43...116)])),
        .vanished(earlier: false, uids: SequenceSet(405, 407)),
        .fetch(12, [.flags([.seen]), .uid(42)]), .fetch(1, []),
        .namespace(
            NamespaceResponse(personal: [NamespaceDescription(prefix: "", delimiter: "/")], otherUsers: [], shared: [])),
        .namespace(
            NamespaceResponse(
                personal: [
                    NamespaceDescription(prefix: "", delimiter: "/"),
                    NamespaceDescription(
                        prefix: "#mh/", delimiter: "/",
                        extensions: [.init(name: "X-PARAM", values: ["FLAG1", "FLAG2"])]),
                ],
                otherUsers: [NamespaceDescription(prefix: "~", delimiter: nil)],
                shared: [
                    NamespaceDescription(prefix: "#shared/", delimiter: "/"),
                    NamespaceDescription(prefix: "#news.", delimiter: "."),
                ])),
        .id([IDField("name", "Cyrus"), IDField("version", "1.5"), IDField("os", nil)]), .id([]), .id(nil),
        .acl(
            inbox,
            [
                ACLIdentifierRights(identifier: "Fred", rights: "rwipsldexta"),
                ACLIdentifierRights(identifier: "-bob", rights: ""),
            ]),
        .acl(MailboxName("x"), []),
        .listRights(MailboxName("~/Mail/saved"), identifier: "smith", required: "la", optional: ["r", "swicdkxte"]),
        .listRights(inbox, identifier: "anyone", required: "", optional: []),
        .myRights(inbox, rights: "rwiptsldaex"),
        .quota(
            root: "",
            [
                QuotaUsage(resource: "STORAGE", usage: 10, limit: 512),
                QuotaUsage(resource: "MESSAGE", usage: 1, limit: 1 << 40),
            ]),
        .quota(root: "user.alice", []),
        .quotaRoot(inbox, roots: [""]), .quotaRoot(MailboxName("comp.mail.mime"), roots: []),
        .metadata(
            inbox,
            .values([
                .init(entry: "/private/comment", value: octets("My own comment")),
                .init(entry: "/shared/x", value: nil),
                .init(entry: "/shared/y", value: octets("two\r\nlines")), .init(entry: "/shared/z", value: [0, 1, 2]),
            ])),
        .metadata(MailboxName(""), .entries(["/shared/comment", "/shared/admin"])),
        .unknown(keyword: "XPIG-LATIN", data: octets("ow-nay eaking-spay ig-pay atin-lay")),
        .unknown(keyword: "XDATA", data: octets("a {3}\r\nb\r\n c")), .unknown(keyword: "XEMPTY", data: []),
    ]

    static let responses: [Response] =
        untagged.map { .untagged($0) }
        + codes.map { .tagged(TaggedResponse(tag: "A1", state: .ok(ResponseText(code: $0, text: "done")))) }
        + attributes.map { .untagged(.fetch(7, [$0, .uid(9)])) }
        + [
            .tagged(TaggedResponse(tag: "a001", state: .ok(ResponseText(text: "LOGIN completed")))),
            .tagged(TaggedResponse(tag: "A223", state: .no(ResponseText(text: "COPY failed: disk is full")))),
            .tagged(TaggedResponse(tag: "A044", state: .bad(ResponseText(code: .clientBug, text: "")))),
            .tagged(TaggedResponse(tag: "x]y", state: .ok(ResponseText(text: "")))),
            .continuation(.responseText(ResponseText(text: "Ready for additional command text"))),
            .continuation(.responseText(ResponseText(code: .alert, text: "go ahead"))),
            .continuation(.responseText(ResponseText(text: ""))),
            .continuation(.data(octets("challenge\u{0}\u{1}"))),
            .continuation(.data([0xFB, 0xFF])),
        ]

    @Test("every response survives encode then parse", arguments: responses)
    func roundtrip(_ response: Response) { expectResponseRoundtrip(response) }

    @Test("the table covers every case of every response enum")
    func coverage() {
        let all = Self.responses
        let untaggedSeen = Set(
            all.compactMap { r -> String? in if case .untagged(let u) = r { return u.caseName } else { return nil } })
        #expect(untaggedSeen == UntaggedResponse.allCaseNames)
        let codesSeen = Set(Self.codes.map(\.caseName))
        #expect(codesSeen == ResponseCode.allCaseNames)
        let attributesSeen = Set(Self.attributes.map(\.caseName))
        #expect(attributesSeen == MessageAttribute.allCaseNames)
        let kinds = Set(
            all.map { r -> String in
                switch r {
                case .untagged: return "untagged"
                case .tagged(let t):
                    switch t.state {
                    case .ok: return "tagged.ok"
                    case .no: return "tagged.no"
                    case .bad: return "tagged.bad"
                    }
                case .continuation(.responseText): return "continuation.text"
                case .continuation(.data): return "continuation.data"
                }
            })
        #expect(
            kinds == ["untagged", "tagged.ok", "tagged.no", "tagged.bad", "continuation.text", "continuation.data"])
    }

    @Test(
        "greetings survive encode then parse",
        arguments: [
            Greeting.ok(ResponseText(code: .capability(["IMAP4rev1", "STARTTLS"]), text: "murder ready")),
            Greeting.preauth(ResponseText(text: "IMAP4rev1 server logged in as Smith")),
            Greeting.bye(ResponseText(code: .unavailable, text: "go away")),
        ])
    func greeting(_ greeting: Greeting) throws {
        var out = EncodeBuffer(.server)
        let n = out.writeGreeting(greeting)
        #expect(n == out.bytes.count)
        var buffer = ParseBuffer(out.bytes, limits: .responses)
        #expect(try GrammarParser.parseGreeting(&buffer) == greeting)
        #expect(buffer.isAtEnd)
    }
}

// Exhaustive switches: adding a case without a round-trip entry fails the coverage test, and
// adding it here is forced by the compiler.
extension UntaggedResponse {
    static let allCaseNames: Set<String> = [
        "state", "preauth", "bye", "capability", "enabled", "flags", "list", "lsub", "xlist", "status", "search",
        "esearch", "sort", "thread", "exists", "recent", "expunge", "vanished", "fetch", "namespace", "id", "acl",
        "listRights", "myRights", "quota", "quotaRoot", "metadata", "unknown",
    ]

    var caseName: String {
        switch self {
        case .state: return "state"
        case .preauth: return "preauth"
        case .bye: return "bye"
        case .capability: return "capability"
        case .enabled: return "enabled"
        case .flags: return "flags"
        case .list: return "list"
        case .lsub: return "lsub"
        case .xlist: return "xlist"
        case .status: return "status"
        case .search: return "search"
        case .esearch: return "esearch"
        case .sort: return "sort"
        case .thread: return "thread"
        case .exists: return "exists"
        case .recent: return "recent"
        case .expunge: return "expunge"
        case .vanished: return "vanished"
        case .fetch: return "fetch"
        case .namespace: return "namespace"
        case .id: return "id"
        case .acl: return "acl"
        case .listRights: return "listRights"
        case .myRights: return "myRights"
        case .quota: return "quota"
        case .quotaRoot: return "quotaRoot"
        case .metadata: return "metadata"
        case .unknown: return "unknown"
        }
    }
}

extension ResponseCode {
    static let allCaseNames: Set<String> = [
        "alert", "badCharset", "capability", "parse", "permanentFlags", "readOnly", "readWrite", "tryCreate", "uidNext",
        "uidValidity", "unseen", "unavailable", "authenticationFailed", "authorizationFailed", "expired",
        "privacyRequired", "contactAdmin", "noPerm", "inUse", "expungeIssued", "corruption", "serverBug", "clientBug",
        "cannot", "limit", "overQuota", "alreadyExists", "nonExistent", "appendUID", "copyUID", "uidNotSticky",
        "highestModSeq", "noModSeq", "modified", "closed", "metadataLongEntries", "metadataMaxSize", "metadataTooMany",
        "metadataNoPrivate", "mailboxID", "referral", "useAttr", "hasChildren", "notSaved", "compressionActive",
        "unknownCTE", "other",
    ]

    var caseName: String {
        switch self {
        case .alert: return "alert"
        case .badCharset: return "badCharset"
        case .capability: return "capability"
        case .parse: return "parse"
        case .permanentFlags: return "permanentFlags"
        case .readOnly: return "readOnly"
        case .readWrite: return "readWrite"
        case .tryCreate: return "tryCreate"
        case .uidNext: return "uidNext"
        case .uidValidity: return "uidValidity"
        case .unseen: return "unseen"
        case .unavailable: return "unavailable"
        case .authenticationFailed: return "authenticationFailed"
        case .authorizationFailed: return "authorizationFailed"
        case .expired: return "expired"
        case .privacyRequired: return "privacyRequired"
        case .contactAdmin: return "contactAdmin"
        case .noPerm: return "noPerm"
        case .inUse: return "inUse"
        case .expungeIssued: return "expungeIssued"
        case .corruption: return "corruption"
        case .serverBug: return "serverBug"
        case .clientBug: return "clientBug"
        case .cannot: return "cannot"
        case .limit: return "limit"
        case .overQuota: return "overQuota"
        case .alreadyExists: return "alreadyExists"
        case .nonExistent: return "nonExistent"
        case .appendUID: return "appendUID"
        case .copyUID: return "copyUID"
        case .uidNotSticky: return "uidNotSticky"
        case .highestModSeq: return "highestModSeq"
        case .noModSeq: return "noModSeq"
        case .modified: return "modified"
        case .closed: return "closed"
        case .metadataLongEntries: return "metadataLongEntries"
        case .metadataMaxSize: return "metadataMaxSize"
        case .metadataTooMany: return "metadataTooMany"
        case .metadataNoPrivate: return "metadataNoPrivate"
        case .mailboxID: return "mailboxID"
        case .referral: return "referral"
        case .useAttr: return "useAttr"
        case .hasChildren: return "hasChildren"
        case .notSaved: return "notSaved"
        case .compressionActive: return "compressionActive"
        case .unknownCTE: return "unknownCTE"
        case .other: return "other"
        }
    }
}

extension MessageAttribute {
    static let allCaseNames: Set<String> = [
        "flags", "envelope", "internalDate", "rfc822", "rfc822Header", "rfc822Text", "rfc822Size", "body",
        "bodyStructure", "bodySection", "binary", "binarySize", "uid", "modSeq", "emailID", "threadID",
    ]

    var caseName: String {
        switch self {
        case .flags: return "flags"
        case .envelope: return "envelope"
        case .internalDate: return "internalDate"
        case .rfc822: return "rfc822"
        case .rfc822Header: return "rfc822Header"
        case .rfc822Text: return "rfc822Text"
        case .rfc822Size: return "rfc822Size"
        case .body: return "body"
        case .bodyStructure: return "bodyStructure"
        case .bodySection: return "bodySection"
        case .binary: return "binary"
        case .binarySize: return "binarySize"
        case .uid: return "uid"
        case .modSeq: return "modSeq"
        case .emailID: return "emailID"
        case .threadID: return "threadID"
        }
    }
}

@Suite struct ResponsePrefixTests {
    @Test(
        "every strict prefix of an encoded response is incomplete, never invalid",
        arguments: ResponseRoundtripTests.responses)
    func prefixes(_ response: Response) {
        let wire = encodedResponseBytes(response)
        for end in 0..<wire.count {
            var buffer = ParseBuffer(Array(wire[..<end]), limits: .responses)
            do {
                let r = try GrammarParser.parseResponse(&buffer)
                Issue.record(
                    "prefix of \(end) bytes parsed as \(r): \(String(decoding: wire, as: UTF8.self).debugDescription)")
                return
            } catch is IncompleteMessage {
                continue
            } catch {
                Issue.record(
                    "prefix of \(end) bytes threw \(error): \(String(decoding: wire[..<end], as: UTF8.self).debugDescription)"
                )
                return
            }
        }
    }

    @Test(
        "prefixes of loose server forms and of the RFC 3501 session are incomplete too",
        arguments:
            RFC3501SampleSessionTests.lines.map { $0.0 } + [
                "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n",
                "* THREAD (1) (2 (3) (4))\r\n", "* NAMESPACE ((\"\" \"/\") (\"#x/\" \"/\")) NIL NIL\r\n", "A1 OK\r\n",
                "* SEARCH 1 2 \r\n",
                "* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
                "* OK [UIDNEXT\r\n", "+\r\n", "* XFOO a {3}\r\nb\r\n c\r\n",
            ])
    func loosePrefixes(_ wire: String) {
        let bytes = octets(wire)
        for end in 0..<bytes.count {
            var buffer = ParseBuffer(Array(bytes[..<end]), limits: .responses)
            do {
                _ = try GrammarParser.parseResponse(&buffer)
                Issue.record("prefix of \(end) bytes parsed")
                return
            } catch is IncompleteMessage {
                continue
            } catch {
                Issue.record(
                    "prefix of \(end) bytes threw \(error): \(String(decoding: bytes[..<end], as: UTF8.self).debugDescription)"
                )
                return
            }
        }
        var whole = ParseBuffer(bytes, limits: .responses)
        #expect(throws: Never.self) { try GrammarParser.parseResponse(&whole) }
    }
}
