import Testing

@testable import Spool

@Suite struct SpoolObserveTests {
    @Test("observers get the new modseq after append, store and expunge, and the end on delete")
    func observe() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            let first = spool.observe(uniqueID: record.uniqueID)
            let second = spool.observe(uniqueID: record.uniqueID)
            try appendText(spool, "user.alice", sampleMessage(1), flags: ["\\Deleted"])
            #expect(await firstValue(first) == .some(2))
            #expect(await firstValue(second) == .some(2))
            _ = try spool.store("user.alice", uids: [1], .add, ["\\Seen"], user: "alice")
            #expect(await firstValue(first) == .some(3))
            _ = try spool.expunge("user.alice", uids: nil)
            #expect(await firstValue(first) == .some(4))
            try spool.deleteMailbox("user.alice")
            #expect(await firstValue(first) == .some(nil))
        }
    }

    @Test("a STORE that changes nothing wakes nobody")
    func noChangeNoWake() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1), flags: ["\\Seen"])
            let stream = spool.observe(uniqueID: record.uniqueID)
            _ = try spool.store("user.alice", uids: [1], .add, ["\\Seen"], user: "alice")
            #expect(await firstValue(stream, timeout: .milliseconds(200)) == nil)
        }
    }

    @Test("COPY wakes the destination's observers; rename ends the stream")
    func copyAndRename() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let dst = try spool.createMailbox("user.alice.b", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            let stream = spool.observe(uniqueID: dst.uniqueID)
            _ = try spool.copy("user.alice", uids: [1], to: "user.alice.b", user: "alice")
            #expect(await firstValue(stream) == .some(2))
            try spool.renameMailbox("user.alice.b", to: "user.alice.c")
            #expect(await firstValue(stream) == .some(nil))
        }
    }
}
