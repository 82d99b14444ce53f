import Foundation
import Testing

@testable import Spool

@Suite struct SpoolMailboxTests {
    static let acl = "alice\tlrswipkxtecdan\t"

    @Test("a new mailbox starts at UID 1 and modseq 1 in its owner's catalog entry")
    func create() async throws {
        try await withSpool { spool, root in
            let record = try spool.createMailbox("user.alice.Sent", acl: Self.acl, specialUse: ["\\Sent"])
            #expect(record.name == "user.alice.Sent")
            #expect(record.owner == "user.alice")
            #expect(record.uidNext == 1)
            #expect(record.highestModSeq == 1)
            #expect(record.acl == Self.acl)
            #expect(record.specialUse == ["\\Sent"])
            #expect(record.partition == "default")
            #expect(spool.mailbox(named: "user.alice.Sent") == record)
            #expect(FileIO.exists(root + "/owners/user.alice/index.sqlite"))
            let nameFile = try FileIO.read(root + "/owners/user.alice/mbox/\(record.uniqueID)/mailbox.name")
            #expect(String(decoding: nameFile, as: UTF8.self) == "user.alice.Sent\n")
        }
    }

    @Test("the catalog lists every owner's mailboxes sorted by name")
    func catalog() async throws {
        try await withSpool { spool, _ in
            for name in ["user.bob", "shared.memo", "user.alice", "user.alice.Sent"] {
                try spool.createMailbox(name, acl: "")
            }
            #expect(spool.mailboxes().map(\.name) == ["shared.memo", "user.alice", "user.alice.Sent", "user.bob"])
            #expect(spool.mailboxes().map(\.owner) == ["shared", "user.alice", "user.alice", "user.bob"])
        }
    }

