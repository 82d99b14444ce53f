import Foundation
import IMAPWire
import Testing
import Transport

@testable import MUpdate

/// Timing of a full dump into a replica; runs only with MUPDATE_BENCH_RECORDS set (a count).
@Suite struct MUpdateListReplicaBenchmarkTests {
    static let records = ProcessInfo.processInfo.environment["MUPDATE_BENCH_RECORDS"].flatMap(Int.init)

    @Test("full dump of MUPDATE_BENCH_RECORDS records", .enabled(if: records != nil))
    func fullDump() async throws {
        let count = try #require(Self.records)
        let master = try await FakeMaster.start()
        defer { Task { await master.stop() } }
        let location = MailboxLocation("127.0.0.1:14143!default")!
        master.seed(
            (0..<count).map {
                MUpdateRecord(
                    name: InternalMailboxName("user.u\($0)"), state: .active, location: location,
                    acl: try! CyrusACL(parsing: "u\($0)\tlrswipkxtecdan\tanyone\tlr\t"))
            })
        let replica = MUpdateListReplicaTests.replica(port: master.port)
        let start = ContinuousClock.now
        replica.start()
        #expect(await replica.waitUntilSynced(timeout: .seconds(600)))
        let elapsed = ContinuousClock.now - start
        print("replica full dump: \(count) records in \(elapsed)")
        #expect(replica.count == count)
        await replica.stop()
    }
}
