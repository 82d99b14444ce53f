import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import Spool

@Suite struct SpoolCopyTests {
    @Test("COPY hard-links the file and reports source and destination UIDs")
    func copyLinks() async throws {
        try await withSpool { spool, _ in
            let src = try spool.createMailbox("user.alice", acl: "")
            let dst = try spool.createMailbox("user.alice.Archive", acl: "")
            try appendText(spool, "user.alice.Archive", sampleMessage(0))
            for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n), flags: n == 2 ? ["\\Flagged"] : []) }
            let result = try spool.copy("user.alice", uids: [3, 2, 42], to: "user.alice.Archive", user: "alice")
            #expect(result.uidValidity == dst.uidValidity)
            #expect(result.sourceUIDs == [2, 3])
            #expect(result.destinationUIDs == [2, 3])
            #expect(result.expunged.isEmpty)
            for (s, d) in zip(result.sourceUIDs, result.destinationUIDs) {
                let a = try #require(statOf(spool.messagePath(src, uid: s)))
                let b = try #require(statOf(spool.messagePath(dst, uid: d)))
                #expect(a.st_ino == b.st_ino)
                #expect(a.st_nlink == 2)
            }
            let copied = try spool.messages("user.alice.Archive", user: "alice").1
            #expect(copied.map(\.uid) == [1, 2, 3])
            #expect(copied[1].flags == ["\\Flagged"])
            let original = try spool.messages("user.alice", user: "alice").1
            #expect(copied[1].guid == original[1].guid)
            #expect(copied[1].internalDate == original[1].internalDate)
            #expect(try spool.messages("user.alice", user: "alice").1.count == 3)
            #expect(spool.mailbox(named: "user.alice.Archive")?.uidNext == 4)
        }
    }

    @Test("COPY of no existing UIDs does nothing")
    func copyNothing() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.alice.b", acl: "")
            let result = try spool.copy("user.alice", uids: [1], to: "user.alice.b", user: "alice")
            #expect(result.sourceUIDs.isEmpty && result.destinationUIDs.isEmpty)
            #expect(spool.mailbox(named: "user.alice.b")?.highestModSeq == 1)
        }
    }

    @Test("COPY to a missing mailbox fails with nonexistent")
    func copyNonexistent() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            expectSpoolError(.nonexistent) { _ = try spool.copy("user.alice", uids: [1], to: "user.alice.x", user: "alice") }
        }
    }

    @Test("MOVE expunges the source after the destination commits")
    func move() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let dst = try spool.createMailbox("user.alice.Trash", acl: "")
            for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n)) }
            let mark = try #require(spool.mailbox(named: "user.alice")).highestModSeq
            let result = try spool.copy("user.alice", uids: [1, 3], to: "user.alice.Trash", user: "alice", move: true)
            #expect(result.sourceUIDs == [1, 3])
            #expect(result.destinationUIDs == [1, 2])
            #expect(result.expunged == [1, 3])
            #expect(try spool.messages("user.alice", user: "alice").1.map(\.uid) == [2])
            #expect(try spool.changes("user.alice", since: mark, user: "alice").expunged == [1, 3])
            #expect(try spool.messageBytes(dst, uid: 2) == Array(sampleMessage(3).utf8))
        }
    }

    @Test("COPY across owners links into the other owner and keeps flags")
    func copyAcrossOwners() async throws {
        try await withSpool { spool, _ in
            let src = try spool.createMailbox("user.alice", acl: "")
            let dst = try spool.createMailbox("shared.team", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1), flags: ["\\Seen", "$Work"])
            let result = try spool.copy("user.alice", uids: [1], to: "shared.team", user: "alice")
            #expect(result.destinationUIDs == [1])
            let a = try #require(statOf(spool.messagePath(src, uid: 1)))
            let b = try #require(statOf(spool.messagePath(dst, uid: 1)))
            #expect(a.st_ino == b.st_ino)
            #expect(try flags(spool, "shared.team", 1, user: "alice") == ["\\Seen", "$Work"])
            #expect(try flags(spool, "shared.team", 1, user: "bob") == ["$Work"])
            #expect(try spool.quota(root: "shared") == nil)
        }
    }

    @Test("COPY is refused over the destination's quota and leaves no files")
    func copyQuota() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: "")
            let dst = try spool.createMailbox("shared.team", acl: "")
            for n in 1...3 { try appendText(spool, "user.alice", sampleMessage(n)) }
            try spool.setQuota(root: "shared", storageKiB: nil, messages: 2)
            expectSpoolError(.overQuota) { _ = try spool.copy("user.alice", uids: [1, 2, 3], to: "shared.team", user: "alice") }
            #expect(try spool.messages("shared.team", user: nil).1.isEmpty)
            #expect(messageFiles(root + "/owners/shared/mbox/\(dst.uniqueID)").isEmpty)
            #expect(try spool.copy("user.alice", uids: [1, 2], to: "shared.team", user: "alice").destinationUIDs == [1, 2])
        }
    }

    @Test("COPY within an owner counts against that owner's quota")
    func copyQuotaSameOwner() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.alice.b", acl: "")
            for n in 1...2 { try appendText(spool, "user.alice", sampleMessage(n)) }
            try spool.setQuota(root: "user.alice", storageKiB: nil, messages: 3)
            expectSpoolError(.overQuota) { _ = try spool.copy("user.alice", uids: [1, 2], to: "user.alice.b", user: "alice") }
            let moved = try spool.copy("user.alice", uids: [1, 2], to: "user.alice.b", user: "alice", move: true)
            #expect(moved.expunged == [1, 2])
        }
    }
}
