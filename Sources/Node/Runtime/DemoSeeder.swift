import Foundation
import Logging
import MUpdate
import Transport

/// Puts the demo's mailboxes in place by logging in to the backends directly, as a person
/// would, so every mailbox is created and registered at the master by the backend's own code:
///
///     backend1   alice:  LOGIN (creates user.alice), APPEND a welcome when the INBOX is empty
///     backend2   bob:    the same for user.bob
///     backend2   admin:  CREATE shared/memo, SETACL for alice and bob, a first memo when empty
///
/// Every step may run again: an existing mailbox is left as it is, a non-empty one gets nothing.
struct DemoSeeder: Sendable {
    /// The internal names the seeding leaves in the mailbox list.
    static let seededMailboxes: [InternalMailboxName] = ["user.alice", "user.bob", "shared.memo"]
    /// The rights alice and bob get on the shared mailbox: everything (RFC 4314 §2.1 and
    /// Cyrus's letters).
    static let sharedRights = "lrswipkxtecdan"

    let facts: DemoMurder.Facts
    let engine: any Engine
    let logger: Logger

    func seed() async throws {
        try await seedInbox(facts.alice, at: facts.backend1, label: "backend1")
        try await seedInbox(facts.bob, at: facts.backend2, label: "backend2")
        try await seedShared(at: facts.backend2, label: "backend2")
    }

    /// Logs `user` in at the backend (its first login there creates and registers the INBOX)
    /// and appends a welcome message when the INBOX is empty.
    func seedInbox(_ user: DemoMurder.Facts.User, at address: String, label: String) async throws {
        try await session(address, label) { client in try await seedInbox(user, at: address, label: label, client) }
    }

    func seedInbox(_ user: DemoMurder.Facts.User, at address: String, label: String, _ client: DemoIMAPClient)
        async throws
    {
        try await step("log \(user.name) in at \(label)") { try await client.login(user.name, user.password) }
        let count = try await step("read \(user.name)'s INBOX at \(label)") {
            try await messageCount("INBOX", client)
        }
        guard count == 0 else { return }
        let welcome = Self.message(
            to: user.name, subject: "Welcome to the demo murder",
            body: """
                Hello \(user.name),

                your INBOX lives on \(label) (\(address)). The frontends find it there
                through the mailbox list of the mupdate master at \(facts.mupdate).
                \(facts.sharedMailbox) is shared between alice and bob.
                """)
        try await step("append the welcome message to \(user.name)'s INBOX") {
            try await append(welcome, to: "INBOX", client)
        }
        logger.info("demo: \(user.name)'s INBOX is on \(label)")
    }

    /// Creates the shared mailbox as admin (when missing), gives alice and bob every right on
    /// it, and puts a first memo in it when it is empty.
    func seedShared(at address: String, label: String) async throws {
        try await session(address, label) { client in try await seedShared(at: label, client) }
    }

    func seedShared(at label: String, _ client: DemoIMAPClient) async throws {
        let name = facts.sharedMailbox
        try await step("log admin in at \(label)") { try await client.login(facts.admin.name, facts.admin.password) }
        try await step("create \(name) at \(label)") {
            let reply = try await client.run("CREATE \(DemoIMAPClient.quoted(name))")
            guard reply.isOK || reply.text.hasPrefix("[ALREADYEXISTS]") else { throw Refusal(reply: reply) }
        }
        for user in [facts.alice.name, facts.bob.name] {
            try await step("give \(user) the rights on \(name)") {
                let reply = try await client.run(
                    "SETACL \(DemoIMAPClient.quoted(name)) \(DemoIMAPClient.quoted(user)) \(Self.sharedRights)")
                guard reply.isOK else { throw Refusal(reply: reply) }
            }
        }
        let count = try await step("read \(name)") { try await messageCount(name, client) }
        guard count == 0 else { return }
        let memo = Self.message(
            to: name, subject: "The first memo",
            body: "alice and bob may both read, write, file and delete here.")
        try await step("append the first memo to \(name)") { try await append(memo, to: name, client) }
    }

    // MARK: - Commands

    /// Runs `body` on a new connection to `address`, logged out afterwards whatever happens.
    func session<T>(_ address: String, _ label: String, _ body: (DemoIMAPClient) async throws -> T) async throws -> T {
        let client = try await connect(address, label)
        do {
            let value = try await body(client)
            await client.logout()
            return value
        } catch {
            await client.logout()
            throw error
        }
    }

    func connect(_ address: String, _ label: String) async throws -> DemoIMAPClient {
        var complaint = ""
        guard let target = NodeConfig.ListenAddress(parsing: address, complaint: &complaint) else {
            throw DemoMurderError(.seeding, "\(label): bad address \(address): \(complaint)")
        }
        return try await step("connect to \(label) at \(address)") {
            try await DemoIMAPClient.connect(engine: engine, host: target.host, port: target.port)
        }
    }

    /// `STATUS name (MESSAGES)` → the count.
    ///
    ///     C: D2 STATUS INBOX (MESSAGES)
    ///     S: * STATUS INBOX (MESSAGES 0)
    func messageCount(_ name: String, _ client: DemoIMAPClient) async throws -> Int {
        let reply = try await client.run("STATUS \(DemoIMAPClient.quoted(name)) (MESSAGES)")
        guard reply.isOK else { throw Refusal(reply: reply) }
        for line in reply.untagged where line.hasPrefix("* STATUS ") {
            guard let range = line.range(of: "(MESSAGES ") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if let count = Int(digits) { return count }
        }
        throw DemoMurderError(.seeding, "STATUS \(name) gave no message count: \(reply.untagged)")
    }

    /// APPEND with a LITERAL+ body (every backend of ours advertises LITERAL+).
    func append(_ message: [UInt8], to name: String, _ client: DemoIMAPClient) async throws {
        let reply = try await client.run(
            "APPEND \(DemoIMAPClient.quoted(name)) {\(message.count)+}", literal: message)
        guard reply.isOK else { throw Refusal(reply: reply) }
    }

    /// A server's NO or BAD to one seeding command.
    struct Refusal: Error, CustomStringConvertible {
        var reply: DemoIMAPClient.Reply
        var description: String { "the server answered \(reply.summary)" }
    }

    /// Runs one seeding step; a failure becomes `.seeding` naming the step.
    func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw DemoMurderError(.seeding, "seeding the demo: cannot \(what): \(error)")
        }
    }

    /// A small RFC 5322 message from the demo.
    static func message(to recipient: String, subject: String, body: String) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let date = formatter.string(from: Date())
        let id = UInt64.random(in: 0...UInt64.max)
        let text = """
            From: Murder demo <postmaster@murder.invalid>
            To: \(recipient)
            Subject: \(subject)
            Date: \(date)
            Message-ID: <demo-\(String(id, radix: 16))@murder.invalid>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            \(body)

            """
        return Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }
}