    @Test("creating an existing mailbox fails with alreadyExists")
    func createTwice() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            expectSpoolError(.alreadyExists) { try spool.createMailbox("user.alice", acl: "") }
            #expect(spool.mailboxes().count == 1)
        }
    }

    @Test("bad names are refused on create and rename", arguments: ["", "user..x", "user.x.", "user.a\u{0}b"])
    func badName(name: String) async throws {
        try await withSpool { spool, _ in
            expectSpoolError(.badName) { try spool.createMailbox(name, acl: "") }
            try spool.createMailbox("user.alice", acl: "")
            expectSpoolError(.badName) { try spool.renameMailbox("user.alice", to: name) }
        }
    }

    @Test("uniqueid is a random version 4 UUID, distinct over many creates")
    func uniqueIDs() async throws {
        try await withSpool { spool, _ in
            var seen: Set<String> = []
            for i in 0..<60 {
                let record = try spool.createMailbox("user.alice.f\(i)", acl: "")
                let uuid = try #require(UUID(uuidString: record.uniqueID))
                #expect(uuid.uuid.6 >> 4 == 4, "version nibble of \(record.uniqueID)")
                #expect(uuid.uuid.8 >> 6 == 2, "variant bits of \(record.uniqueID)")
                seen.insert(record.uniqueID)
            }
            #expect(seen.count == 60)
        }
    }

    @Test("UIDVALIDITY strictly increases when a name is deleted and re-created")
    func uidValidityIncreases() async throws {
        try await withSpool { spool, _ in
            var last: UInt32 = 0
            var ids: Set<String> = []
            for _ in 0..<5 {
                let record = try spool.createMailbox("shared.memo", acl: "")
                #expect(record.uidValidity > last)
                last = record.uidValidity
                ids.insert(record.uniqueID)
                try spool.deleteMailbox("shared.memo")
            }
            #expect(ids.count == 5)
        }
    }

    @Test("deleting a mailbox removes its files; the owner folder goes with its last mailbox")
    func delete() async throws {
        try await withSpool { spool, root in
            let inbox = try spool.createMailbox("user.alice", acl: "")
            let sent = try spool.createMailbox("user.alice.Sent", acl: "")
            try appendText(spool, "user.alice.Sent", sampleMessage(1))
            try spool.deleteMailbox("user.alice.Sent")
            #expect(spool.mailbox(named: "user.alice.Sent") == nil)
            #expect(!FileIO.exists(root + "/owners/user.alice/mbox/\(sent.uniqueID)"))
            #expect(FileIO.exists(root + "/owners/user.alice/mbox/\(inbox.uniqueID)"))
            expectSpoolError(.nonexistent) { _ = try spool.messages("user.alice.Sent", user: "alice") }
            try spool.deleteMailbox("user.alice")
            #expect(!FileIO.exists(root + "/owners/user.alice"))
            #expect(spool.mailboxes().isEmpty)
        }
    }

    @Test("operations on a missing mailbox fail with nonexistent")
    func nonexistent() async throws {
        try await withSpool { spool, _ in
            expectSpoolError(.nonexistent) { try spool.deleteMailbox("user.nobody") }
            expectSpoolError(.nonexistent) { try spool.renameMailbox("user.nobody", to: "user.nobody2") }
            expectSpoolError(.nonexistent) { _ = try spool.stage(for: "user.nobody") }
            expectSpoolError(.nonexistent) { _ = try spool.messages("user.nobody", user: nil) }
            expectSpoolError(.nonexistent) { _ = try spool.status("user.nobody", user: nil) }
            expectSpoolError(.nonexistent) { try spool.setACL("user.nobody", "") }
            expectSpoolError(.nonexistent) { _ = try spool.expunge("user.nobody", uids: nil) }
        }
    }

    @Test("rename within an owner keeps uniqueid, UIDVALIDITY and messages")
    func renameWithinOwner() async throws {
        try await withSpool { spool, root in
            let before = try spool.createMailbox("user.alice.old", acl: Self.acl)
            let uid = try appendText(spool, "user.alice.old", sampleMessage(1), flags: ["\\Flagged"])
            try spool.renameMailbox("user.alice.old", to: "user.alice.new")
            #expect(spool.mailbox(named: "user.alice.old") == nil)
            let after = try #require(spool.mailbox(named: "user.alice.new"))
            #expect(after.uniqueID == before.uniqueID)
            #expect(after.uidValidity == before.uidValidity)
            #expect(after.uidNext == 2)
            #expect(try flags(spool, "user.alice.new", uid, user: "alice") == ["\\Flagged"])
            #expect(try spool.messageBytes(after, uid: uid) == Array(sampleMessage(1).utf8))
            let nameFile = try FileIO.read(root + "/owners/user.alice/mbox/\(after.uniqueID)/mailbox.name")
            #expect(String(decoding: nameFile, as: UTF8.self) == "user.alice.new\n")
        }
    }

    @Test("rename onto an existing name fails with alreadyExists and changes nothing")
    func renameOntoExisting() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice.a", acl: "")
            try spool.createMailbox("user.alice.b", acl: "")
            try spool.createMailbox("shared.c", acl: "")
            expectSpoolError(.alreadyExists) { try spool.renameMailbox("user.alice.a", to: "user.alice.b") }
            expectSpoolError(.alreadyExists) { try spool.renameMailbox("user.alice.a", to: "shared.c") }
            #expect(spool.mailboxes().map(\.name) == ["shared.c", "user.alice.a", "user.alice.b"])
        }
    }

    @Test("rename across owners moves the messages with their flags and per-user \\Seen")
    func renameAcrossOwners() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.alice", acl: Self.acl)
            let before = try spool.createMailbox("user.alice.x", acl: Self.acl)
            let one = try appendText(spool, "user.alice.x", sampleMessage(1), flags: ["\\Flagged", "\\Seen", "$Work"])
            let two = try appendText(spool, "user.alice.x", sampleMessage(2))
            _ = try spool.store("user.alice.x", uids: [two], .add, ["\\Seen"], user: "bob")
            try spool.renameMailbox("user.alice.x", to: "shared.x")

            #expect(spool.mailbox(named: "user.alice.x") == nil)
            let after = try #require(spool.mailbox(named: "shared.x"))
            #expect(after.owner == "shared")
            #expect(after.uniqueID == before.uniqueID)
            #expect(after.uidValidity == before.uidValidity)
            #expect(after.uidNext == 3)
            #expect(try flags(spool, "shared.x", one, user: "alice") == ["\\Flagged", "\\Seen", "$Work"])
            #expect(try flags(spool, "shared.x", two, user: "alice") == [])
            #expect(try flags(spool, "shared.x", one, user: "bob") == ["\\Flagged", "$Work"])
            #expect(try flags(spool, "shared.x", two, user: "bob") == ["\\Seen"])
            #expect(try spool.messageBytes(after, uid: one) == Array(sampleMessage(1).utf8))
            #expect(try spool.messageBytes(after, uid: two) == Array(sampleMessage(2).utf8))
            #expect(!FileIO.exists(root + "/owners/user.alice/mbox/\(before.uniqueID)"))
            #expect(messageFiles(root + "/owners/shared/mbox/\(after.uniqueID)") == ["1.eml", "2.eml"])
            #expect(try appendText(spool, "shared.x", sampleMessage(3)) == 3)
        }
    }

    @Test("rename of a user's only mailbox to a shared name removes the user's folder")
    func renameLastMailbox() async throws {
        try await withSpool { spool, root in
            try spool.createMailbox("user.carol", acl: "")
            try appendText(spool, "user.carol", sampleMessage(1))
            try spool.renameMailbox("user.carol", to: "shared.carol")
            #expect(!FileIO.exists(root + "/owners/user.carol"))
            #expect(try spool.messages("shared.carol", user: nil).1.count == 1)
        }
    }

    @Test("ACL and special-use changes reach the catalog")
    func aclAndSpecialUse() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice.Trash", acl: "")
            try spool.setACL("user.alice.Trash", Self.acl)
            try spool.setSpecialUse("user.alice.Trash", ["\\Trash"])
            let record = try #require(spool.mailbox(named: "user.alice.Trash"))
            #expect(record.acl == Self.acl)
            #expect(record.specialUse == ["\\Trash"])
        }
    }

    @Test("a reopened spool knows every mailbox")
    func reopen() async throws {
        try await withTempFolder { root in
            let created: [MailboxRecord]
            do {
                let spool = try Spool(root: root)
                created = [
                    try spool.createMailbox("user.alice", acl: Self.acl),
                    try spool.createMailbox("example.com!user.bob", acl: ""),
                    try spool.createMailbox("shared.a b", acl: ""),
                ]
                try appendText(spool, "user.alice", sampleMessage(1))
            }
            let spool = try Spool(root: root)
            #expect(spool.mailboxes().map(\.uniqueID).sorted() == created.map(\.uniqueID).sorted())
            #expect(spool.mailbox(named: "user.alice")?.uidNext == 2)
        }
    }
}
