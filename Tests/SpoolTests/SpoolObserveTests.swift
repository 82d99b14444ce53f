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

@Suite struct SpoolUnchangedTests {
    @Test("unchanged: unknown until a read of an observed mailbox, true at its modseq, false after a commit")
    func knownWhileObserved() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            // Not observed: the spool does not know, so the caller must read the index.
            _ = try spool.changes("user.alice", since: 0, user: "alice")
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 2))

            let stream = spool.observe(uniqueID: record.uniqueID)
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 2))
            let seen = try spool.changes("user.alice", since: 2, user: "alice")
            #expect(seen.highestModSeq == 2)
            #expect(spool.unchanged(uniqueID: record.uniqueID, since: 2))
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 1))

            // A commit is known before the call that made it returns.
            try appendText(spool, "user.alice", sampleMessage(2))
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 2))
            #expect(spool.unchanged(uniqueID: record.uniqueID, since: 3))
            _ = try spool.store("user.alice", uids: [1], .add, ["\\Flagged"], user: "alice")
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 3))
            _ = try spool.expunge("user.alice", uids: [2])
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 4))
            #expect(spool.unchanged(uniqueID: record.uniqueID, since: 5))
            _ = stream
        }
    }

    @Test("unchanged: forgotten when the last observer goes and when the mailbox is renamed")
    func forgotten() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            var stream: AsyncStream<UInt64>? = spool.observe(uniqueID: record.uniqueID)
            _ = try spool.changes("user.alice", since: 0, user: "alice")
            #expect(spool.unchanged(uniqueID: record.uniqueID, since: 1))
            stream = nil
            _ = stream
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 1))

            let again = spool.observe(uniqueID: record.uniqueID)
            _ = try spool.changes("user.alice", since: 0, user: "alice")
            #expect(spool.unchanged(uniqueID: record.uniqueID, since: 1))
            try spool.renameMailbox("user.alice", to: "user.alice2")
            #expect(!spool.unchanged(uniqueID: record.uniqueID, since: 1))
            _ = again
        }
    }
}
