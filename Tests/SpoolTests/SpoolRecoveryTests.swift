import Foundation
import Testing

@testable import Spool

/// Crashes are simulated by leaving behind, by hand, what a crash at each step could leave,
/// then opening a new spool on the same root (start-up recovery) or running reconstruct.
@Suite struct SpoolRecoveryTests {
    /// Opens a spool on `root`, runs `body`, and releases it before returning.
    @discardableResult
    func session<T>(_ root: String, _ body: (Spool) throws -> T) throws -> T {
        let spool = try Spool(root: root)
        return try body(spool)
    }

    @Test("a staged file left in tmp is removed at start-up")
    func stagedRemoved() async throws {
        try await withTempFolder { root in
            try session(root) { spool in
                try spool.createMailbox("user.alice", acl: "")
                try writeFile(root + "/owners/user.alice/tmp/left.tmp", "half a message")
            }
            try session(root) { _ in
                #expect(FileIO.list(root + "/owners/user.alice/tmp").isEmpty)
            }
        }
    }

    @Test("a message file never committed to the index is removed and UIDNEXT is unaffected")
    func uncommittedFile() async throws {
        try await withTempFolder { root in
            let record = try session(root) { spool in
                let record = try spool.createMailbox("user.alice", acl: "")
                for n in 1...2 { try appendText(spool, "user.alice", sampleMessage(n)) }
                return record
            }
            let folder = root + "/owners/user.alice/mbox/\(record.uniqueID)"
            try writeFile(folder + "/3.eml", sampleMessage(3))
            try writeFile(folder + "/7.eml", sampleMessage(7))
            try session(root) { spool in
                #expect(messageFiles(folder) == ["1.eml", "2.eml"])
                let (after, messages) = try spool.messages("user.alice", user: "alice")
                #expect(messages.map(\.uid) == [1, 2])
                #expect(after.uidNext == 3)
                #expect(spool.mailbox(named: "user.alice")?.uidNext == 3)
                #expect(try appendText(spool, "user.alice", sampleMessage(9)) == 3)
                #expect(try spool.messageBytes(after, uid: 3) == Array(sampleMessage(9).utf8))
            }
        }
    }

    @Test("a mailbox folder without an index row is removed at start-up")
    func uncommittedFolder() async throws {
        try await withTempFolder { root in
            try session(root) { spool in try spool.createMailbox("user.alice", acl: "") }
            let stray = root + "/owners/user.alice/mbox/0b9c5a1e-0000-4000-8000-000000000001"
            try FileIO.makeDirectories(stray)
            try writeFile(stray + "/mailbox.name", "user.alice.Half\n")
            try writeFile(stray + "/1.eml", sampleMessage(1))
            try session(root) { spool in
                #expect(!FileIO.exists(stray))
                #expect(spool.mailboxes().map(\.name) == ["user.alice"])
            }
        }
    }

