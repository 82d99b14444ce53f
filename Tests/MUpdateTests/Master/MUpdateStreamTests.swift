import Foundation
import IMAPWire
import Testing
import Transport

@testable import MUpdate

/// UPDATE, PARTIAL-UPDATE, UPDATE SINCE and the NOOP barrier over loopback (SPEC.md §3.4–3.5).
@Suite struct MUpdateStreamTests {
    typealias H = MasterHarness
    static let lit = RawClient.lit
    static let here = MailboxLocation(H.location)!
    static let there = MailboxLocation("127.0.0.1:24143!default")!
    static let acl = try! CyrusACL(parsing: H.acl)

    static func line(_ tag: String, _ record: MUpdateRecord) -> String {
        var buffer = EncodeBuffer(.server)
        buffer.writeMUpdateResponse(record.response(tag: tag))
        return buffer.string
    }

    static func active(_ name: InternalMailboxName, _ location: MailboxLocation = here) -> MUpdateRecord {
        MUpdateRecord(name: name, state: .active, location: location, acl: acl)
    }

    @Test("UPDATE dumps in Cyrus order, then streams changes made on another connection")
    func dumpAndStream() async throws {
        try await H.with { h in
            let names: [InternalMailboxName] = ["user.ab", "user.a.b", "user.a", "user.a^b", "example.com!user.a"]
            try await h.store.load(names.map { Self.active($0) })
            let u = try await h.admin()
            try await u.send("U1 UPDATE\r\n")
            let dump = MUpdateOrder.sorted(names).map { Self.line("U1", Self.active($0)) }.joined()
            try await u.expect(dump + "U1 OK \"streaming starts\"\r\n")
            try await u.send("U2 FIND \"user.a\"\r\n")
            try await u.expect("U2 BAD \"not legal when streaming\"\r\n")

            let w = try await h.admin()
            try await w.send("W1 RESERVE \(Self.lit("user.new")) \(Self.lit(H.location))\r\n")
            try await w.expect("W1 OK \"done\"\r\n")
            let started = ContinuousClock.now
            try await u.expect("U1 RESERVE {8+}\r\nuser.new {23+}\r\n\(H.location)\r\n")
            #expect(ContinuousClock.now - started < .seconds(1))
            try await w.send("W2 DELETE \(Self.lit("user.a"))\r\n")
            try await w.expect("W2 OK \"done\"\r\n")
            try await u.expect("U1 DELETE {6+}\r\nuser.a\r\n")
            try await u.send("U3 NOOP\r\nU4 LOGOUT\r\n")
            try await u.expect("U3 OK \"Noop done\"\r\nU4 OK \"bye-bye\"\r\n")
            #expect(try await u.readToEnd() == "")
            await w.close()
        }
    }

    @Test("NOOP while streaming answers only after the changes committed before it")
    func noopBarrier() async throws {
        try await H.with { h in
            let u = try await h.admin()
            try await u.send("U1 UPDATE\r\n")
            try await u.expect("U1 OK \"streaming starts\"\r\n")
            let records = (0..<50).map { Self.active(InternalMailboxName("user.b\($0)")) }
            try await h.store.load(records)
            try await u.send("N1 NOOP\r\n")
            try await u.expect(records.map { Self.line("U1", $0) }.joined() + "N1 OK \"Noop done\"\r\n")
            await u.close()
        }
    }

    @Test("PARTIAL-UPDATE sends only its servers' records, and a record moving away in its new state")
    func partial() async throws {
        try await H.with { h in
            try await h.store.load([Self.active("user.here"), Self.active("user.there", Self.there)])
            let u = try await h.admin()
            try await u.send("U1 UPDATE \"127.0.0.1:14143\"\r\n")
            try await u.expect(Self.line("U1", Self.active("user.here")) + "U1 OK \"streaming starts\"\r\n")
            _ = try await h.store.activate("user.other", at: Self.there, acl: Self.acl)
            _ = try await h.store.activate("user.here", at: Self.there, acl: Self.acl)
            _ = try await h.store.reserve("user.mine", at: Self.here)
            try await u.send("N1 NOOP\r\n")
            try await u.expect(
                Self.line("U1", Self.active("user.here", Self.there))
                    + Self.line("U1", MUpdateRecord(name: "user.mine", state: .reserved, location: Self.here))
                    + "N1 OK \"Noop done\"\r\n")
            await u.close()
        }
    }

