import Testing

@testable import Spool

@Suite struct SpoolQuotaTests {
    @Test("a root without limits has no quota; a root without mailboxes cannot get one")
    func noQuota() async throws {
        try await withSpool { spool, _ in
            #expect(try spool.quota(root: "user.alice") == nil)
            expectSpoolError(.nonexistent) { try spool.setQuota(root: "user.alice", storageKiB: 10, messages: nil) }
            try spool.createMailbox("user.alice", acl: "")
            #expect(try spool.quota(root: "user.alice") == nil)
        }
    }

    @Test("quota(root:) reports limits and the usage of every mailbox of the root")
    func usage() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.alice.Sent", acl: "")
            try spool.createMailbox("user.bob", acl: "")
            try appendText(spool, "user.alice", String(repeating: "a", count: 1500))
            try appendText(spool, "user.alice.Sent", String(repeating: "b", count: 100))
            try appendText(spool, "user.bob", String(repeating: "c", count: 5000))
            try spool.setQuota(root: "user.alice", storageKiB: 100, messages: 10)
            let quota = try #require(try spool.quota(root: "user.alice"))
            #expect(quota.root == "user.alice")
            #expect(quota.storageLimitKiB == 100)
            #expect(quota.messageLimit == 10)
            #expect(quota.storageUsedBytes == 1600)
            #expect(quota.storageUsedKiB == 2)
            #expect(quota.messagesUsed == 2)
        }
    }

    @Test("the STORAGE limit refuses an append that would pass it")
    func storageLimit() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.setQuota(root: "user.alice", storageKiB: 1, messages: nil)
            try appendText(spool, "user.alice", String(repeating: "a", count: 1000))
            expectSpoolError(.overQuota) { try appendText(spool, "user.alice", String(repeating: "a", count: 25)) }
            try appendText(spool, "user.alice", String(repeating: "a", count: 24))
            #expect(try spool.quota(root: "user.alice")?.storageUsedBytes == 1024)
        }
    }

    @Test("the MESSAGE limit refuses the message past it")
    func messageLimit() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("shared.memo", acl: "")
            try spool.createMailbox("shared.memo.old", acl: "")
            try spool.setQuota(root: "shared", storageKiB: nil, messages: 2)
            try appendText(spool, "shared.memo", sampleMessage(1))
            try appendText(spool, "shared.memo.old", sampleMessage(2))
            expectSpoolError(.overQuota) { try appendText(spool, "shared.memo", sampleMessage(3)) }
            _ = try spool.expunge("shared.memo", uids: [1])
            try appendText(spool, "shared.memo", sampleMessage(4))
        }
    }

    @Test("setting both limits to nil removes the quota")
    func removal() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.setQuota(root: "user.alice", storageKiB: 0, messages: 0)
            expectSpoolError(.overQuota) { try appendText(spool, "user.alice", "x") }
            try spool.setQuota(root: "user.alice", storageKiB: nil, messages: nil)
            #expect(try spool.quota(root: "user.alice") == nil)
            try appendText(spool, "user.alice", "x")
        }
    }

    @Test("a quota survives reopening the spool")
    func persists() async throws {
        try await withTempFolder { root in
            do {
                let spool = try Spool(root: root)
                try spool.createMailbox("user.alice", acl: "")
                try spool.setQuota(root: "user.alice", storageKiB: 5, messages: nil)
            }
            let spool = try Spool(root: root)
            #expect(try spool.quota(root: "user.alice")?.storageLimitKiB == 5)
            #expect(try spool.quota(root: "user.alice")?.messageLimit == nil)
        }
    }
}
