import IMAPWire
import Synchronization
import MurderTestSupport
import Testing
import Transport

@testable import MUpdate

@Suite struct MUpdateRegistrarTests {
    static let here = MailboxLocation("127.0.0.1:14143!default")!
    static let other = MailboxLocation("127.0.0.1:14144!default")!
    static func acl(_ text: String) -> CyrusACL { try! CyrusACL(parsing: text) }

    static func registrar(
        port: Int, local: [MUpdateRegistrar.LocalMailbox] = [], keepAlive: Duration = .seconds(20)
    ) -> MUpdateRegistrar {
        MUpdateRegistrar(
            settings: MUpdateRegistrar.Settings(
                client: .test(port: port, connectTimeout: .seconds(5)), location: here,
                keepAliveInterval: keepAlive, keepAliveTimeout: .seconds(3),
                backoff: MUpdateBackoff(initial: .milliseconds(50), maximum: .milliseconds(200))),
            engine: TestEngine.current, localMailboxes: { local })
    }

    /// The commands after authentication, without the reconciliation's LIST.
    static func changes(_ master: FakeMaster) -> [MUpdateCommand.Kind] {
        master.commandKinds.filter {
            switch $0 {
            case .authenticate, .list: false
            default: true
            }
        }
    }

    @Test("CREATE then DELETE: RESERVE, ACTIVATE, then FIND before DELETE")
    func createThenDelete() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        let registrar = Self.registrar(port: master.port)
        await registrar.start()
        #expect(await eventually { await registrar.lastReport != nil })
        try await registrar.reserve("user.carol")
        #expect(master.records["user.carol"]?.state == .reserved)
        try await registrar.activate("user.carol", acl: Self.acl("carol\tlrswipkxtecdan\t"))
        #expect(master.records["user.carol"]?.state == .active)
        try await registrar.delete("user.carol")
        #expect(master.records["user.carol"] == nil)
        #expect(
            Self.changes(master) == [
                .reserve(name: "user.carol", location: Self.here),
                .activate(name: "user.carol", location: Self.here, acl: Self.acl("carol\tlrswipkxtecdan\t")),
                .find(name: "user.carol"), .delete(name: "user.carol"),
            ])
        #expect(master.connections == 1)
        await registrar.stop()
    }

    @Test("a failed CREATE deletes its reservation without a FIND")
    func failedCreate() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        let registrar = Self.registrar(port: master.port)
        try await registrar.reserve("user.carol")
        try await registrar.delete("user.carol")
        #expect(Self.changes(master) == [.reserve(name: "user.carol", location: Self.here), .delete(name: "user.carol")])
        await registrar.stop()
    }

    @Test("RESERVE of a name held elsewhere is failReserve")
    func reserveTaken() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([MUpdateRecord(name: "user.carol", state: .active, location: Self.other)])
        let registrar = Self.registrar(port: master.port)
        let error = await #expect(throws: MUpdateError.self) { try await registrar.reserve("user.carol") }
        #expect(error?.code == .failReserve)
        await registrar.stop()
    }

    @Test("DELETE of a name a Cyrus master does not hold is never sent")
    func deleteUnknownAtCyrus() async throws {
        let master = try await FakeMaster.start(cyrus: true)
        defer { Task { await master.stop() } }
        master.seed([MUpdateRecord(name: "user.x", state: .active, location: Self.other)])
        let registrar = Self.registrar(port: master.port)
        try await registrar.delete("user.nobody")
        try await registrar.delete("user.x")
        #expect(Self.changes(master) == [.find(name: "user.nobody"), .find(name: "user.x")])
        #expect(master.crashes == 0)
        #expect(master.records["user.x"] != nil)
        await registrar.stop()
    }

    @Test("a registrar that was not started never reconciles by itself (murder admin check)")
    func dryRunChangesNothing() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([MUpdateRecord(name: "user.gone", state: .active, location: Self.here, acl: Self.acl("gone\tlr\t"))])
        let registrar = Self.registrar(port: master.port, local: [.init(name: "user.alice", acl: Self.acl("alice\tlr\t"))])
        let report = try await registrar.check()
        #expect(report.activated == ["user.alice"] && report.deleted == ["user.gone"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(master.records["user.gone"] != nil && master.records["user.alice"] == nil)
        await registrar.stop()
    }

    @Test("no master: noConnection, quickly")
    func noMaster() async throws {
        let master = try await FakeMaster.start()
        let port = master.port
        await master.stop()
        let registrar = Self.registrar(port: port)
        let start = ContinuousClock.now
        let error = await #expect(throws: MUpdateError.self) { try await registrar.reserve("user.carol") }
        #expect(error?.code == .noConnection)
        // Refused at once; the bound is the connect timeout, not a retry loop.
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("reconnects in the background after the master drops the connection")
    func reconnect() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        // An idle registrar learns of the drop from its keep-alive NOOP. With the default 20 s
        // this passed only when the drop happened to hit the start-up reconciliation's LIST.
        let registrar = Self.registrar(port: master.port, keepAlive: .seconds(1))
        await registrar.start()
        #expect(await eventually { await registrar.isConnected })
        await master.dropConnections()
        #expect(await eventually { master.connections >= 2 })
        #expect(await eventually { await registrar.isConnected })
        try await registrar.reserve("user.carol")
        #expect(master.records["user.carol"] != nil)
        await registrar.stop()
    }

    @Test("a master that comes back is found again and reconciled")
    func masterComesBack() async throws {
        let first = try await FakeMaster.start()
        let port = first.port
        await first.stop()
        let registrar = Self.registrar(
            port: port, local: [.init(name: "user.alice", acl: Self.acl("alice\tlrswipkxtecdan\t"))])
        await registrar.start()
        try await Task.sleep(for: .milliseconds(200))
        let master = try await FakeMaster.start(port: port)
        defer { Task { await master.stop() } }
        #expect(await eventually { master.records["user.alice"]?.state == .active })
        await registrar.stop()
    }

    @Test("keep-alive NOOP on an idle connection")
    func keepAlive() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        let registrar = Self.registrar(port: master.port, keepAlive: .milliseconds(100))
        await registrar.start()
        #expect(await eventually { master.commandKinds.contains(.noop) })
        await registrar.stop()
    }

    @Test("reconciliation: missing → ACTIVATE, different → ACTIVATE, extra → FIND then DELETE, conflict untouched")
    func reconciliation() async throws {
        let master = try await FakeMaster.start(cyrus: true)
        defer { Task { await master.stop() } }
        let aliceACL = Self.acl("alice\tlrswipkxtecdan\t")
        master.seed([
            MUpdateRecord(name: "user.alice", state: .active, location: Self.here, acl: aliceACL),
            MUpdateRecord(name: "user.bob", state: .active, location: Self.here, acl: Self.acl("bob\tlr\t")),
            MUpdateRecord(name: "user.gone", state: .active, location: Self.here, acl: Self.acl("gone\tlr\t")),
            MUpdateRecord(name: "user.x", state: .active, location: Self.other, acl: Self.acl("x\tlr\t")),
            MUpdateRecord(name: "user.y", state: .active, location: Self.other, acl: Self.acl("y\tlr\t")),
        ])
        let local: [MUpdateRegistrar.LocalMailbox] = [
            .init(name: "user.alice", acl: aliceACL),
            .init(name: "user.bob", acl: Self.acl("bob\tlrswipkxtecdan\t")),
            .init(name: "user.new", acl: Self.acl("new\tlrswipkxtecdan\t")),
            .init(name: "user.x", acl: Self.acl("x\tlrswipkxtecdan\t")),
        ]
        let registrar = Self.registrar(port: master.port, local: local)

        await registrar.start()
        // The first connect reconciles by itself.
        #expect(await eventually { await registrar.lastReport != nil })
        let report = try #require(await registrar.lastReport)
        #expect(report.activated == ["user.bob", "user.new"])
        #expect(report.deleted == ["user.gone"])
        #expect(report.conflicts == [.init(name: "user.x", master: master.records["user.x"]!)])
        #expect(await registrar.conflicts.map(\.name) == ["user.x"])
        #expect(master.records["user.new"]?.location == Self.here)
        #expect(master.records["user.bob"]?.acl == Self.acl("bob\tlrswipkxtecdan\t"))
        #expect(master.records["user.gone"] == nil)
        #expect(master.records["user.x"]?.location == Self.other)
        #expect(master.records["user.y"]?.location == Self.other)
        #expect(master.crashes == 0)
        // Every DELETE follows a FIND of the same name.
        let kinds = master.commandKinds
        for (i, kind) in kinds.enumerated() {
            if case .delete(let name) = kind { #expect(i > 0 && kinds[i - 1] == .find(name: name)) }
        }
        #expect(kinds.contains(.list(prefix: "127.0.0.1:14143!")))
        // A second pass finds nothing to do but the conflict.
        let again = try await registrar.reconcile()
        #expect(again.activated.isEmpty && again.deleted.isEmpty && again.conflicts.count == 1)

        // The dry run compares the same way and changes nothing.
        master.seed([
            MUpdateRecord(name: "user.bob", state: .active, location: Self.here, acl: Self.acl("bob\tlr\t")),
            MUpdateRecord(name: "user.gone", state: .active, location: Self.here, acl: Self.acl("gone\tlr\t")),
        ])
        master.clearCommands()
        let check = try await registrar.check()
        #expect(check.isDryRun)
        #expect(check.activated == ["user.bob"])
        #expect(check.deleted == ["user.gone"])
        #expect(check.conflicts.map(\.name) == ["user.x"])
        #expect(master.commandKinds.allSatisfy {
            switch $0 {
            case .activate, .delete, .reserve: false
            default: true
            }
        })
        #expect(master.records["user.gone"] != nil)
        await registrar.stop()
    }
}
