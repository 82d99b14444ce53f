import IMAPWire
import Testing

@testable import MUpdate

typealias CommandFixture = MUpdateFixture<MUpdateCommand>

func command(_ tag: String, _ kind: MUpdateCommand.Kind) -> CommandFixture.Expected {
    .success(MUpdateCommand(tag: tag, kind))
}

private let bob: InternalMailboxName = "user.bob"
private let backend = location("127.0.0.1:14143!default")
private let bobACL = acl("bob\tlrswipkxtecdan\t")

@Suite struct MUpdateCommandTests {
    @Test(
        "AUTHENTICATE: quoted or atom mechanism, initial response quoted, literal or =",
        arguments: [
            CommandFixture(
                "A01 AUTHENTICATE \"PLAIN\"\r\n",
                command("A01", .authenticate(mechanism: "PLAIN", initialResponse: nil))),
            CommandFixture(
                "A01 AUTHENTICATE \"PLAIN\" {12+}\r\nAGJvYgBzZWNy\r\n",
                command("A01", .authenticate(mechanism: "PLAIN", initialResponse: "AGJvYgBzZWNy"))),
            CommandFixture(
                "A01 AUTHENTICATE \"PLAIN\" {12}\r\nAGJvYgBzZWNy\r\n",
                command("A01", .authenticate(mechanism: "PLAIN", initialResponse: "AGJvYgBzZWNy"))),
            CommandFixture(
                "a1 authenticate {13}\r\nSCRAM-SHA-256 \"biws\"\r\n",
                command("a1", .authenticate(mechanism: "SCRAM-SHA-256", initialResponse: "biws"))),
            CommandFixture(
                "A1 Authenticate PLAIN \"=\"\r\n", command("A1", .authenticate(mechanism: "PLAIN", initialResponse: ""))
            ),
            CommandFixture(
                "A1 AUTHENTICATE \"PLAIN\" =\r\n", command("A1", .authenticate(mechanism: "PLAIN", initialResponse: ""))
            ),
            CommandFixture(
                "A1 AUTHENTICATE \"PLAIN\" {1+}\r\n=\r\n",
                command("A1", .authenticate(mechanism: "PLAIN", initialResponse: ""))),
            CommandFixture(
                "A1 AUTHENTICATE \"PLAIN\"\n", command("A1", .authenticate(mechanism: "PLAIN", initialResponse: nil))),
            CommandFixture("A1 AUTHENTICATE\r\n", .bad(tag: "A1", reason: "Missing arguments")),
            CommandFixture("A1 AUTHENTICATE \"\"\r\n", .bad(tag: "A1", reason: "Badly formed arguments")),
            CommandFixture(
                "A1 AUTHENTICATE \"PLAIN\" \"not base64!\"\r\n", .bad(tag: "A1", reason: "Badly formed arguments")),
            CommandFixture("A1 AUTHENTICATE \"PLAIN\" \"AA==\" x\r\n", .bad(tag: "A1", reason: "Extra arguments")),
        ])
    func authenticate(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test(
        "STARTTLS, COMPRESS, NOOP, LOGOUT in any case",
        arguments: [
            CommandFixture("S01 STARTTLS\r\n", command("S01", .startTLS)),
            CommandFixture("s01 starttls\r\n", command("s01", .startTLS)),
            CommandFixture("Z01 COMPRESS \"DEFLATE\"\r\n", command("Z01", .compress(algorithm: "DEFLATE"))),
            CommandFixture("Z01 compress deflate\r\n", command("Z01", .compress(algorithm: "deflate"))),
            CommandFixture("Z01 COMPRESS {7+}\r\nDEFLATE\r\n", command("Z01", .compress(algorithm: "DEFLATE"))),
            CommandFixture("N01 NOOP\r\n", command("N01", .noop)),
            CommandFixture("N01 NoOp\r\n", command("N01", .noop)),
            CommandFixture("Q01 LOGOUT\r\n", command("Q01", .logout)),
            CommandFixture("Q01 logout\n", command("Q01", .logout)),
            CommandFixture("S01 STARTTLS now\r\n", .bad(tag: "S01", reason: "Extra arguments")),
            CommandFixture("N01 NOOP \r\n", .bad(tag: "N01", reason: "Extra arguments")),
            CommandFixture("Z01 COMPRESS\r\n", .bad(tag: "Z01", reason: "Missing arguments")),
        ])
    func simple(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test(
        "RESERVE, ACTIVATE, DEACTIVATE with quoted and literal arguments",
        arguments: [
            CommandFixture(
                "X1 RESERVE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n",
                command("X1", .reserve(name: bob, location: backend))),
            CommandFixture(
                "X1 reserve \"user.bob\" \"127.0.0.1:14143!default\"\r\n",
                command("X1", .reserve(name: bob, location: backend))),
            CommandFixture(
                "X1 RESERVE {8}\r\nuser.bob \"127.0.0.1:14143!default\"\r\n",
                command("X1", .reserve(name: bob, location: backend))),
            CommandFixture(
                "X2 ACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n",
                command("X2", .activate(name: bob, location: backend, acl: bobACL))),
            CommandFixture(
                "X2 Activate \"user.bob\" \"127.0.0.1:14143!default\" \"bob\tlrswipkxtecdan\t\"\r\n",
                command("X2", .activate(name: bob, location: backend, acl: bobACL))),
            CommandFixture(
                "X2 ACTIVATE \"user.bob\" \"127.0.0.1:14143!default\" {0+}\r\n\r\n",
                command("X2", .activate(name: bob, location: backend, acl: .empty))),
            CommandFixture(
                "X3 DEACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n",
                command("X3", .deactivate(name: bob, location: backend))),
            CommandFixture(
                "X1 RESERVE \"user.bob\" \"backend1\"\r\n",
                command("X1", .reserve(name: bob, location: location("backend1")))),
            CommandFixture("X1 RESERVE \"user.bob\"\r\n", .bad(tag: "X1", reason: "Missing arguments")),
            CommandFixture("X1 RESERVE \"user.bob\" \"a!b!c\"\r\n", .bad(tag: "X1", reason: "Badly formed arguments")),
            CommandFixture("X1 RESERVE \"user.bob\" \"\"\r\n", .bad(tag: "X1", reason: "Badly formed arguments")),
            CommandFixture("X1 RESERVE \"\" \"backend1!p\"\r\n", .bad(tag: "X1", reason: "Badly formed arguments")),
            CommandFixture("X1 RESERVE user.bob \"backend1!p\"\r\n", .bad(tag: "X1", reason: "Badly formed arguments")),
            CommandFixture(
                "X1 RESERVE \"user.bob\" \"backend1!p\" \"x\"\r\n", .bad(tag: "X1", reason: "Extra arguments")),
            CommandFixture(
                "X2 ACTIVATE \"user.bob\" \"backend1!p\" \"bob\tlrs\"\r\n",
                .bad(tag: "X2", reason: "Badly formed arguments")),
            CommandFixture(
                "X2 ACTIVATE \"user.bob\" \"backend1!p\" \"bob\tlrsZ\t\"\r\n",
                .bad(tag: "X2", reason: "Badly formed arguments")),
            CommandFixture("X2 ACTIVATE \"user.bob\" \"backend1!p\"\r\n", .bad(tag: "X2", reason: "Missing arguments")),
        ])
    func setCommands(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test(
        "DELETE, FIND, LIST",
        arguments: [
            CommandFixture("X4 DELETE {8+}\r\nuser.bob\r\n", command("X4", .delete(name: bob))),
            CommandFixture("X4 delete \"user.bob\"\r\n", command("X4", .delete(name: bob))),
            CommandFixture("X5 FIND {8+}\r\nuser.bob\r\n", command("X5", .find(name: bob))),
            CommandFixture("X5 FIND \"user.john^doe\"\r\n", command("X5", .find(name: "user.john^doe"))),
            CommandFixture("X6 LIST\r\n", command("X6", .list(prefix: nil))),
            CommandFixture("X6 LIST {16+}\r\n127.0.0.1:14143!\r\n", command("X6", .list(prefix: "127.0.0.1:14143!"))),
            CommandFixture("X6 list \"backend1\"\r\n", command("X6", .list(prefix: "backend1"))),
            CommandFixture("X6 LIST \"\"\r\n", command("X6", .list(prefix: ""))),
            CommandFixture("X4 DELETE\r\n", .bad(tag: "X4", reason: "Missing arguments")),
            CommandFixture("X5 FIND \"a\" \"b\"\r\n", .bad(tag: "X5", reason: "Extra arguments")),
            CommandFixture("X6 LIST backend1\r\n", .bad(tag: "X6", reason: "Badly formed arguments")),
        ])
    func lookups(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test(
        "UPDATE, PARTIAL-UPDATE and UPDATE SINCE",
        arguments: [
            CommandFixture("U01 UPDATE\r\n", command("U01", .update(servers: []))),
            CommandFixture("U01 update \"srv1\"\r\n", command("U01", .update(servers: ["srv1"]))),
            CommandFixture(
                "U01 UPDATE \"srv1\" {14+}\r\n127.0.0.1:2143 \"srv3\"\r\n",
                command("U01", .update(servers: ["srv1", "127.0.0.1:2143", "srv3"]))),
            CommandFixture(
                "U01 UPDATE SINCE \"4f2a\" \"18446744073709551615\"\r\n",
                command("U01", .updateSince(epoch: "4f2a", sequence: .max))),
            CommandFixture(
                "U01 UPDATE since {4+}\r\n4f2a {1+}\r\n0\r\n", command("U01", .updateSince(epoch: "4f2a", sequence: 0))),
            CommandFixture("U01 UPDATE \"\"\r\n", .bad(tag: "U01", reason: "Badly formed arguments")),
            CommandFixture("U01 UPDATE srv1\r\n", .bad(tag: "U01", reason: "Badly formed arguments")),
            CommandFixture("U01 UPDATE \"srv1\" \r\n", .bad(tag: "U01", reason: "Badly formed arguments")),
            CommandFixture("U01 UPDATE SINCE \"e\"\r\n", .bad(tag: "U01", reason: "Missing arguments")),
            CommandFixture("U01 UPDATE SINCE \"e\" \"-1\"\r\n", .bad(tag: "U01", reason: "Badly formed arguments")),
            CommandFixture(
                "U01 UPDATE SINCE \"e\" \"18446744073709551616\"\r\n",
                .bad(tag: "U01", reason: "Badly formed arguments")),
            CommandFixture("U01 UPDATE SINCE \"\" \"1\"\r\n", .bad(tag: "U01", reason: "Badly formed arguments")),
        ])
    func update(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test("PARTIAL-UPDATE takes 30 servers, as literals too, and refuses a 31st")
    func partialUpdateBound() {
        let names = (1...31).map { "srv\($0)" }
        let literals = names.map { "{\($0.utf8.count)+}\r\n\($0)" }
        CommandFixture(
            "U1 UPDATE " + literals.prefix(30).joined(separator: " ") + "\r\n",
            command("U1", .update(servers: Array(names.prefix(30))))
        ).check { try MUpdateParser.parseCommand(&$0) }
        CommandFixture(
            "U1 UPDATE " + names.map { "\"\($0)\"" }.joined(separator: " ") + "\r\n",
            .bad(tag: "U1", reason: "Extra arguments")
        ).check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test(
        "unknown, empty and untagged commands",
        arguments: [
            CommandFixture("X1 SELECT \"INBOX\"\r\n", .bad(tag: "X1", reason: "Unrecognized command")),
            CommandFixture("X1 XYZZY\r\n", .bad(tag: "X1", reason: "Unrecognized command")),
            CommandFixture("X1 \r\n", .bad(tag: "X1", reason: "Null command")),
            CommandFixture("X1\r\n", .bad(tag: "X1", reason: "Need command")),
            CommandFixture("\r\n", .bad(tag: nil, reason: "expected tag")),
            CommandFixture("+tag NOOP\r\n", .bad(tag: nil, reason: "expected tag")),
        ])
    func unknown(_ fixture: CommandFixture) { fixture.check { try MUpdateParser.parseCommand(&$0) } }

    @Test("every strict prefix of a command is incomplete", arguments: commandFrames)
    func prefixes(_ frame: String) {
        let parsed = try? {
            var b = ParseBuffer(frame, limits: .mupdate)
            return try MUpdateParser.parseCommand(&b)
        }()
        guard let parsed else {
            Issue.record("\(frame.debugDescription) does not parse")
            return
        }
        CommandFixture(frame, .success(parsed)).checkPrefixesIncomplete { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("pipelined commands in one buffer parse one after the other")
    func pipelined() throws {
        var buffer = ParseBuffer(commandFrames.joined(), limits: .mupdate)
        var parsed: [MUpdateCommand] = []
        while !buffer.isAtEnd { parsed.append(try MUpdateParser.parseCommand(&buffer)) }
        #expect(parsed.count == commandFrames.count)
        #expect(parsed.map(\.tag) == commandFrames.map { String($0.prefix { $0 != " " }) })
    }

    @Test("a refused command leaves the next frame readable once the caller skips its line")
    func resyncAfterError() throws {
        var buffer = ParseBuffer("X1 BOGUS\r\nX2 NOOP\r\n", limits: .mupdate)
        #expect(throws: BadCommand.self) { try MUpdateParser.parseCommand(&buffer) }
        buffer.index = 10
        #expect(try MUpdateParser.parseCommand(&buffer) == MUpdateCommand(tag: "X2", .noop))
    }

    @Test("Cyrus client forms are written exactly", arguments: cyrusClientForms)
    func encoding(_ form: (MUpdateCommand, String)) {
        expectEncoded(form.1) { $0.writeMUpdateCommand(form.0) }
    }

    @Test("the literal form does not depend on the buffer's options")
    func encodingOptions() {
        for options in [EncodingOptions.client, .clientLiteralPlus, .server] {
            expectEncoded("X1 DELETE {8+}\r\nuser.bob\r\n", options: options) {
                $0.writeMUpdateCommand(MUpdateCommand(tag: "X1", .delete(name: bob)))
            }
        }
        var buffer = EncodeBuffer(.client)
        buffer.writeMUpdateCommand(MUpdateCommand(tag: "X1", .delete(name: bob)))
        #expect(buffer.stopPoints.isEmpty)
        #expect(buffer.options == .client)
    }

    @Test("command classes used by the session rules")
    func classes() {
        let kinds: [MUpdateCommand.Kind] = [
            .authenticate(mechanism: "PLAIN", initialResponse: nil), .startTLS, .compress(algorithm: "DEFLATE"),
            .reserve(name: bob, location: backend), .activate(name: bob, location: backend, acl: bobACL),
            .deactivate(name: bob, location: backend), .delete(name: bob), .find(name: bob), .list(prefix: nil),
            .update(servers: []), .updateSince(epoch: "e", sequence: 1), .noop, .logout,
        ]
        #expect(
            kinds.filter(\.isAllowedBeforeAuthentication).map(\.name) == [
                "AUTHENTICATE", "STARTTLS", "COMPRESS", "LOGOUT",
            ])
        #expect(kinds.filter(\.isWrite).map(\.name) == ["RESERVE", "ACTIVATE", "DEACTIVATE", "DELETE"])
        #expect(kinds.filter(\.isAllowedWhileStreaming).map(\.name) == ["NOOP", "LOGOUT"])
    }
}

/// One frame of every command, in several forms.
let commandFrames: [String] = [
    "A01 AUTHENTICATE \"PLAIN\" {12+}\r\nAGJvYgBzZWNy\r\n",
    "A02 AUTHENTICATE \"PLAIN\"\r\n",
    "S01 STARTTLS\r\n",
    "Z01 COMPRESS \"DEFLATE\"\r\n",
    "X1 RESERVE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n",
    "X2 ACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n",
    "X3 DEACTIVATE \"user.bob\" {23}\r\n127.0.0.1:14143!default\r\n",
    "X4 DELETE {8+}\r\nuser.bob\r\n",
    "X5 FIND \"user.bob\"\r\n",
    "X6 LIST\r\n",
    "X7 LIST {16+}\r\n127.0.0.1:14143!\r\n",
    "U01 UPDATE\r\n",
    "U02 UPDATE \"srv1\" \"srv2\"\r\n",
    "U03 UPDATE SINCE \"4f2a\" \"42\"\r\n",
    "N01 NOOP\r\n",
    "Q01 LOGOUT\r\n",
]

/// What Cyrus's `mupdate-client.c` and `saslclient.c` send, and what we send for our extensions.
let cyrusClientForms: [(MUpdateCommand, String)] = [
    (
        MUpdateCommand(tag: "A01", .authenticate(mechanism: "PLAIN", initialResponse: "AGJvYgBzZWNy")),
        "A01 AUTHENTICATE \"PLAIN\" {12+}\r\nAGJvYgBzZWNy\r\n"
    ),
    (
        MUpdateCommand(tag: "A01", .authenticate(mechanism: "GSSAPI", initialResponse: nil)),
        "A01 AUTHENTICATE \"GSSAPI\"\r\n"
    ),
    (
        MUpdateCommand(tag: "A01", .authenticate(mechanism: "EXTERNAL", initialResponse: "")),
        "A01 AUTHENTICATE \"EXTERNAL\" {1+}\r\n=\r\n"
    ),
    (MUpdateCommand(tag: "S01", .startTLS), "S01 STARTTLS\r\n"),
    (MUpdateCommand(tag: "Z01", .compress(algorithm: "DEFLATE")), "Z01 COMPRESS \"DEFLATE\"\r\n"),
    (
        MUpdateCommand(tag: "X1", .reserve(name: "user.bob", location: location("127.0.0.1:14143!default"))),
        "X1 RESERVE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n"
    ),
    (
        MUpdateCommand(
            tag: "X2",
            .activate(
                name: "user.bob", location: location("127.0.0.1:14143!default"), acl: acl("bob\tlrswipkxtecdan\t"))),
        "X2 ACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n"
    ),
    (
        MUpdateCommand(tag: "X3", .activate(name: "shared.memo", location: location("be1!p1"), acl: .empty)),
        "X3 ACTIVATE {11+}\r\nshared.memo {6+}\r\nbe1!p1 {0+}\r\n\r\n"
    ),
    (
        MUpdateCommand(tag: "X4", .deactivate(name: "user.bob", location: location("127.0.0.1:14143!default"))),
        "X4 DEACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default\r\n"
    ),
    (MUpdateCommand(tag: "X5", .delete(name: "user.bob")), "X5 DELETE {8+}\r\nuser.bob\r\n"),
    (MUpdateCommand(tag: "X6", .find(name: "user.bob")), "X6 FIND {8+}\r\nuser.bob\r\n"),
    (MUpdateCommand(tag: "X7", .list(prefix: nil)), "X7 LIST\r\n"),
    (MUpdateCommand(tag: "X8", .list(prefix: "127.0.0.1:14143!")), "X8 LIST {16+}\r\n127.0.0.1:14143!\r\n"),
    (MUpdateCommand(tag: "U01", .update(servers: [])), "U01 UPDATE\r\n"),
    (MUpdateCommand(tag: "U02", .update(servers: ["srv1", "srv2"])), "U02 UPDATE \"srv1\" \"srv2\"\r\n"),
    (MUpdateCommand(tag: "U03", .updateSince(epoch: "4f2a", sequence: 42)), "U03 UPDATE SINCE \"4f2a\" \"42\"\r\n"),
    (MUpdateCommand(tag: "N01", .noop), "N01 NOOP\r\n"),
    (MUpdateCommand(tag: "Q01", .logout), "Q01 LOGOUT\r\n"),
]
