import Foundation
import IMAPWire
import Logging
import Testing
import Transport

@testable import MUpdate

/// Times a full UPDATE dump to a socket client and a cold store load. Runs 20,000 records by
/// default; set `MUPDATE_DUMP_RECORDS` (e.g. 1000000) to measure a larger list.
@Suite struct MUpdateDumpTimingTests {
    static var records: Int { ProcessInfo.processInfo.environment["MUPDATE_DUMP_RECORDS"].flatMap(Int.init) ?? 20_000 }

    @Test("a full dump reaches a socket client in dump order, and the store reloads it")
    func dump() async throws {
        let n = Self.records
        try await MasterHarness.with { h in
            let location = MailboxLocation(MasterHarness.location)!
            var records: [MUpdateRecord] = []
            records.reserveCapacity(n)
            for i in 0..<n {
                let acl = try CyrusACL(parsing: "u\(i / 10)\tlrswipkxtecdan\tanyone\tlr\t")
                records.append(
                    MUpdateRecord(
                        name: InternalMailboxName("user.u\(i / 10).folder\(i % 10)"), state: .active,
                        location: location,
                        acl: acl))
            }
            var clock = ContinuousClock.now
            try await h.store.load(records)
            let loadTime = ContinuousClock.now - clock
            records = []

            let c = try await h.admin()
            clock = ContinuousClock.now
            try await c.send("U1 UPDATE\r\n")
            let end = Array("U1 OK \"streaming starts\"\r\n".utf8)
            var total = 0
            var tail: [UInt8] = []
            while true {
                guard let chunk = try await c.connection.read(timeout: .seconds(30)) else { break }
                total += chunk.count
                tail = Array((tail + chunk).suffix(end.count))
                if tail == end { break }
            }
            let dumpTime = ContinuousClock.now - clock
            #expect(tail == end)
            await c.close()

            clock = ContinuousClock.now
            let reopened = try await MUpdateStore.open(
                path: h.store.path, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() })
            let reloadTime = ContinuousClock.now - clock
            #expect(reopened.count == n)
            print(
                "MUpdate dump timing: \(n) records, \(total) bytes; bulk load \(loadTime), dump to socket \(dumpTime), cold reload \(reloadTime)"
            )
        }
    }
}
