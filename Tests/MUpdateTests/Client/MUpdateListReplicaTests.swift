import Foundation
import Synchronization
import IMAPWire
import MurderTestSupport
import Testing
import Transport

@testable import MUpdate

@Suite struct MUpdateListReplicaTests {
    static let here = MailboxLocation("127.0.0.1:14143!default")!
    static let other = MailboxLocation("127.0.0.1:14144!default")!

    static func record(_ name: String, _ state: MUpdateRecord.State = .active, at location: MailboxLocation = here)
        -> MUpdateRecord
    {
        let user = name.split(separator: ".").last.map(String.init) ?? "x"
        return MUpdateRecord(
            name: InternalMailboxName(name), state: state, location: location,
            acl: state == .active ? try! CyrusACL(parsing: "\(user)\tlrswipkxtecdan\t") : .empty)
    }

    static func replica(
        port: Int, folder: String? = nil, heartbeat: Duration = .seconds(20), heartbeatTimeout: Duration = .seconds(20)
    ) -> MUpdateListReplica {
        MUpdateListReplica(
            settings: MUpdateListReplica.Settings(
                client: .test(port: port, connectTimeout: .seconds(5)), folder: folder,
                heartbeatInterval: heartbeat, heartbeatTimeout: heartbeatTimeout,
                backoff: MUpdateBackoff(initial: .milliseconds(50), maximum: .milliseconds(200)),
                flushInterval: .milliseconds(20)),
            engine: TestEngine.current)
    }

    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "mupdate-replica-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the dump fills the list, then streamed MAILBOX, RESERVE and DELETE lines apply")
    func dumpThenStream() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([Self.record("user.alice"), Self.record("user.bob"), Self.record("shared.memo", at: Self.other)])
        let replica = Self.replica(port: master.port)
        let changes = replica.changes()
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(5)))
        #expect(replica.count == 3)
        #expect(replica.record("shared.memo") == Self.record("shared.memo", at: Self.other))
        #expect(master.updates == [.update(servers: [])])

        master.set(Self.record("user.carol", .reserved))
        #expect(await eventually { replica.record("user.carol")?.state == .reserved })
        master.set(Self.record("user.carol"))
        #expect(await eventually { replica.record("user.carol")?.state == .active })
        master.apply(.delete("user.bob"))
        #expect(await eventually { replica.record("user.bob") == nil })
        #expect(replica.records(withNamePrefix: "user.").count == 2)

        var seen: [MUpdateListChange] = []
        for await change in changes {
            seen.append(change)
            if seen.count == 4 { break }
        }
        #expect(seen.first == .replaced(count: 3))
        #expect(seen.last == .deleted("user.bob"))
        await replica.stop()
    }

    @Test("a full re-dump after a reconnect replaces the list: stale names are gone")
    func redumpReplaces() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([Self.record("user.alice"), Self.record("user.stale")])
        let replica = Self.replica(port: master.port)
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(5)))
        // The master loses a record without telling anyone, then drops the stream.
        master.state.withLock { $0.records["user.stale"] = nil }
        master.seed([Self.record("user.fresh")])
        await master.dropConnections()
        #expect(await eventually { master.connections >= 2 && replica.isSynced && replica.record("user.fresh") != nil })
        #expect(replica.record("user.stale") == nil)
        #expect(replica.count == 2)
        await replica.stop()
    }

    @Test("the barrier returns once its NOOP's OK arrived, after the changes before it")
    func barrier() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        let replica = Self.replica(port: master.port)
        #expect(await replica.barrier(timeout: .milliseconds(100)) == false)  // not connected
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(5)))
        master.deferPushes.withLock { $0 = true }
        master.set(Self.record("user.carol"))
        try await Task.sleep(for: .milliseconds(50))
        #expect(replica.record("user.carol") == nil)
        #expect(await replica.barrier())
        #expect(replica.record("user.carol") != nil)
        // A master that does not answer: false after the timeout.
        master.ignoreNoops.withLock { $0 = true }
        let start = ContinuousClock.now
        #expect(await replica.barrier(timeout: .milliseconds(200)) == false)
        #expect(ContinuousClock.now - start < .seconds(1))
        await replica.stop()
    }

    @Test("reconnects after the master drops the stream, with the list served meanwhile")
    func reconnect() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([Self.record("user.alice")])
        let replica = Self.replica(port: master.port)
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(5)))
        await master.dropConnections()
        #expect(replica.record("user.alice") != nil)
        #expect(await eventually { master.connections >= 2 && replica.isSynced })
        master.set(Self.record("user.bob"))
        #expect(await eventually { replica.record("user.bob") != nil })
        await replica.stop()
    }

    @Test("no OK to a heartbeat within the timeout: reconnect")
    func heartbeatTimeout() async throws {
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.ignoreNoops.withLock { $0 = true }
        let replica = Self.replica(port: master.port, heartbeat: .milliseconds(100), heartbeatTimeout: .seconds(1))
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(10)))
        #expect(await eventually { master.connections >= 2 && master.commandKinds.contains(.noop) })
        await replica.stop()
    }

    @Test("persisted: served at once after a restart without a master, then resumed with UPDATE SINCE")
    func persistence() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let master = try await FakeMaster.start(epoch: "ep7")
        master.seed([Self.record("user.alice"), Self.record("user.bob")])
        let first = Self.replica(port: master.port, folder: folder)
        first.start()
        #expect(await first.waitUntilSynced(timeout: .seconds(5)))
        // A first sync asks with SINCE so that the dump comes with a position.
        #expect(master.updates == [.updateSince(epoch: "none", sequence: 0)])
        master.set(Self.record("user.carol"))
        #expect(await eventually { first.position?.sequence == 1 })
        #expect(first.position?.epoch == "ep7")
        await first.stop()

        // Changes while the replica is away.
        master.apply(.delete("user.bob"))
        master.set(Self.record("user.dave", .reserved))
        let port = master.port
        await master.stop()

        // Without a master: the persisted list answers at once.
        let second = Self.replica(port: port, folder: folder)
        #expect(second.hasList && !second.isSynced)
        #expect(second.count == 3)
        #expect(second.record("user.carol") == Self.record("user.carol"))
        #expect(second.position == first.position)
        second.start()
        try await Task.sleep(for: .milliseconds(100))
        #expect(second.record("user.alice") != nil)
        await second.stop()

        // The master is back: only the backlog is sent.
        let back = FakeMaster(epoch: "ep7")
        var saved = master.state.withLock { $0 }
        saved.peers = [:]
        saved.updates = []
        back.state.withLock { $0 = saved }
        try await back.listen(port: port)
        defer { Task { await back.stop() } }
        let third = Self.replica(port: port, folder: folder)
        third.start()
        #expect(await third.waitUntilSynced(timeout: .seconds(5)))
        #expect(back.updates == [.updateSince(epoch: "ep7", sequence: 1)])
        #expect(third.record("user.bob") == nil)
        #expect(third.record("user.dave")?.state == .reserved)
        #expect(third.count == 3)
        #expect(third.position?.sequence == 3)
        await third.stop()

        // X-SEQ survives a restart.
        let fourth = Self.replica(port: port, folder: folder)
        #expect(fourth.position?.sequence == 3)
        #expect(fourth.count == 3)
    }

    @Test("a torn snapshot does not prevent start-up: empty list, full dump")
    func tornSnapshot() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed((0..<50).map { Self.record("user.u\($0)") })
        let first = Self.replica(port: master.port, folder: folder)
        first.start()
        #expect(await first.waitUntilSynced(timeout: .seconds(5)))
        await first.stop()
        let path = folder + "/list.snapshot"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: URL(fileURLWithPath: path))

        let second = Self.replica(port: master.port, folder: folder)
        #expect(!second.hasList)
        #expect(second.count == 0)
        second.start()
        #expect(await second.waitUntilSynced(timeout: .seconds(5)))
        #expect(second.count == 50)
        #expect(master.updates.last == .updateSince(epoch: "none", sequence: 0))
        await second.stop()
    }

    @Test("a torn log tail keeps the frames before it")
    func tornLog() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        master.seed([Self.record("user.alice")])
        let first = Self.replica(port: master.port, folder: folder)
        first.start()
        #expect(await first.waitUntilSynced(timeout: .seconds(5)))
        master.set(Self.record("user.bob"))
        #expect(await eventually { first.record("user.bob") != nil })
        await first.stop()
        let handle = try #require(FileHandle(forWritingAtPath: folder + "/list.log"))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0, 0, 0, 1, 2, 3]))
        try handle.close()
        let second = Self.replica(port: master.port, folder: folder)
        #expect(second.record("user.bob") != nil)
        #expect(second.count == 2)
    }

    @Test("a Cyrus master: plain UPDATE, literal lines, no position")
    func cyrusMaster() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let master = try await FakeMaster.start(cyrus: true)
        defer { Task { await master.stop() } }
        master.seed([Self.record("user.alice"), Self.record("user.alice^b", .reserved)])
        let replica = Self.replica(port: master.port, folder: folder)
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(5)))
        #expect(master.updates == [.update(servers: [])])
        #expect(replica.record("user.alice^b")?.state == .reserved)
        #expect(replica.position == nil)
        #expect(await replica.barrier())
        await replica.stop()
    }
}
