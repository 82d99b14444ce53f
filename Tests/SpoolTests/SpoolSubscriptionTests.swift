import Testing

@testable import Spool

@Suite struct SpoolSubscriptionTests {
    @Test("a user without mailboxes has no subscriptions and cannot subscribe")
    func noOwner() async throws {
        try await withSpool { spool, _ in
            #expect(spool.subscriptions(user: "alice").isEmpty)
            expectSpoolError(.nonexistent) { try spool.subscribe(user: "alice", "shared.memo") }
        }
    }

    @Test("subscribe and unsubscribe, sorted and without duplicates, per user")
    func subscribe() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.bob", acl: "")
            try spool.subscribe(user: "alice", "user.alice.Sent")
            try spool.subscribe(user: "alice", "shared.memo")
            try spool.subscribe(user: "alice", "shared.memo")
            try spool.subscribe(user: "bob", "user.bob")
            #expect(spool.subscriptions(user: "alice") == ["shared.memo", "user.alice.Sent"])
            #expect(spool.subscriptions(user: "bob") == ["user.bob"])
            try spool.unsubscribe(user: "alice", "shared.memo")
            try spool.unsubscribe(user: "alice", "never.subscribed")
            #expect(spool.subscriptions(user: "alice") == ["user.alice.Sent"])
        }
    }

    @Test("deleting a mailbox drops its owner's subscription to it")
    func deleteDropsSubscription() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.alice.Old", acl: "")
            try spool.subscribe(user: "alice", "user.alice.Old")
            try spool.deleteMailbox("user.alice.Old")
            #expect(spool.subscriptions(user: "alice").isEmpty)
        }
    }

    @Test("subscriptions survive reopening the spool")
    func persists() async throws {
        try await withTempFolder { root in
            do {
                let spool = try Spool(root: root)
                try spool.createMailbox("example.com!user.al^ice", acl: "")
                try spool.subscribe(user: "al.ice@example.com", "example.com!user.al^ice")
            }
            let spool = try Spool(root: root)
            #expect(spool.subscriptions(user: "al.ice@example.com") == ["example.com!user.al^ice"])
        }
    }
}

@Suite struct SpoolMetadataTests {
    @Test("private entries are per user and apart from shared ones")
    func privateAndShared() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("shared.memo", acl: "")
            try spool.setMetadata("shared.memo", user: "alice", [("/private/comment", Array("mine".utf8))])
            try spool.setMetadata("shared.memo", user: nil, [("/shared/comment", Array("ours".utf8))])
            let alice = try spool.metadata("shared.memo", user: "alice", entries: [])
            #expect(alice.map(\.0) == ["/private/comment"])
            #expect(alice.map(\.1) == [Array("mine".utf8)])
            #expect(try spool.metadata("shared.memo", user: "bob", entries: []).isEmpty)
            let shared = try spool.metadata("shared.memo", user: nil, entries: [])
            #expect(shared.map(\.0) == ["/shared/comment"])
            #expect(shared.map(\.1) == [Array("ours".utf8)])
        }
    }

    @Test("entry names are case-insensitive and a set replaces the old value")
    func caseAndReplace() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.setMetadata("user.alice", user: nil, [("/shared/Comment", [1])])
            try spool.setMetadata("user.alice", user: nil, [("/SHARED/comment", [2, 0, 255])])
            let all = try spool.metadata("user.alice", user: nil, entries: ["/Shared/COMMENT"])
            #expect(all.count == 1)
            #expect(all.first?.1 == [2, 0, 255])
        }
    }

    @Test("asking for an entry returns it and its descendants only")
    func entryFilter() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.setMetadata(
                "user.alice", user: nil,
                [("/shared/a", [1]), ("/shared/a/b", [2]), ("/shared/ab", [3]), ("/shared/c", [4])]
            )
            let a = try spool.metadata("user.alice", user: nil, entries: ["/shared/a"])
            #expect(a.map(\.0) == ["/shared/a", "/shared/a/b"])
            let c = try spool.metadata("user.alice", user: nil, entries: ["/shared/c", "/shared/none"])
            #expect(c.map(\.0) == ["/shared/c"])
        }
    }

    @Test("a nil value removes an entry; several changes apply together")
    func removal() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.setMetadata("user.alice", user: "alice", [("/private/a", [1]), ("/private/b", [2])])
            try spool.setMetadata("user.alice", user: "alice", [("/private/a", nil), ("/private/c", [3])])
            #expect(try spool.metadata("user.alice", user: "alice", entries: []).map(\.0) == ["/private/b", "/private/c"])
        }
    }

    @Test("server entries live under the empty mailbox name")
    func server() async throws {
        try await withTempFolder { root in
            do {
                let spool = try Spool(root: root)
                try spool.setMetadata("", user: nil, [("/shared/admin", Array("mailto:postmaster@example.com".utf8))])
                try spool.setMetadata("", user: "alice", [("/private/vendor/x", [7])])
                #expect(try spool.metadata("", user: nil, entries: []).map(\.0) == ["/shared/admin"])
                #expect(try spool.metadata("", user: "alice", entries: []).map(\.0) == ["/private/vendor/x"])
                #expect(spool.mailboxes().isEmpty)
            }
            let spool = try Spool(root: root)
            #expect(try spool.metadata("", user: nil, entries: []).first?.1 == Array("mailto:postmaster@example.com".utf8))
            #expect(spool.mailboxes().isEmpty)
        }
    }

    @Test("metadata follows a rename and goes with a delete")
    func renameAndDelete() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try spool.createMailbox("user.alice.a", acl: "")
            try spool.setMetadata("user.alice.a", user: nil, [("/shared/comment", [1])])
            try spool.renameMailbox("user.alice.a", to: "user.alice.b")
            #expect(try spool.metadata("user.alice.b", user: nil, entries: []).count == 1)
            try spool.renameMailbox("user.alice.b", to: "shared.b")
            #expect(try spool.metadata("shared.b", user: nil, entries: []).count == 1)
            try spool.deleteMailbox("shared.b")
            try spool.createMailbox("shared.b", acl: "")
            #expect(try spool.metadata("shared.b", user: nil, entries: []).isEmpty)
            expectSpoolError(.nonexistent) { _ = try spool.metadata("user.alice.zz", user: nil, entries: []) }
        }
    }
}
