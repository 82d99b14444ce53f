import Foundation
import Testing

@testable import Spool

@Suite struct SpoolExpungeTests {
    @Test("EXPUNGE removes every \\Deleted message and leaves tombstones for changes(since:)")
    func expungeDeleted() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            for n in 1...5 { try appendText(spool, "user.alice", sampleMessage(n)) }
            _ = try spool.store("user.alice", uids: [2, 4], .add, ["\\Deleted"], user: "alice")
            let before = try #require(spool.mailbox(named: "user.alice")).highestModSeq
            #expect(try spool.expunge("user.alice", uids: nil) == [2, 4])
            let (record, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.map(\.uid) == [1, 3, 5])
            #expect(record.highestModSeq == before + 1)
            #expect(spool.mailbox(named: "user.alice")?.highestModSeq == before + 1)
            let changes = try spool.changes("user.alice", since: before, user: "alice")
            #expect(changes.expunged == [2, 4])
            #expect(changes.changed.isEmpty)
            #expect(changes.highestModSeq == before + 1)
            #expect(changes.uidNext == 6)
            #expect(try spool.changes("user.alice", since: before + 1, user: "alice").expunged.isEmpty)
        }
    }

    @Test("UID EXPUNGE removes only the given UIDs, \\Deleted or not")
    func expungeByUID() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            for n in 1...4 { try appendText(spool, "user.alice", sampleMessage(n), flags: n == 1 ? ["\\Deleted"] : []) }
            #expect(try spool.expunge("user.alice", uids: [3, 4, 99]) == [3, 4])
            #expect(try spool.messages("user.alice", user: nil).1.map(\.uid) == [1, 2])
        }
    }

    @Test("EXPUNGE with nothing to remove changes nothing")
    func expungeNothing() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            #expect(try spool.expunge("user.alice", uids: nil).isEmpty)
            #expect(try spool.expunge("user.alice", uids: [5]).isEmpty)
            #expect(spool.mailbox(named: "user.alice")?.highestModSeq == 2)
        }
    }

    @Test("changes(since:) reports flag changes and new messages with their modseqs")
    func changesSince() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n)) }  // modseq 2, 3, 4
            let mark = try #require(spool.mailbox(named: "user.alice")).highestModSeq
            _ = try spool.store("user.alice", uids: [1], .add, ["\\Answered"], user: "alice")
            try appendText(spool, "user.alice", sampleMessage(4))
            _ = try spool.expunge("user.alice", uids: [2])
            let changes = try spool.changes("user.alice", since: mark, user: "alice")
            #expect(changes.changed.map(\.uid) == [1, 4])
            #expect(changes.changed.map(\.modSeq) == [mark + 1, mark + 2])
            #expect(changes.changed.first?.flags == ["\\Answered"])
            #expect(changes.expunged == [2])
            #expect(changes.highestModSeq == mark + 3)
            #expect(changes.uidNext == 5)
            let all = try spool.changes("user.alice", since: 0, user: "alice")
            #expect(all.changed.map(\.uid) == [1, 3, 4])
        }
    }

    @Test("changes(since:) shows each user their own \\Seen")
    func changesSeen() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("shared.memo", acl: "")
            try appendText(spool, "shared.memo", sampleMessage(1), user: nil)
            _ = try spool.store("shared.memo", uids: [1], .add, ["\\Seen"], user: "bob")
            #expect(try spool.changes("shared.memo", since: 0, user: "bob").changed.first?.flags == ["\\Seen"])
            #expect(try spool.changes("shared.memo", since: 0, user: "alice").changed.first?.flags == [])
        }
    }

    @Test("expunged files stay for the grace period, then cleanExpunged removes them")
    func cleanExpunged() async throws {
        try await withSpool({ $0.expungedFileGrace = 600 }) { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            _ = try spool.expunge("user.alice", uids: [1])
            let path = spool.messagePath(record, uid: 1)
            spool.cleanExpunged()
            #expect(FileIO.exists(path))
            spool.cleanExpunged(now: Int64(Date.now.timeIntervalSince1970) + 601)
            #expect(!FileIO.exists(path))
            #expect(try spool.changes("user.alice", since: 0, user: nil).expunged == [1])
        }
    }
}
