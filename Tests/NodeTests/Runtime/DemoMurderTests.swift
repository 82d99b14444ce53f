import Foundation
import Logging
import MUpdate
import Testing
import Transport

@testable import Node

/// `murder demo`'s murder, started in-process on free ports in a temporary folder.
@Suite(.serialized) struct DemoMurderTests {
    static var logger: Logger {
        var logger = Logger(label: "murder.demo.test")
        logger.logLevel = .warning
        return logger
    }

    /// Options for a demo on a free port base in `folder`.
    static func options(folder: String, frontends: Int = DemoMurderTests.frontends) throws -> DemoMurder.Options {
        var options = DemoMurder.Options()
        options.ports = DemoMurder.Ports(base: try #require(DemoMurder.Ports.freeBase(), "no free ports"))
        options.frontends = frontends
        options.dataDirectory = folder
        options.logLevel = .warning
        return options
    }

    /// How many frontends the tests start.
    static let frontends = 1

    static func temporaryFolder() throws -> String {
        let suffix = UInt64.random(in: 0...UInt64.max)
        let path = FileManager.default.temporaryDirectory.path + "/murder-demo-test-\(suffix)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `body` on a started demo, then stops it and removes the folder, whatever happens.
    static func withDemo(
        _ options: DemoMurder.Options, removing folder: String? = nil, _ body: (DemoMurder) async throws -> Void
    ) async throws {
        let demo = try await DemoMurder.start(options, logger: logger)
        do {
            try await body(demo)
        } catch {
            await demo.stop()
            if let folder { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
        await demo.stop()
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func client(_ address: String, _ user: DemoMurder.Facts.User) async throws -> DemoIMAPClient {
        var complaint = ""
        let target = try #require(NodeConfig.ListenAddress(parsing: address, complaint: &complaint))
        let client = try await DemoIMAPClient.connect(engine: NIOEngine(), host: target.host, port: target.port)
        try await client.login(user.name, user.password)
        return client
    }

    static func messages(_ mailbox: String, _ client: DemoIMAPClient) async throws -> String? {
        let reply = try await client.run("STATUS \(DemoIMAPClient.quoted(mailbox)) (MESSAGES)")
        return reply.isOK ? reply.untagged.first { $0.hasPrefix("* STATUS") } : nil
    }

    @Test("alice's INBOX is on backend1, bob's and shared/memo on backend2, each with one message, at the master too")
    func seeded() async throws {
        let folder = try Self.temporaryFolder()
        let options = try Self.options(folder: folder)
        try await Self.withDemo(options, removing: folder) { demo in
            let facts = demo.facts
            let alice = try await Self.client(facts.backend1, facts.alice)
            #expect(try await Self.messages("INBOX", alice) == "* STATUS INBOX (MESSAGES 1)")
            #expect(try await alice.run("SELECT shared/memo").isOK == false, "shared/memo is not on backend1")
            #expect(demo.frontendPorts == [options.ports.frontend])
            await alice.logout()

            let bob = try await Self.client(facts.backend2, facts.bob)
            #expect(try await Self.messages("INBOX", bob) == "* STATUS INBOX (MESSAGES 1)")
            #expect(try await Self.messages("shared/memo", bob) == "* STATUS shared/memo (MESSAGES 1)")
            let rights = try await bob.run("MYRIGHTS shared/memo")
            #expect(rights.untagged == ["* MYRIGHTS shared/memo lrswipkxtecdan"])
            await bob.logout()

            let admin = try await Self.client(facts.backend2, facts.admin)
            let acl = try await admin.run("GETACL shared/memo")
            #expect(acl.isOK)
            let line = try #require(acl.untagged.first { $0.hasPrefix("* ACL") })
            #expect(line.contains("alice lrswipkxtecdan"), "\(line)")
            #expect(line.contains("bob lrswipkxtecdan"), "\(line)")
            await admin.logout()

            // Through the frontend: alice's INBOX on backend1, shared/memo on backend2.
            let frontend = try await Self.client(try #require(facts.frontends.first), facts.alice)
            #expect(try await Self.messages("INBOX", frontend) == "* STATUS INBOX (MESSAGES 1)")
            let list = try await frontend.run("LIST \"\" \"*\"")
            #expect(list.isOK)
            #expect(list.untagged.contains { $0.hasSuffix(" shared/memo") }, "\(list.untagged)")
            #expect(try await frontend.run("SELECT shared/memo").isOK)
            await frontend.logout()

            let store = demo.master.store
            #expect(store.find("user.alice")?.location.description == facts.backend1Name + "!default")
            #expect(store.find("user.bob")?.location.description == facts.backend2Name + "!default")
            let memo = try #require(store.find("shared.memo"))
            #expect(memo.location.description == facts.backend2Name + "!default")
            #expect(memo.state == .active)
            #expect(memo.acl.entries.contains { $0.identifier == "alice" && $0.rights == "lrswipkxtecdan" })
            #expect(memo.acl.entries.contains { $0.identifier == "bob" && $0.rights == "lrswipkxtecdan" })
        }
    }

    @Test("the environment file holds every address, name and password as shell variables")
    func environmentFile() async throws {
        let folder = try Self.temporaryFolder()
        let options = try Self.options(folder: folder)
        try await Self.withDemo(options, removing: folder) { demo in
            let path = folder + "/demo.env"
            try demo.writeEnvironmentFile(to: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var values: [String: String] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                try #require(parts.count == 2, "\(line)")
                values[String(parts[0])] = String(parts[1])
            }
            let ports = options.ports
            #expect(values["BACKEND1"] == "127.0.0.1:\(ports.backend1)")
            #expect(values["BACKEND2"] == "127.0.0.1:\(ports.backend2)")
            #expect(values["MUPDATE"] == "127.0.0.1:\(ports.mupdate)")
            #expect(values["BACKEND1_NAME"] == "127.0.0.1:\(ports.backend1)")
            #expect(values["BACKEND2_NAME"] == "127.0.0.1:\(ports.backend2)")
            #expect(values["FRONTEND"] == (options.frontends >= 1 ? "127.0.0.1:\(ports.frontend)" : "''"))
            #expect(values["FRONTEND2"] == "''")
            #expect(values["SHARED_MAILBOX"] == "shared/memo")
            #expect(values["HIERARCHY_SEP"] == "/")
            for user in ["alice", "bob", "admin", "murder"] {
                let key = user.uppercased()
                #expect(values["\(key)_USER"] == user)
                let stored = try SecretFile.firstLine(of: folder + "/secrets/\(user).pw")
                #expect(values["\(key)_PASS"] == stored)
                #expect(stored.count == 16)
            }
            // MURDER_PASS is the identity the master admits.
            let murder = try await Self.client(demo.facts.backend1, demo.facts.murder)
            await murder.logout()
        }
    }

    @Test("a restart on the same folder keeps the passwords and adds nothing")
    func restart() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = try Self.options(folder: folder)
        var first: DemoMurder.Facts?
        try await Self.withDemo(options) { first = $0.facts }
        try await Self.withDemo(options) { demo in
            #expect(demo.facts == first)
            let alice = try await Self.client(demo.facts.backend1, demo.facts.alice)
            #expect(try await Self.messages("INBOX", alice) == "* STATUS INBOX (MESSAGES 1)")
            await alice.logout()
            let bob = try await Self.client(demo.facts.backend2, demo.facts.bob)
            #expect(try await Self.messages("shared/memo", bob) == "* STATUS shared/memo (MESSAGES 1)")
            await bob.logout()
        }
    }

    @Test("a folder made with other backend ports is refused, naming --port-base")
    func otherPorts() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = try Self.options(folder: folder, frontends: 0)
        try await Self.withDemo(options) { _ in }
        var moved = options
        moved.ports = DemoMurder.Ports(base: try #require(DemoMurder.Ports.freeBase()))
        do {
            let demo = try await DemoMurder.start(moved, logger: Self.logger)
            await demo.stop()
            Issue.record("the demo started on a folder made with other ports")
        } catch let error as DemoMurderError {
            #expect(error.code == .badOptions)
            #expect(error.message.contains("127.0.0.1:\(options.ports.backend1)"), "\(error)")
            #expect(error.message.contains("--port-base"))
        }
    }

    @Test("a temporary data folder is removed at stop")
    func temporaryFolderRemoved() async throws {
        var options = try Self.options(folder: "unused")
        options.dataDirectory = nil
        let demo = try await DemoMurder.start(options, logger: Self.logger)
        let folder = demo.facts.dataDirectory
        #expect(demo.facts.isTemporary)
        #expect(FileManager.default.fileExists(atPath: folder + "/backend1.toml"))
        await demo.stop()
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("a port in use stops the start with an error naming the port and --port-base; nothing stays bound")
    func portInUse() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let options = try Self.options(folder: folder)
        let engine = NIOEngine()
        let squatter = try await engine.listen(
            host: "127.0.0.1", port: options.ports.backend2, limits: ListenerLimits(), logger: Self.logger
        ) { (_: any Connection) async in }
        do {
            _ = try await DemoMurder.start(options, logger: Self.logger)
            Issue.record("the demo started on a port in use")
        } catch let error as DemoMurderError {
            #expect(error.code == .portInUse)
            #expect(error.message.contains("\(options.ports.backend2) (backend2)"), "\(error)")
            #expect(error.message.contains("--port-base"))
        }
        await squatter.close()
        for (_, port) in options.ports.used(frontends: options.frontends) {
            #expect(PortProbe.isFree(host: "127.0.0.1", port: port), "port \(port) stayed bound")
        }
    }

    @Test(
        "options out of range are refused before anything starts",
        arguments: [
            (3, DemoMurder.Ports.defaultBase),
            (1, 65_533),
            (1, -1),
        ])
    func badOptions(frontends: Int, base: Int) async throws {
        var options = DemoMurder.Options()
        options.frontends = frontends
        options.ports = DemoMurder.Ports(base: base)
        #expect(throws: DemoMurderError.self) { try DemoMurder.check(options) }
    }

    @Test(
        "environment values are shell words, quoted only when they need it",
        arguments: [
            ("127.0.0.1:10143", "127.0.0.1:10143"),
            ("shared/memo", "shared/memo"),
            ("", "''"),
            ("/tmp/my data", "'/tmp/my data'"),
            ("it's", "'it'\\''s'"),
            ("$HOME", "'$HOME'"),
        ])
    func shellWords(value: String, written: String) {
        #expect(DemoMurder.Facts.shellWord(value) == written)
    }

    @Test("the default ports are 10143 to 10147, in the documented order")
    func defaultPorts() {
        let ports = DemoMurder.Ports(base: DemoMurder.Ports.defaultBase)
        #expect(ports.used(frontends: 2).map(\.port) == [10143, 10144, 10145, 10146, 10147])
        #expect(ports.used(frontends: 2).map(\.role) == ["frontend", "backend1", "backend2", "mupdate", "frontend2"])
    }
}
