import Foundation
import GRDB
import IMAPWire
import Logging
import Testing

@testable import MUpdate

@Suite struct MUpdateStoreTests {
    static let quiet = Logger(label: "murder.test") { _ in SwiftLogNoOpLogHandler() }
    static let here = MailboxLocation("127.0.0.1:14143!default")!
    static let there = MailboxLocation("127.0.0.1:24143!default")!
    static let acl = try! CyrusACL(parsing: "bob\tlrswipkxtecdan\t")

    static func withStore(
        retention: MUpdateStore.Retention = .init(), _ body: (String, MUpdateStore) async throws -> Void
    ) async throws {
        let folder = NSTemporaryDirectory() + "murder-store-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/mupdate.sqlite"
        try await body(path, try await MUpdateStore.open(path: path, retention: retention, logger: quiet))
    }

    @Test("the writer commits with synchronous = FULL (the WAL is synced at every commit)")
    func writerSyncsEveryCommit() async throws {
        try await Self.withStore { (_: String, store: MUpdateStore) async throws in
            let level = try await store.database.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(level == 2)
        }
    }

    @Test("RESERVE, ACTIVATE, DEACTIVATE and DELETE follow SPEC §3.3")
    func semantics() async throws {
        try await Self.withStore { (_: String, store: MUpdateStore) async throws in
            #expect(try await store.reserve("user.bob", at: Self.here) == .done)
            #expect(try await store.reserve("user.bob", at: Self.here) == .done)
            #expect(try await store.reserve("user.bob", at: Self.there) == .alreadyExists)
            #expect(store.find("user.bob")?.state == .reserved)
            #expect(try await store.deactivate("user.bob", at: Self.here) == .notActive)
            #expect(try await store.activate("user.bob", at: Self.here, acl: Self.acl) == .done)
            #expect(
                store.find("user.bob")
                    == MUpdateRecord(name: "user.bob", state: .active, location: Self.here, acl: Self.acl))
            // RESERVE at the same location leaves an ACTIVE record alone.
            #expect(try await store.reserve("user.bob", at: Self.here) == .done)
            #expect(store.find("user.bob")?.state == .active)
            #expect(try await store.deactivate("user.bob", at: Self.here) == .done)
            #expect(store.find("user.bob")?.state == .reserved)
            #expect(try await store.delete("user.bob") == .done)
            #expect(try await store.delete("user.bob") == .doesNotExist)
            #expect(store.find("user.bob") == nil)
            // ACTIVATE needs no RESERVE.
            #expect(try await store.activate("user.carl", at: Self.there, acl: Self.acl) == .done)
            #expect(store.list(prefix: "127.0.0.1:24143!").map(\.name) == ["user.carl"])
            #expect(store.list(prefix: "127.0.0.1:14143!").isEmpty)
            #expect(store.list(prefix: nil).count == 1)
        }
    }

    @Test("a reopened store finds every record, reservations included, with the same epoch and sequence")
    func durability() async throws {
        try await Self.withStore { (path: String, store: MUpdateStore) async throws in
            _ = try await store.reserve("user.a", at: Self.here)
            _ = try await store.activate("user.b", at: Self.there, acl: Self.acl)
            _ = try await store.activate("example.com!user.c.Sent", at: Self.here, acl: Self.acl)
            _ = try await store.reserve("user.d", at: Self.here)
            _ = try await store.delete("user.d")
            let epoch = store.epoch
            let sequence = store.sequence
            #expect(sequence == 5)
            let before = store.snapshot().records
            let reopened = try await MUpdateStore.open(path: path, logger: Self.quiet)
            #expect(reopened.epoch == epoch)
            #expect(reopened.sequence == sequence)
            #expect(reopened.snapshot().records == before)
            #expect(reopened.find("user.a")?.state == .reserved)
            _ = try await reopened.reserve("user.e", at: Self.here)
            #expect(reopened.sequence == sequence + 1)
        }
    }

    @Test("two stores get different epochs")
    func epochs() async throws {
        try await Self.withStore { (_: String, a: MUpdateStore) async throws in
            try await Self.withStore { (_: String, b: MUpdateStore) async throws in
                #expect(a.epoch != b.epoch)
                #expect(a.epoch.count == 32)
            }
        }
    }

    @Test("names that are not well formed are refused")
    func badNames() async throws {
        try await Self.withStore { (_: String, store: MUpdateStore) async throws in
            await #expect(throws: MUpdateStoreError.self) { try await store.reserve("user..bob", at: Self.here) }
            await #expect(throws: MUpdateStoreError.self) { try await store.reserve("user.\u{1F}x", at: Self.here) }
        }
    }

    @Test("changes(since:) gives each changed record's current state, nil without log coverage")
    func changesSince() async throws {
        try await Self.withStore { (_: String, store: MUpdateStore) async throws in
            _ = try await store.reserve("user.a", at: Self.here)
            let mark = store.position
            _ = try await store.activate("user.a", at: Self.here, acl: Self.acl)
            _ = try await store.reserve("user.b", at: Self.here)
            _ = try await store.delete("user.b")
            let changes = try #require(try await store.changes(since: mark))
            #expect(changes.map(\.name) == ["user.a", "user.b"])
            #expect(changes[0].record?.state == .active)
            #expect(changes[1].record == nil)
            #expect(try await store.changes(since: store.position)?.isEmpty == true)
            #expect(try await store.changes(since: .init(epoch: "other", sequence: 1)) == nil)
            #expect(try await store.changes(since: .init(epoch: store.epoch, sequence: 99)) == nil)
        }
    }

    @Test("the log is trimmed past its retention; older positions then need a full dump")
    func trimming() async throws {
        let retention = MUpdateStore.Retention(minimumChanges: 2, minimumAge: .zero, trimInterval: 1)
        try await Self.withStore(retention: retention) { (_: String, store: MUpdateStore) async throws in
            let start = store.position
            for i in 0..<6 { _ = try await store.reserve(InternalMailboxName("user.u\(i)"), at: Self.here) }
            #expect(try await store.changes(since: start) == nil)
            let recent = MUpdateStore.Position(epoch: store.epoch, sequence: store.sequence - 2)
            #expect(try await store.changes(since: recent)?.count == 2)
        }
    }

    @Test("bulk load stores many records in one transaction, in dump order")
    func bulkLoad() async throws {
        try await Self.withStore { (path: String, store: MUpdateStore) async throws in
            let names = (0..<2000).map { InternalMailboxName("user.u\($0 % 97).f\($0)") }
            try await store.load(
                names.map { MUpdateRecord(name: $0, state: .active, location: Self.here, acl: Self.acl) })
            #expect(store.count == 2000)
            #expect(store.snapshot().records.map(\.name) == MUpdateOrder.sorted(names))
            let reopened = try await MUpdateStore.open(path: path, logger: Self.quiet)
            #expect(reopened.snapshot().records.map(\.name) == MUpdateOrder.sorted(names))
        }
    }
}