    @Test("an index entry whose file is gone becomes an expunge")
    func missingFile() async throws {
        try await withTempFolder { root in
            let (record, mark) = try session(root) { spool in
                let record = try spool.createMailbox("user.alice", acl: "")
                for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n)) }
                return (record, try #require(spool.mailbox(named: "user.alice")).highestModSeq)
            }
            FileIO.remove(root + "/owners/user.alice/mbox/\(record.uniqueID)/2.eml")
            try session(root) { spool in
                let (after, messages) = try spool.messages("user.alice", user: "alice")
                #expect(messages.map(\.uid) == [1, 3])
                #expect(after.highestModSeq > mark)
                #expect(try spool.changes("user.alice", since: mark, user: "alice").expunged == [2])
                #expect(spool.mailbox(named: "user.alice")?.highestModSeq == after.highestModSeq)
                #expect(after.uidNext == 4)
            }
        }
    }

    @Test("a mailbox whose whole folder is gone keeps its row, loses its messages")
    func missingFolder() async throws {
        try await withTempFolder { root in
            let record = try session(root) { spool in
                let record = try spool.createMailbox("user.alice", acl: "")
                for n in 1...2 { try appendText(spool, "user.alice", sampleMessage(n)) }
                return record
            }
            FileIO.removeTree(root + "/owners/user.alice/mbox/\(record.uniqueID)")
            try session(root) { spool in
                let (after, messages) = try spool.messages("user.alice", user: "alice")
                #expect(messages.isEmpty)
                #expect(after.uidNext == 3)
                #expect(try appendText(spool, "user.alice", sampleMessage(3)) == 3)
            }
        }
    }

    @Test("expunged files within their grace period survive recovery")
    func tombstonedFileKept() async throws {
        try await withTempFolder { root in
            let record = try session(root) { spool in
                let record = try spool.createMailbox("user.alice", acl: "")
                try appendText(spool, "user.alice", sampleMessage(1))
                _ = try spool.expunge("user.alice", uids: [1])
                return record
            }
            try session(root) { (spool: Spool) throws in
                #expect(FileIO.exists(spool.messagePath(record, uid: 1)))
                #expect(try spool.messages("user.alice", user: nil).1.isEmpty)
            }
        }
    }

    @Test("reconstruct adopts an unknown message file with empty flags")
    func adoptFile() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1), flags: ["\\Flagged"])
            let path = root + "/owners/user.alice/mbox/\(record.uniqueID)/5.eml"
            try writeFile(path, "abc")
            let report = try spool.reconstruct(owner: "user.alice")
            #expect(report.filesAdopted == 1)
            #expect(report.mailboxes == 1)
            #expect(report.messages == 2)
            let (after, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.map(\.uid) == [1, 5])
            #expect(messages[0].flags == ["\\Flagged"])
            #expect(messages[1].flags == [])
            #expect(messages[1].guid == "a9993e364706816aba3e25717850c26c9cd0d89d")
            #expect(messages[1].size == 3)
            #expect(after.uidNext == 6)
            #expect(spool.mailbox(named: "user.alice")?.uidNext == 6)
            #expect(try appendText(spool, "user.alice", sampleMessage(6)) == 6)
        }
    }

    @Test("reconstruct adopts an unknown mailbox folder under its mailbox.name")
    func adoptFolder() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            let uniqueID = "0b9c5a1e-0000-4000-8000-000000000002"
            let folder = root + "/owners/user.alice/mbox/" + uniqueID
            try FileIO.makeDirectories(folder)
            try writeFile(folder + "/mailbox.name", "user.alice.Found\n")
            try writeFile(folder + "/1.eml", sampleMessage(1))
            try writeFile(folder + "/2.eml", sampleMessage(2))
            let report = try spool.reconstruct(owner: "user.alice")
            #expect(report.foldersAdopted == 1)
            #expect(report.filesAdopted == 2)
            #expect(report.mailboxes == 2)
            #expect(report.messages == 2)
            let found = try #require(spool.mailbox(named: "user.alice.Found"))
            #expect(found.uniqueID == uniqueID)
            #expect(found.uidNext == 3)
            let (_, messages) = try spool.messages("user.alice.Found", user: "alice")
            #expect(messages.map(\.uid) == [1, 2])
            #expect(try spool.messageBytes(found, uid: 2) == Array(sampleMessage(2).utf8))
        }
    }

    @Test("reconstruct does not adopt a folder naming another owner's mailbox")
    func foreignFolder() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            let folder = root + "/owners/user.alice/mbox/0b9c5a1e-0000-4000-8000-000000000003"
            try FileIO.makeDirectories(folder)
            try writeFile(folder + "/mailbox.name", "user.bob.Stolen\n")
            let report = try spool.reconstruct(owner: "user.alice")
            #expect(report.foldersAdopted == 0)
            #expect(spool.mailbox(named: "user.bob.Stolen") == nil)
            #expect(!FileIO.exists(folder))
        }
    }

    @Test("files whose names are not usable UIDs are neither adopted nor fatal")
    func oddFileNames() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            let folder = root + "/owners/user.alice/mbox/\(record.uniqueID)"
            for name in ["4294967295.eml", "4294967296.eml", "0.eml", "x.eml", "-1.eml", "notes.txt"] {
                try writeFile(folder + "/" + name, "junk")
            }
            for _ in 0..<2 {
                let report = try spool.reconstruct(owner: "user.alice")
                #expect(report.filesAdopted == 0)
            }
            #expect(spool.mailbox(named: "user.alice")?.uidNext == 1)
            #expect(try appendText(spool, "user.alice", sampleMessage(1)) == 1)
        }
    }

    @Test("reconstruct of an unknown owner fails with nonexistent")
    func unknownOwner() async throws {
        try await withSpool { spool, _ in
            expectSpoolError(.nonexistent) { _ = try spool.reconstruct(owner: "user.nobody") }
        }
    }

    @Test("a deleted index.sqlite is rebuilt from the files at start-up and by reconstruct")
    func rebuildIndex() async throws {
        try await withTempFolder { root in
            let (records, guids) = try session(root) { spool in
                let records = [
                    try spool.createMailbox("user.alice", acl: ""),
                    try spool.createMailbox("user.alice.Sent", acl: ""),
                ]
                for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n), flags: ["\\Seen"]) }
                try appendText(spool, "user.alice.Sent", sampleMessage(4))
                _ = try spool.expunge("user.alice", uids: [2])
                let guids = try spool.messages("user.alice", user: nil).1.map(\.guid)
                return (records, guids)
            }
            for suffix in ["", "-wal", "-shm"] { FileIO.remove(root + "/owners/user.alice/index.sqlite" + suffix) }
            try session(root) { spool in
                #expect(spool.mailboxes().map(\.uniqueID) == records.map(\.uniqueID))
                let report = try spool.reconstruct(owner: "user.alice")
                #expect(report.mailboxes == 2)
                let (inbox, messages) = try spool.messages("user.alice", user: "alice")
                // The expunged message's file was still within its grace period: it comes back.
                #expect(messages.map(\.uid) == [1, 2, 3])
                #expect(messages.map(\.guid).filter(guids.contains) == guids)
                #expect(messages.allSatisfy { $0.flags.isEmpty })
                #expect(inbox.uidNext == 4)
                #expect(try spool.messages("user.alice.Sent", user: nil).1.map(\.uid) == [1])
                #expect(try appendText(spool, "user.alice", sampleMessage(5)) == 4)
            }
        }
    }

    @Test("reconstruct rebuilds an index deleted while the spool is running")
    func rebuildIndexLive() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice", acl: "")
            for n in 1...2 { try appendText(spool, "user.alice", sampleMessage(n)) }
            for suffix in ["", "-wal", "-shm"] { FileIO.remove(root + "/owners/user.alice/index.sqlite" + suffix) }
            let report = try spool.reconstruct(owner: "user.alice")
            #expect(report.foldersAdopted == 1)
            #expect(report.filesAdopted == 2)
            #expect(FileIO.exists(root + "/owners/user.alice/index.sqlite"))
            #expect(spool.mailbox(named: "user.alice")?.uniqueID == record.uniqueID)
            #expect(try spool.messages("user.alice", user: nil).1.map(\.uid) == [1, 2])
            #expect(try appendText(spool, "user.alice", sampleMessage(3)) == 3)
        }
    }
}