    @Test("UPDATE SINCE with log coverage sends the backlog between X-SEQ lines; without, a full dump")
    func since() async throws {
        try await H.with { h in
            _ = try await h.store.activate("user.a", at: Self.here, acl: Self.acl)
            _ = try await h.store.reserve("user.b", at: Self.here)
            let mark = h.store.sequence
            _ = try await h.store.delete("user.b")
            _ = try await h.store.activate("user.c", at: Self.here, acl: Self.acl)
            let epoch = h.store.epoch
            let now = h.store.sequence

            let u = try await h.admin()
            try await u.send("U1 UPDATE SINCE \"\(epoch)\" \"\(mark)\"\r\n")
            try await u.expect(
                "U1 X-SEQ \"\(epoch)\" \"\(mark)\"\r\nU1 DELETE {6+}\r\nuser.b\r\n"
                    + Self.line("U1", Self.active("user.c"))
                    + "U1 X-SEQ \"\(epoch)\" \"\(now)\"\r\nU1 OK \"streaming starts\"\r\n")
            _ = try await h.store.reserve("user.d", at: Self.here)
            try await u.expect(
                Self.line("U1", MUpdateRecord(name: "user.d", state: .reserved, location: Self.here))
                    + "U1 X-SEQ \"\(epoch)\" \"\(now + 1)\"\r\n")
            try await u.send("N1 NOOP\r\n")
            try await u.expect("N1 OK \"Noop done\"\r\n")
            await u.close()

            let v = try await h.admin()
            try await v.send("V1 UPDATE SINCE \"someotherepoch\" \"\(mark)\"\r\n")
            try await v.expect(
                Self.line("V1", Self.active("user.a")) + Self.line("V1", Self.active("user.c"))
                    + Self.line("V1", MUpdateRecord(name: "user.d", state: .reserved, location: Self.here))
                    + "V1 X-SEQ \"\(epoch)\" \"\(now + 1)\"\r\nV1 OK \"streaming starts\"\r\n")
            await v.close()
        }
    }

    static func shortIdle(_ settings: inout MUpdateServerSettings) { settings.idleTimeout = .milliseconds(1500) }

    @Test("an idle session is closed after the idle timeout; a streaming one is not")
    func idle() async throws {
        try await H.with(configure: Self.shortIdle) { h in
            let u = try await h.admin()
            try await u.send("U1 UPDATE\r\n")
            try await u.expect("U1 OK \"streaming starts\"\r\n")
            let idle = try await h.admin()
            #expect(try await idle.readToEnd() == "* BYE \"idle timeout\"\r\n")
            try await Task.sleep(for: .milliseconds(1600))
            _ = try await h.store.reserve("user.late", at: Self.here)
            try await u.expect(Self.line("U1", MUpdateRecord(name: "user.late", state: .reserved, location: Self.here)))
            await u.close()
        }
    }

    static func queueOf4MiB(_ settings: inout MUpdateServerSettings) { settings.subscriberQueueLimit = 4 << 20 }

    @Test("a subscriber that stops reading is dropped with * BYE \"too slow\"; another one is not held up")
    func slowSubscriber() async throws {
        try await H.with(configure: Self.queueOf4MiB) { h in
            let slow = try await h.admin()
            try await slow.send("S1 UPDATE\r\n")
            try await slow.expect("S1 OK \"streaming starts\"\r\n")
            let fast = try await h.admin()
            try await fast.send("F1 UPDATE\r\n")
            try await fast.expect("F1 OK \"streaming starts\"\r\n")
            #expect(h.store.subscriberCount == 2)
            // 20 batches of 1.3 MB: far more than socket buffers and the 4 MiB queue bound hold.
            let bigACL = try CyrusACL(parsing: (0..<60).map { "user\($0)\tlrswipkxtecdan\t" }.joined())
            let fastReader = Task {
                var total = 0
                while let chunk = try await fast.connection.read(timeout: .seconds(10)) {
                    total += chunk.count
                    if String(decoding: chunk.suffix(40), as: UTF8.self).contains("OK \"Noop done\"") { break }
                }
                return total
            }
            for batch in 0..<20 {
                try await h.store.load(
                    (0..<1000).map {
                        MUpdateRecord(
                            name: InternalMailboxName("user.s\(batch).f\($0)"), state: .active, location: Self.here,
                            acl: bigACL)
                    })
                if h.store.subscriberCount == 1 { break }
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while h.store.subscriberCount > 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(h.store.subscriberCount == 1)
            _ = try await h.store.reserve("user.last", at: Self.here)
            try await fast.send("F2 NOOP\r\n")
            let received = try await fastReader.value
            #expect(received > 1_000_000)
            // Dropped: the connection ends, with `* BYE "too slow"` when the peer read in time
            // (it was not reading at all until now, so the BYE is not guaranteed).
            var rest = ""
            do {
                rest = try await slow.readToEnd(timeout: .seconds(15))
            } catch let error as ConnectionError where error.code != .timedOut {
                // Reset by the master: dropped as well.
            }
            #expect(!rest.contains("BYE") || rest.hasSuffix("* BYE \"too slow\"\r\n"))
            await fast.close()
        }
    }
}
