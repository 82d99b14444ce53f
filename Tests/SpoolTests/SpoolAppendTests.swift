import Foundation
import GRDB
import Testing

@testable import Spool

@Suite struct SpoolAppendTests {
    @Test("UIDs are allocated in order and UIDNEXT and HIGHESTMODSEQ advance")
    func uidsInOrder() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            for n in 1...4 {
                #expect(try appendText(spool, "user.alice", sampleMessage(n)) == UInt32(n))
                let record = try #require(spool.mailbox(named: "user.alice"))
                #expect(record.uidNext == UInt32(n + 1))
                #expect(record.highestModSeq == UInt64(n + 1))
            }
            let (_, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.map(\.uid) == [1, 2, 3, 4])
            #expect(messages.map(\.modSeq) == [2, 3, 4, 5])
        }
    }

    @Test(
        "GUID is the SHA-1 of the bytes (known vectors)",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
            ),
        ]
    )
    func guidVectors(text: String, sha1: String) async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let message = try staged(spool, "user.alice", Array(text.utf8))
            #expect(message.guid == sha1)
            #expect(message.size == Int64(text.utf8.count))
            _ = try spool.append("user.alice", [AppendItem(staged: message, flags: [])], user: "alice")
            let entry = try #require(try spool.messages("user.alice", user: "alice").1.first)
            #expect(entry.guid == sha1)
            #expect(entry.emailID == "M" + sha1.prefix(24))
            #expect(entry.size == Int64(text.utf8.count))
        }
    }

    @Test("bytes written in pieces (past the writeback step) read back equal and their GUID matches sha1sum")
    func bytesRoundTrip() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            var bytes: [UInt8] = []
            var x: UInt32 = 12345
            for _ in 0..<3_000_017 {
                x = x &* 1_103_515_245 &+ 12345
                bytes.append(UInt8(truncatingIfNeeded: x >> 16))
            }
            let message = try spool.stage(for: "user.alice")
            var offset = 0
            for piece in [1, 7, 4096, 65536, 100_000, 1_048_576, 999_999] {
                try message.write(bytes[offset..<offset + piece])
                offset += piece
            }
            try message.write(bytes[offset...])
            try message.seal()
            let result = try spool.append("user.alice", [AppendItem(staged: message, flags: [])], user: "alice")
            #expect(result.uids == [1])
            #expect(result.uidValidity == record.uidValidity)
            #expect(try spool.messageBytes(record, uid: 1) == bytes)
            let path = spool.messagePath(record, uid: 1)
            #expect(try sha1sum([path])[path] == message.guid)
            #expect(try spool.messages("user.alice", user: nil).1.first?.size == 3_000_017)
        }
    }

    @Test("a MULTIAPPEND commits all its messages with one modseq")
    func multiAppend() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            let items = try (1...3).map { n in
                AppendItem(staged: try staged(spool, "user.alice", Array(sampleMessage(n).utf8)), flags: ["\\Draft"])
            }
            let result = try spool.append("user.alice", items, user: "alice")
            #expect(result.uids == [1, 2, 3])
            let (after, messages) = try spool.messages("user.alice", user: "alice")
            #expect(after.uidNext == 4)
            #expect(after.highestModSeq == 2)
            #expect(messages.map(\.modSeq) == [2, 2, 2])
            #expect(messages.allSatisfy { $0.flags == ["\\Draft"] })
            for n in 1...3 {
                #expect(try spool.messageBytes(record, uid: UInt32(n)) == Array(sampleMessage(n).utf8))
            }
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
        }
    }

    @Test("a MULTIAPPEND over quota leaves nothing: no entries, no files, no staged files")
    func multiAppendOverQuota() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            try spool.setQuota(root: "user.alice", storageKiB: nil, messages: 2)
            let items = try (1...3).map { n in
                AppendItem(staged: try staged(spool, "user.alice", Array(sampleMessage(n).utf8)), flags: [])
            }
            expectSpoolError(.overQuota) { _ = try spool.append("user.alice", items, user: "alice") }
            let (after, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.isEmpty)
            #expect(after.uidNext == 1)
            #expect(after.highestModSeq == 1)
            #expect(messageFiles(root + "/owners/user.alice/mbox/\(record.uniqueID)").isEmpty)
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
        }
    }

    @Test("a MULTIAPPEND failing on its second file rolls back the first")
    func multiAppendFailsMidway() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            let items = try (1...3).map { n in
                AppendItem(staged: try staged(spool, "user.alice", Array(sampleMessage(n).utf8)), flags: [])
            }
            FileIO.remove(items[1].staged.path)
            expectSpoolError(.io) { _ = try spool.append("user.alice", items, user: "alice") }
            let (after, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.isEmpty)
            #expect(after.uidNext == 1)
            #expect(messageFiles(root + "/owners/user.alice/mbox/\(record.uniqueID)").isEmpty)
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
            #expect(try appendText(spool, "user.alice", sampleMessage(9)) == 1)
        }
    }

    @Test("a message staged for another owner is refused and its staged files removed")
    func wrongOwner() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.bob", acl: "")
            let good = try staged(spool, "user.alice", Array(sampleMessage(1).utf8))
            let bad = try staged(spool, "user.bob", Array(sampleMessage(2).utf8))
            expectSpoolError(.io) {
                _ = try spool.append(
                    "user.alice", [AppendItem(staged: good, flags: []), AppendItem(staged: bad, flags: [])],
                    user: "alice"
                )
            }
            #expect(try spool.messages("user.alice", user: nil).1.isEmpty)
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
            #expect(FileIO.list(root + "/owners/user.bob/tmp").isEmpty)
        }
    }

    @Test("an unfinished staged message is refused")
    func unfinished() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let message = try spool.stage(for: "user.alice")
            try message.write(Array("abc".utf8))
            expectSpoolError(.io) {
                _ = try spool.append("user.alice", [AppendItem(staged: message, flags: [])], user: "alice")
            }
            #expect(try spool.messages("user.alice", user: nil).1.isEmpty)
        }
    }

    @Test("a message past Options.maxMessageSize is tooBig and its staged file is removed")
    func tooBig() async throws {
        try await withSpool({ $0.maxMessageSize = 16 }) { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            let exact = try staged(spool, "user.alice", Array(repeating: 0x41, count: 16))
            #expect(exact.size == 16)
            let message = try spool.stage(for: "user.alice")
            try message.write(Array(repeating: 0x41, count: 10))
            expectSpoolError(.tooBig) { try message.write(Array(repeating: 0x41, count: 7)) }
            #expect(!FileIO.exists(message.path))
            expectSpoolError(.io) { try message.write(Array(repeating: 0x41, count: 1)) }
            expectSpoolError(.io) { try message.seal() }
            exact.discard()
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
        }
    }

    @Test("a staged message that is dropped unappended leaves no file")
    func droppedStage() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            do {
                let message = try staged(spool, "user.alice", Array("x".utf8))
                #expect(FileIO.exists(message.path))
            }
            #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
        }
    }

    @Test("flags, internal date and zone given on append are kept, in canonical order")
    func appendFlagsAndDate() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let date = Date(timeIntervalSince1970: 1_700_000_000)
            let item = AppendItem(
                staged: try staged(spool, "user.alice", Array(sampleMessage(1).utf8)),
                flags: ["$Junk", "\\seen", "\\Answered", "$junk"], internalDate: date, zoneMinutes: -300
            )
            _ = try spool.append("user.alice", [item], user: "alice")
            let entry = try #require(try spool.messages("user.alice", user: "alice").1.first)
            #expect(entry.flags == ["\\Answered", "\\Seen", "$Junk"])
            #expect(entry.internalDate == 1_700_000_000)
            #expect(entry.zoneMinutes == -300)
        }
    }

    @Test("\\Seen given on append to a shared mailbox is the appending user's only")
    func appendSeenShared() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("shared.memo", acl: "")
            let uid = try appendText(spool, "shared.memo", sampleMessage(1), flags: ["\\Seen", "\\Flagged"], user: "alice")
            #expect(try flags(spool, "shared.memo", uid, user: "alice") == ["\\Flagged", "\\Seen"])
            #expect(try flags(spool, "shared.memo", uid, user: "bob") == ["\\Flagged"])
        }
    }

    @Test("STATUS counts messages, unseen, deleted, recent and size for one user")
    func status() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", "12345", flags: ["\\Seen"])
            try appendText(spool, "user.alice", "1234567", flags: ["\\Deleted"])
            try appendText(spool, "user.alice", "123")
            let status = try spool.status("user.alice", user: "alice")
            #expect(status.messages == 3)
            #expect(status.unseen == 2)
            #expect(status.deleted == 1)
            #expect(status.recent == 3)
            #expect(status.size == 15)
            #expect(status.uidNext == 4)
            #expect(status.mailboxID == record.uniqueID)
            #expect(try spool.claimRecent("user.alice") == 0)
            #expect(try spool.status("user.alice", user: "alice").recent == 0)
            try appendText(spool, "user.alice", "x")
            #expect(try spool.claimRecent("user.alice") == 3)
        }
    }
}

@Suite struct SpoolIndexDurabilityTests {
    /// A commit is durable only when the WAL is synced at every commit (`synchronous = FULL`);
    /// with NORMAL a power loss can take back a transaction that was already acknowledged.
    @Test("the index's writer commits with synchronous = FULL (the WAL is synced at every commit)")
    func writerSyncsEveryCommit() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            let store = try spool.store(for: "user.alice")
            let level = try store.db.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            #expect(level == 2)
            let mode = try store.db.writeWithoutTransaction { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            }
            #expect(mode == "wal")
        }
    }
}
