import Testing

@testable import MUpdate

@Suite struct InternalMailboxNameTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: InternalMailboxName
        var domain: String?
        var components: [String]
        var userID: String?
        var isUserInbox: Bool
        var parent: InternalMailboxName?
        var description: String { name.description }
    }

    @Test(
        "views of a name: domain, components with ^ decoded, user, parent",
        arguments: [
            Case(
                name: "user.alice", components: ["user", "alice"], userID: "alice", isUserInbox: true, parent: "user"),
            Case(
                name: "user.alice.Sent", components: ["user", "alice", "Sent"], userID: "alice", isUserInbox: false,
                parent: "user.alice"),
            Case(
                name: "user.john^doe", components: ["user", "john.doe"], userID: "john.doe", isUserInbox: true,
                parent: "user"),
            Case(
                name: "example.com!user.bob", domain: "example.com", components: ["user", "bob"], userID: "bob",
                isUserInbox: true, parent: "example.com!user"),
            Case(name: "shared.memo", components: ["shared", "memo"], isUserInbox: false, parent: "shared"),
            Case(name: "shared", components: ["shared"], isUserInbox: false, parent: nil),
            Case(
                name: "example.com!shared", domain: "example.com", components: ["shared"], isUserInbox: false,
                parent: nil),
            Case(name: "user", components: ["user"], isUserInbox: false, parent: nil),
        ])
    func views(_ c: Case) {
        #expect(c.name.domain == c.domain)
        #expect(c.name.components == c.components)
        #expect(c.name.userID == c.userID)
        #expect(c.name.isUserInbox == c.isUserInbox)
        #expect(c.name.parent == c.parent)
        #expect(c.name.isWellFormed)
        #expect(InternalMailboxName(domain: c.domain, components: c.components) == c.name)
    }

    @Test("building names escapes dots inside components")
    func building() {
        #expect(InternalMailboxName.inbox(of: "john.doe") == "user.john^doe")
        #expect(InternalMailboxName.inbox(of: "bob", domain: "example.com") == "example.com!user.bob")
        #expect(InternalMailboxName(components: ["shared", "v1.2", "notes"]) == "shared.v1^2.notes")
    }

    @Test(
        "malformed names",
        arguments: ["", "user..bob", ".user", "user.", "!user.bob", "a!b!user.bob", "example.com!", "user.b\tob"])
    func malformed(_ name: String) {
        #expect(!InternalMailboxName(name).isWellFormed)
    }

    @Test("bytes are kept exactly, invalid UTF-8 included")
    func bytes() {
        let raw: [UInt8] = [0x75, 0x73, 0x65, 0x72, 0x2E, 0xFF, 0x62]
        #expect(InternalMailboxName(raw).bytes == raw)
    }
}
