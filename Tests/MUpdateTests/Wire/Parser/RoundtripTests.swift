import IMAPWire
import Testing

@testable import MUpdate

/// Whatever we write, we read back as the same value.
@Suite struct RoundtripTests {
    static let commands: [MUpdateCommand] =
        cyrusClientForms.map(\.0) + [
            MUpdateCommand(tag: "A1", .authenticate(mechanism: "SCRAM-SHA-256", initialResponse: "biwsbj1ib2Is")),
            MUpdateCommand(tag: "X1", .reserve(name: "example.com!user.john^doe", location: location("[::1]:143!p"))),
            MUpdateCommand(
                tag: "X2",
                .activate(
                    name: "user.bob.Sent", location: location("backend1"),
                    acl: acl("bob\tlrswipkxtecdan\tanyone\tlr\t-eve\tw\t"))),
            MUpdateCommand(tag: "X3", .find(name: InternalMailboxName([0x75, 0x2E, 0xC3, 0xA9]))),
            MUpdateCommand(tag: "X4", .list(prefix: "")),
            MUpdateCommand(tag: "U1", .update(servers: (1...30).map { "srv\($0).example.com:143" })),
            MUpdateCommand(tag: "U2", .update(servers: ["with \"quote\""])),
            MUpdateCommand(tag: "U3", .updateSince(epoch: "0123456789abcdef", sequence: .max)),
        ]

    @Test("every command", arguments: commands)
    func command(_ command: MUpdateCommand) throws {
        var encoded = EncodeBuffer(.client)
        encoded.writeMUpdateCommand(command)
        var buffer = ParseBuffer(encoded.bytes, limits: .mupdate)
        #expect(try MUpdateParser.parseCommand(&buffer) == command)
        #expect(buffer.isAtEnd)
    }

    static let responses: [MUpdateResponse] =
        cyrusMasterForms.map(\.0) + [
            .mailbox(
                tag: "U1", name: "example.com!user.bob", location: location("[::1]:14143!p"),
                acl: acl("bob\tlrswipkxtecdan\t-eve\tw\t")),
            .reserve(tag: "U1", name: InternalMailboxName([0x75, 0x2E, 0xC3, 0xA9]), location: location("be1")),
            .ok("X1", "say \"hi\" \\ there"),
            .ok("X1", MUpdateText("", form: .quoted)),
            .bye(MUpdateText("closing", form: .bare)),
            .untaggedBad(MUpdateText("", form: .bare)),
            .continuationRequest("ZmMIGQ=="),
            .greeting(
                MUpdateGreeting(
                    serverName: "m", implementation: "Cyrus IMAP", version: "3.6.1", role: .other("(slave)"))),
        ]

    @Test("every response", arguments: responses)
    func response(_ response: MUpdateResponse) throws {
        var encoded = EncodeBuffer(.server)
        encoded.writeMUpdateResponse(response)
        var buffer = ParseBuffer(encoded.bytes, limits: .mupdate)
        #expect(try MUpdateParser.parseResponse(&buffer) == response)
        #expect(buffer.isAtEnd)
    }
}
