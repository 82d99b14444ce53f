import IMAPWire
import Testing

@testable import MUpdate

/// Whole conversations in the forms Cyrus 3.6 uses (SPEC.md §13), each read from one buffer the
/// way pipelined bytes arrive.
@Suite struct CyrusTranscriptTests {
    /// What a Cyrus backend sends to register a new mailbox, then what `ctl_mboxlist -m` and a
    /// Cyrus frontend's list replica send.
    static let cyrusClientBytes =
        "A01 AUTHENTICATE \"PLAIN\" {20+}\r\nAG11cGRhdGUAc2VjcmV0\r\n"
        + "X1 RESERVE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default\r\n"
        + "X2 ACTIVATE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default {21+}\r\ncarol\tlrswipkxtecdan\t\r\n"
        + "X3 LIST {16+}\r\n127.0.0.1:14143!\r\n"
        + "X4 FIND {10+}\r\nuser.carol\r\n"
        + "X5 DELETE {14+}\r\nuser.carol.old\r\n"
        + "U01 UPDATE\r\n"
        + "N7 NOOP\r\n"
        + "Q01 LOGOUT\r\n"

    @Test("a Cyrus backend, ctl_mboxlist and a frontend, as the master reads them")
    func clientSide() throws {
        let carol: InternalMailboxName = "user.carol"
        let backend = location("127.0.0.1:14143!default")
        let expected: [MUpdateCommand] = [
            MUpdateCommand(tag: "A01", .authenticate(mechanism: "PLAIN", initialResponse: "AG11cGRhdGUAc2VjcmV0")),
            MUpdateCommand(tag: "X1", .reserve(name: carol, location: backend)),
            MUpdateCommand(tag: "X2", .activate(name: carol, location: backend, acl: acl("carol\tlrswipkxtecdan\t"))),
            MUpdateCommand(tag: "X3", .list(prefix: "127.0.0.1:14143!")),
            MUpdateCommand(tag: "X4", .find(name: carol)),
            MUpdateCommand(tag: "X5", .delete(name: "user.carol.old")),
            MUpdateCommand(tag: "U01", .update(servers: [])),
            MUpdateCommand(tag: "N7", .noop),
            MUpdateCommand(tag: "Q01", .logout),
        ]
        var buffer = ParseBuffer(Self.cyrusClientBytes, limits: .mupdate)
        var parsed: [MUpdateCommand] = []
        while !buffer.isAtEnd { parsed.append(try MUpdateParser.parseCommand(&buffer)) }
        #expect(parsed == expected)

        // And we write those commands byte for byte as Cyrus does.
        var encoded = EncodeBuffer(.client)
        for command in expected { encoded.writeMUpdateCommand(command) }
        #expect(encoded.string == Self.cyrusClientBytes)
    }

    /// What a Cyrus 3.6 master sends a list replica: banner, authentication, dump, stream.
    static let cyrusMasterBytes =
        "* AUTH \"PLAIN\" \"DIGEST-MD5\"\r\n"
        + "* STARTTLS\r\n"
        + "* COMPRESS \"DEFLATE\"\r\n"
        + "* PARTIAL-UPDATE\r\n"
        + "* OK MUPDATE \"127.0.0.1:13905\" \"Cyrus IMAP\" \"3.6.1-Debian-3.6.1-4+deb12u2\" \"(master)\"\r\n"
        + "A01 OK \"Authenticated\"\r\n"
        + cyrusMasterDumpAndStream

    static let cyrusMasterDumpAndStream =
        "U01 MAILBOX {11+}\r\nshared.memo {23+}\r\n127.0.0.1:14144!default {17+}\r\nanyone\tlrs\tbob\tl\t\r\n"
        + "U01 MAILBOX {10+}\r\nuser.alice {23+}\r\n127.0.0.1:14143!default {21+}\r\nalice\tlrswipkxtecdan\t\r\n"
        + "U01 MAILBOX {15+}\r\nuser.alice.Sent {23+}\r\n127.0.0.1:14143!default {21+}\r\nalice\tlrswipkxtecdan\t\r\n"
        + "U01 RESERVE {12+}\r\nuser.alice^b {23+}\r\n127.0.0.1:14144!default\r\n"
        + "U01 OK \"streaming starts\"\r\n"
        + "U01 DELETE {15+}\r\nuser.alice.Sent\r\n"
        + "N7 OK \"Noop done\"\r\n"
        + "Q01 OK \"bye-bye\"\r\n"

    @Test("a Cyrus master's banner, dump and stream, as a list replica reads them")
    func masterSide() throws {
        var buffer = ParseBuffer(Self.cyrusMasterBytes, limits: .mupdate)
        var parsed: [MUpdateResponse] = []
        while !buffer.isAtEnd { parsed.append(try MUpdateParser.parseResponse(&buffer)) }
        #expect(parsed.count == 14)
        #expect(parsed.prefix(5).allSatisfy { $0.isBanner })
        #expect(
            parsed[4]
                == .greeting(
                    MUpdateGreeting(
                        serverName: "127.0.0.1:13905", implementation: "Cyrus IMAP",
                        version: "3.6.1-Debian-3.6.1-4+deb12u2", role: .master)))
        #expect(parsed[5] == .ok("A01", "Authenticated"))
        let dumped: [InternalMailboxName] = parsed[6..<10].compactMap {
            switch $0 {
            case .mailbox(_, let name, _, _), .reserve(_, let name, _): name
            default: nil
            }
        }
        // The dump arrives in the order a merging replica expects.
        #expect(dumped == ["shared.memo", "user.alice", "user.alice.Sent", "user.alice^b"])
        #expect(MUpdateOrder.sorted(dumped.reversed()) == dumped)
        #expect(parsed[10] == .ok("U01", "streaming starts"))
        #expect(parsed[11] == .delete(tag: "U01", name: "user.alice.Sent"))
        #expect(parsed[13] == .ok("Q01", "bye-bye"))

        // Our master writes the same dump and stream byte for byte.
        var encoded = EncodeBuffer(.server)
        for response in parsed[6...] { encoded.writeMUpdateResponse(response) }
        #expect(encoded.string == Self.cyrusMasterDumpAndStream)
    }

    @Test("a SASL exchange without an initial response, Cyrus style")
    func saslExchange() throws {
        // The server: a command, then the client's bare answer.
        var client = ParseBuffer("A01 AUTHENTICATE \"PLAIN\"\r\nAG11cGRhdGUAc2VjcmV0\r\n", limits: .mupdate)
        #expect(
            try MUpdateParser.parseCommand(&client)
                == MUpdateCommand(tag: "A01", .authenticate(mechanism: "PLAIN", initialResponse: nil)))
        #expect(try MUpdateParser.parseSASLResponse(&client) == .data("AG11cGRhdGUAc2VjcmV0"))
        // The client: an empty challenge line, then the completion.
        var server = ParseBuffer("\r\nA01 OK \"Authenticated\"\r\n", limits: .mupdate)
        #expect(try MUpdateParser.parseResponse(&server) == .saslChallenge(""))
        #expect(try MUpdateParser.parseResponse(&server) == .ok("A01", "Authenticated"))
    }
}
