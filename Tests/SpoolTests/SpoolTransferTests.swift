import Foundation
import Testing

@testable import Spool

/// Moving a whole owner between two spools (XFER): export from one, stage, install in the other.
@Suite struct SpoolTransferTests {
    /// Copies every file of `owner` from `source` into `destination`'s staging, then the index.
    func copyOwner(_ owner: String, from source: Spool, to destination: Spool, root: String) throws {
        for file in source.ownerFiles(owner) {
            let bytes = try FileIO.read(source.ownerFilePath(owner, file.path))
            try destination.stageTransferFile(owner: owner, path: file.path, bytes: bytes)
        }
        let snapshot = root + "/snapshot.sqlite"
        try source.snapshotIndex(owner: owner, to: snapshot)
        try destination.stageTransferFile(owner: owner, path: "index.sqlite", bytes: try FileIO.read(snapshot))
    }

    @Test("an owner installed elsewhere keeps UIDs, UIDVALIDITY, uniqueids, modseqs, flags, subscriptions and quota")
    func roundTrip() async throws {
        try await withTempFolder { root in
            let source = try Spool(root: root + "/a")
            let destination = try Spool(root: root + "/b")
            try source.createMailbox("user.bob", acl: "bob\tlrswipkxtecdan\t")
            try source.createMailbox("user.bob.Sent", acl: "bob\tlrswipkxtecdan\t")
            for n in 1...5 { try appendText(source, "user.bob", sampleMessage(n), flags: n == 2 ? ["\\Flagged"] : [], user: "bob") }
            try appendText(source, "user.bob.Sent", sampleMessage(9), user: "bob")
            try source.subscribe(user: "bob", "user.bob.Sent")
            try source.setQuota(root: "user.bob", storageKiB: 100, messages: 50)
            let before = try source.messages("user.bob", user: "bob")
            let sentBefore = try #require(source.mailbox(named: "user.bob.Sent"))

            try source.freeze(owner: "user.bob")
            try copyOwner("user.bob", from: source, to: destination, root: root)
            let installed = try destination.commitTransfer(owner: "user.bob")
            #expect(installed.map(\.name) == ["user.bob", "user.bob.Sent"])
            source.removeOwner("user.bob")

            let after = try destination.messages("user.bob", user: "bob")
            #expect(after.0.uidValidity == before.0.uidValidity && after.0.uniqueID == before.0.uniqueID)
            #expect(after.0.uidNext == before.0.uidNext && after.0.highestModSeq == before.0.highestModSeq)
            #expect(after.1 == before.1)
            #expect(destination.mailbox(named: "user.bob.Sent")?.uidValidity == sentBefore.uidValidity)
            #expect(destination.subscriptions(user: "bob") == ["user.bob.Sent"])
            #expect(try destination.quota(root: "user.bob")?.messageLimit == 50)
            #expect(try destination.messageBytes(after.0, uid: 3) == Array(sampleMessage(3).utf8))
            // The destination takes new mail after the last UID; the source has no trace.
            #expect(try appendText(destination, "user.bob", sampleMessage(6), user: "bob") == 6)
            #expect(source.mailboxes(ofOwner: "user.bob").isEmpty)
            #expect(!FileIO.exists(root + "/a/owners/user.bob"))
            #expect(source.wasMovedAway("user.bob.Sent"))
            expectSpoolError(.moving) { try source.createMailbox("user.bob.New", acl: "") }
        }
    }

    @Test("a frozen owner refuses every write and still reads; unfreezing lets writes through")
    func freeze() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            try spool.freeze(owner: "user.alice")
            #expect(spool.isFrozen(owner: "user.alice"))
            expectSpoolError(.moving) { try appendText(spool, "user.alice", sampleMessage(2)) }
            expectSpoolError(.moving) { _ = try spool.store("user.alice", uids: [1], .add, ["\\Seen"], user: "alice") }
            expectSpoolError(.moving) { try spool.expunge("user.alice", uids: [1]) }
            expectSpoolError(.moving) { try spool.createMailbox("user.alice.x", acl: "") }
            expectSpoolError(.moving) { try spool.subscribe(user: "alice", "user.alice") }
            #expect(try spool.messages("user.alice", user: "alice").1.count == 1)
            // Other owners are untouched.
            try spool.createMailbox("user.bob", acl: "")
            spool.unfreeze(owner: "user.alice")
            #expect(try appendText(spool, "user.alice", sampleMessage(2)) == 2)
        }
    }

    @Test(
        "XFERPUT paths other than index.sqlite and mbox/<uniqueid>/<uid>.eml are refused",
        arguments: [
            "../index.sqlite", "mbox/../../x/1.eml", "mbox/abc/0.eml", "mbox/abc/01.eml", "mbox/abc/1.txt", "/etc/passwd",
            "mbox/a b/1.eml", "mbox/abc/1.eml/x", "index.sqlite-wal", "mbox/abc/4294967295.eml", "",
        ]
    )
    func badPaths(path: String) async throws {
        try await withSpool { spool, root in
            expectSpoolError(.badName) { try spool.stageTransferFile(owner: "user.bob", path: path, bytes: [1]) }
            #expect(!FileIO.exists(root + "/xfer/user.bob") || FileIO.list(root + "/xfer/user.bob").isEmpty)
        }
    }

    @Test("owner names that are not owner keys are refused", arguments: ["user.bob.Sent", "", "shared.memo", "a..b"])
    func badOwners(owner: String) async throws {
        try await withSpool { spool, _ in
            expectSpoolError(.badName) { try spool.stageTransferFile(owner: owner, path: "index.sqlite", bytes: [1]) }
        }
    }

    @Test("commit refuses a copy missing a file or with a wrong size, an owner already here, and nothing staged")
    func commitChecks() async throws {
        try await withTempFolder { root in
            let source = try Spool(root: root + "/a")
            let destination = try Spool(root: root + "/b")
            try source.createMailbox("user.bob", acl: "")
            try appendText(source, "user.bob", sampleMessage(1), user: "bob")
            try appendText(source, "user.bob", sampleMessage(2), user: "bob")
            expectSpoolError(.nonexistent) { _ = try destination.commitTransfer(owner: "user.bob") }
            try copyOwner("user.bob", from: source, to: destination, root: root)
            let uniqueID = try #require(source.mailbox(named: "user.bob")).uniqueID
            try destination.stageTransferFile(owner: "user.bob", path: "mbox/\(uniqueID)/2.eml", bytes: [1, 2, 3])
            expectSpoolError(.io) { _ = try destination.commitTransfer(owner: "user.bob") }
            FileIO.remove(root + "/b/xfer/user.bob/mbox/\(uniqueID)/2.eml")
            expectSpoolError(.io) { _ = try destination.commitTransfer(owner: "user.bob") }
            try destination.abortTransfer(owner: "user.bob")
            #expect(!FileIO.exists(root + "/b/xfer/user.bob"))
            // An owner that already lives on the destination.
            try destination.createMailbox("user.bob", acl: "")
            expectSpoolError(.alreadyExists) {
                try destination.stageTransferFile(owner: "user.bob", path: "index.sqlite", bytes: [1])
            }
        }
    }

    @Test("files staged but never committed are dropped at start-up")
    func stagingDroppedAtStart() async throws {
        try await withTempFolder { root in
            do {
                let spool = try Spool(root: root)
                try spool.stageTransferFile(owner: "shared", path: "index.sqlite", bytes: [1, 2])
            }
            #expect(FileIO.exists(root + "/xfer/shared/index.sqlite"))
            _ = try Spool(root: root)
            #expect(!FileIO.exists(root + "/xfer"))
        }
    }
}
