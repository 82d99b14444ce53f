import IMAPWire
import Testing

@testable import MUpdate

typealias ResponseFixture = MUpdateFixture<MUpdateResponse>

private let bob: InternalMailboxName = "user.bob"
private let backend = location("127.0.0.1:14143!default")
private let bobACL = acl("bob\tlrswipkxtecdan\t")

@Suite struct MUpdateResponseTests {
    @Test(
        "banner lines, quoted, literal or atoms",
        arguments: [
            ResponseFixture(
                "* AUTH \"PLAIN\" \"SCRAM-SHA-256\"\r\n", .success(.authMechanisms(["PLAIN", "SCRAM-SHA-256"]))),
            ResponseFixture("* AUTH\r\n", .success(.authMechanisms([]))),
            ResponseFixture("* AUTH PLAIN DIGEST-MD5\r\n", .success(.authMechanisms(["PLAIN", "DIGEST-MD5"]))),
            ResponseFixture("* auth {5}\r\nPLAIN\r\n", .success(.authMechanisms(["PLAIN"]))),
            ResponseFixture("* STARTTLS\r\n", .success(.startTLSAvailable)),
            ResponseFixture("* COMPRESS \"DEFLATE\"\r\n", .success(.compressAvailable(["DEFLATE"]))),
            ResponseFixture("* PARTIAL-UPDATE\r\n", .success(.partialUpdateAvailable)),
            ResponseFixture("* X-UPDATE-SINCE\n", .success(.updateSinceAvailable)),
            ResponseFixture(
                "* OK MUPDATE \"mupdate.example.com\" \"Murder\" \"0.1\" \"(master)\"\r\n",
                .success(.greeting(MUpdateGreeting(serverName: "mupdate.example.com", version: "0.1", role: .master)))),
            ResponseFixture(
                "* OK MUPDATE \"fe1\" \"Cyrus IMAP\" \"3.6.1\" \"mupdate://mupdate.example.com\"\r\n",
                .success(
                    .greeting(
                        MUpdateGreeting(
                            serverName: "fe1", implementation: "Cyrus IMAP", version: "3.6.1",
                            role: .replica(master: "mupdate.example.com"))))),
            ResponseFixture(
                "* OK MUPDATE {3+}\r\nsrv \"Cyrus Murder\" \"v2.1\" \"(slave)\"\r\n",
                .success(
                    .greeting(
                        MUpdateGreeting(
                            serverName: "srv", implementation: "Cyrus Murder", version: "v2.1", role: .other("(slave)"))
                    ))),
            ResponseFixture("* OK MUPDATE \"srv\"\r\n", .failure(nil)),
        ])
    func banner(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test(
        "unknown untagged lines are kept, literals included",
        arguments: [
            ResponseFixture("* OK ready\r\n", .success(.untagged("OK ready"))),
            ResponseFixture("* ID \"x\"\r\n", .success(.untagged("ID \"x\""))),
            ResponseFixture("* STARTTLS please\r\n", .success(.untagged("STARTTLS please"))),
            ResponseFixture("* AUTH \"PLAIN\" (x)\r\n", .success(.untagged("AUTH \"PLAIN\" (x)"))),
            ResponseFixture("* FOO {3}\r\nabc and more\r\n", .success(.untagged("FOO {3}\r\nabc and more"))),
            ResponseFixture("* FOO {3+}\r\nabc\r\n", .success(.untagged("FOO {3+}\r\nabc"))),
            ResponseFixture("* (odd)\r\n", .success(.untagged("(odd)"))),
            ResponseFixture("* FOO {3}\r\nab", .incomplete),
            ResponseFixture("*X\r\n", .failure(nil)),
        ])
    func unknownUntagged(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test(
        "BYE and untagged BAD, quoted or bare",
        arguments: [
            ResponseFixture("* BYE \"Server Unable\"\r\n", .success(.bye("Server Unable"))),
            ResponseFixture("* BYE \"too slow\"\r\n", .success(.bye("too slow"))),
            ResponseFixture(
                "* BYE idle for too long\r\n", .success(.bye(MUpdateText("idle for too long", form: .bare)))),
            ResponseFixture("* BYE\r\n", .success(.bye(MUpdateText("", form: .bare)))),
            ResponseFixture("* BAD \"Need command\"\r\n", .success(.untaggedBad("Need command"))),
            ResponseFixture("Q01 BYE \"bye\"\r\n", .success(.bye("bye"))),
        ])
    func bye(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test(
        "MAILBOX, RESERVE, DELETE and X-SEQ in every string form",
        arguments: [
            ResponseFixture(
                "X1 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n",
                .success(.mailbox(tag: "X1", name: bob, location: backend, acl: bobACL))),
            ResponseFixture(
                "X1 mailbox \"user.bob\" \"127.0.0.1:14143!default\" \"bob\tlrswipkxtecdan\t\"\r\n",
                .success(.mailbox(tag: "X1", name: bob, location: backend, acl: bobACL))),
            ResponseFixture(
                "X1 MAILBOX {8}\r\nuser.bob {23}\r\n127.0.0.1:14143!default {0}\r\n\r\n",
                .success(.mailbox(tag: "X1", name: bob, location: backend, acl: .empty))),
            ResponseFixture(
                "U01 RESERVE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n",
                .success(.reserve(tag: "U01", name: bob, location: backend))),
            ResponseFixture("U01 DELETE {8+}\r\nuser.bob\r\n", .success(.delete(tag: "U01", name: bob))),
            ResponseFixture("U01 DELETE \"user.bob\"\r\n", .success(.delete(tag: "U01", name: bob))),
            ResponseFixture(
                "U01 X-SEQ \"4f2a\" \"42\"\r\n", .success(.sequence(tag: "U01", epoch: "4f2a", sequence: 42))),
            ResponseFixture(
                "U01 X-SEQ {4+}\r\n4f2a {2+}\r\n42\r\n", .success(.sequence(tag: "U01", epoch: "4f2a", sequence: 42))),
            ResponseFixture("X1 MAILBOX \"user.bob\" \"a!b!c\" \"\"\r\n", .failure(nil)),
            ResponseFixture("X1 MAILBOX \"user.bob\" \"be1!p\" \"bob\"\r\n", .failure(nil)),
            ResponseFixture("X1 RESERVE \"user.bob\"\r\n", .failure(nil)),
            ResponseFixture("U01 X-SEQ \"e\" \"x\"\r\n", .failure(nil)),
            ResponseFixture("X1 FROB \"x\"\r\n", .failure("unknown response")),
        ])
    func data(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test(
        "completions: quoted, literal and bare texts",
        arguments: [
            ResponseFixture("X1 OK \"done\"\r\n", .success(.ok("X1", "done"))),
            ResponseFixture("Q01 OK \"bye-bye\"\r\n", .success(.ok("Q01", "bye-bye"))),
            ResponseFixture("X1 NO \"mailbox already exists\"\r\n", .success(.no("X1", "mailbox already exists"))),
            ResponseFixture("X1 BAD \"Unrecognized command\"\r\n", .success(.bad("X1", "Unrecognized command"))),
            ResponseFixture("X1 ok \"done\"\r\n", .success(.ok("X1", "done"))),
            ResponseFixture("X1 OK {4}\r\ndone\r\n", .success(.ok("X1", "done"))),
            ResponseFixture("X1 OK \"say \\\"hi\\\"\"\r\n", .success(.ok("X1", "say \"hi\""))),
            ResponseFixture(
                "S01 OK Begin TLS negotiation now\r\n", .success(.ok("S01", MUpdateResponseText.beginTLSNegotiation))),
            ResponseFixture("Z01 OK DEFLATE active\r\n", .success(.ok("Z01", MUpdateResponseText.deflateActive))),
            ResponseFixture(
                "A01 NO Error reading client response: \r\n",
                .success(.no("A01", MUpdateText("Error reading client response: ", form: .bare)))),
            ResponseFixture("X1 OK\r\n", .success(.ok("X1", MUpdateText("", form: .bare)))),
            ResponseFixture(
                "X1 OK \"done\" twice\r\n", .success(.ok("X1", MUpdateText("\"done\" twice", form: .bare)))),
            ResponseFixture("X1 OK \"done\r\n", .success(.ok("X1", MUpdateText("\"done", form: .bare)))),
        ])
    func completions(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test(
        "SASL challenges and continuation requests",
        arguments: [
            ResponseFixture("\r\n", .success(.saslChallenge(""))),
            ResponseFixture(
                "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n",
                .success(.saslChallenge("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"))),
            ResponseFixture("+abc/=\r\n", .success(.saslChallenge("+abc/="))),
            ResponseFixture("\"ZmMIGQ==\"\r\n", .success(.saslChallenge("ZmMIGQ=="))),
            ResponseFixture("{8}\r\nZmMIGQ==\r\n", .success(.saslChallenge("ZmMIGQ=="))),
            ResponseFixture("+ go ahead\r\n", .success(.continuationRequest("go ahead"))),
            ResponseFixture("+ ZmMIGQ==\r\n", .success(.continuationRequest("ZmMIGQ=="))),
            ResponseFixture("+\r\n", .success(.continuationRequest(""))),
            ResponseFixture("ab$c\r\n", .failure(nil)),
        ])
    func continuations(_ fixture: ResponseFixture) { fixture.check { try MUpdateParser.parseResponse(&$0) } }

    @Test("every response is written exactly as Cyrus's master writes it", arguments: cyrusMasterForms)
    func encoding(_ form: (MUpdateResponse, String)) {
        expectEncoded(form.1) { $0.writeMUpdateResponse(form.0) }
    }

    @Test("every response parses back to itself", arguments: cyrusMasterForms)
    func roundtrip(_ form: (MUpdateResponse, String)) throws {
        var encoded = EncodeBuffer(.server)
        encoded.writeMUpdateResponse(form.0)
        var buffer = ParseBuffer(encoded.bytes, limits: .mupdate)
        #expect(try MUpdateParser.parseResponse(&buffer) == form.0)
        #expect(buffer.isAtEnd)
    }

    @Test("every strict prefix of a response is incomplete", arguments: cyrusMasterForms)
    func prefixes(_ form: (MUpdateResponse, String)) {
        guard form.1 != "\r\n" else { return }
        ResponseFixture(form.1, .success(form.0)).checkPrefixesIncomplete { try MUpdateParser.parseResponse(&$0) }
    }

    @Test("a whole banner, dump and stream read from one buffer")
    func pipelined() throws {
        var buffer = ParseBuffer(cyrusMasterForms.map(\.1).joined(), limits: .mupdate)
        var parsed: [MUpdateResponse] = []
        while !buffer.isAtEnd { parsed.append(try MUpdateParser.parseResponse(&buffer)) }
        #expect(parsed == cyrusMasterForms.map(\.0))
    }

    @Test("texts that cannot be quoted are written with spaces instead of line breaks")
    func unquotableText() {
        expectEncoded("X1 NO \"a  b\"\r\n") { $0.writeMUpdateResponse(.no("X1", "a\r\nb")) }
        expectEncoded("X1 NO a b\r\n") { $0.writeMUpdateResponse(.no("X1", MUpdateText("a\nb", form: .bare))) }
    }

    @Test("the response classes")
    func classes() {
        #expect(MUpdateResponse.ok("X1", "done").tag == "X1")
        #expect(MUpdateResponse.delete(tag: "U1", name: bob).tag == "U1")
        #expect(MUpdateResponse.bye("x").tag == nil)
        #expect(MUpdateResponse.untagged("ID").isBanner)
        #expect(MUpdateResponse.partialUpdateAvailable.isBanner)
        #expect(!MUpdateResponse.bye("x").isBanner)
    }
}

/// One of every response, as Cyrus 3.6's master writes it (ours where it has no such line).
let cyrusMasterForms: [(MUpdateResponse, String)] = [
    (.authMechanisms(["PLAIN", "SCRAM-SHA-256"]), "* AUTH \"PLAIN\" \"SCRAM-SHA-256\"\r\n"),
    (.authMechanisms([]), "* AUTH\r\n"),
    (.startTLSAvailable, "* STARTTLS\r\n"),
    (.compressAvailable(["DEFLATE"]), "* COMPRESS \"DEFLATE\"\r\n"),
    (.partialUpdateAvailable, "* PARTIAL-UPDATE\r\n"),
    (.updateSinceAvailable, "* X-UPDATE-SINCE\r\n"),
    (
        .greeting(MUpdateGreeting(serverName: "mupdate.example.com", version: "0.1", role: .master)),
        "* OK MUPDATE \"mupdate.example.com\" \"Murder\" \"0.1\" \"(master)\"\r\n"
    ),
    (
        .greeting(
            MUpdateGreeting(serverName: "fe1:3905", version: "0.1", role: .replica(master: "mupdate.example.com"))),
        "* OK MUPDATE \"fe1:3905\" \"Murder\" \"0.1\" \"mupdate://mupdate.example.com\"\r\n"
    ),
    (.untagged("ID \"x\""), "* ID \"x\"\r\n"),
    (.bye(MUpdateResponseText.serverUnable), "* BYE \"Server Unable\"\r\n"),
    (.bye(MUpdateResponseText.tooSlow), "* BYE \"too slow\"\r\n"),
    (.untaggedBad(MUpdateResponseText.needCommand), "* BAD \"Need command\"\r\n"),
    (
        .mailbox(
            tag: "U01", name: "user.bob", location: location("127.0.0.1:14143!default"),
            acl: acl("bob\tlrswipkxtecdan\t")),
        "U01 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n"
    ),
    (
        .mailbox(tag: "U01", name: "shared.memo", location: location("be1!p1"), acl: .empty),
        "U01 MAILBOX {11+}\r\nshared.memo {6+}\r\nbe1!p1 {0+}\r\n\r\n"
    ),
    (
        .reserve(tag: "U01", name: "user.alice", location: location("127.0.0.1:14144!default")),
        "U01 RESERVE {10+}\r\nuser.alice {23+}\r\n127.0.0.1:14144!default\r\n"
    ),
    (.delete(tag: "U01", name: "user.bob.Trash"), "U01 DELETE {14+}\r\nuser.bob.Trash\r\n"),
    (.sequence(tag: "U02", epoch: "4f2a9c", sequence: 1_000_001), "U02 X-SEQ \"4f2a9c\" \"1000001\"\r\n"),
    (.ok("X1", MUpdateResponseText.done), "X1 OK \"done\"\r\n"),
    (.no("X1", MUpdateResponseText.mailboxAlreadyExists), "X1 NO \"mailbox already exists\"\r\n"),
    (.no("X1", MUpdateResponseText.mailboxNotCurrentlyActive), "X1 NO \"mailbox not currently active\"\r\n"),
    (.no("X1", MUpdateResponseText.mailboxDoesNotExist), "X1 NO \"mailbox doesn't exist\"\r\n"),
    (.ok("X1", MUpdateResponseText.searchCompleted), "X1 OK \"Search completed\"\r\n"),
    (.ok("X1", MUpdateResponseText.listComplete), "X1 OK \"list complete\"\r\n"),
    (.ok("U01", MUpdateResponseText.streamingStarts), "U01 OK \"streaming starts\"\r\n"),
    (.ok("N01", MUpdateResponseText.noopDone), "N01 OK \"Noop done\"\r\n"),
    (.ok("Q01", MUpdateResponseText.byeBye), "Q01 OK \"bye-bye\"\r\n"),
    (.ok("A01", MUpdateResponseText.authenticated), "A01 OK \"Authenticated\"\r\n"),
    (.ok("S01", MUpdateResponseText.beginTLSNegotiation), "S01 OK Begin TLS negotiation now\r\n"),
    (.ok("Z01", MUpdateResponseText.deflateActive), "Z01 OK DEFLATE active\r\n"),
    (.bad("X1", MUpdateResponseText.unrecognizedCommand), "X1 BAD \"Unrecognized command\"\r\n"),
    (.bad("X1", MUpdateResponseText.pleaseLoginFirst), "X1 BAD \"Please login first\"\r\n"),
    (.bad("X1", MUpdateResponseText.readOnlySession), "X1 BAD \"read-only session\"\r\n"),
    (.bad("X1", MUpdateResponseText.notLegalWhenStreaming), "X1 BAD \"not legal when streaming\"\r\n"),
    (.bad("A02", MUpdateResponseText.alreadyAuthenticated), "A02 BAD \"already authenticated\"\r\n"),
    (.bad("Z02", MUpdateResponseText.compressAlreadyActive), "Z02 BAD DEFLATE active via COMPRESS\r\n"),
    (.no("A01", MUpdateResponseText.authenticationCanceled), "A01 NO Client canceled authentication\r\n"),
    (.no("A01", "authentication failure"), "A01 NO \"authentication failure\"\r\n"),
    (.saslChallenge("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+"), "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n"),
    (.saslChallenge(""), "\r\n"),
    (.continuationRequest(MUpdateResponseText.goAhead), "+ go ahead\r\n"),
]
