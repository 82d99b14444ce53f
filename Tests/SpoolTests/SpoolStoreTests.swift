import Testing

@testable import Spool

@Suite struct SpoolStoreTests {
    @Test(
        "STORE adds, removes and replaces flags, in canonical order",
        arguments: [
            (["\\Flagged", "$Work"], FlagOperation.add, ["\\Seen"], ["\\Flagged", "\\Seen", "$Work"]),
            (["\\Flagged", "$Work"], .add, ["$work", "\\flagged"], ["\\Flagged", "$Work"]),
            (["\\Flagged", "$Work"], .add, ["$Later", "\\Answered"], ["\\Answered", "\\Flagged", "$Work", "$Later"]),
            (["\\Flagged", "$Work"], .remove, ["$WORK"], ["\\Flagged"]),
            (["\\Flagged", "$Work"], .remove, ["\\flagged", "\\Seen"], ["$Work"]),
            (["\\Flagged", "$Work"], .replace, ["$b", "\\Draft", "$a", "$B"], ["\\Draft", "$b", "$a"]),
            (["\\Flagged", "$Work"], .replace, [], []),
            ([], .add, ["\\Deleted", "\\Answered", "\\Seen", "\\Draft", "\\Flagged"],
             ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]),
        ]
    )
    func flagOperations(initial: [String], op: FlagOperation, given: [String], expected: [String]) async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let uid = try appendText(spool, "user.alice", sampleMessage(1), flags: initial)
            let result = try spool.store("user.alice", uids: [uid], op, given, user: "alice")
            #expect(try flags(spool, "user.alice", uid, user: "alice") == expected)
            #expect(result.updated.first?.flags == (expected == FlagSet.canonical(initial) ? nil : expected))
        }
    }

    @Test("keywords are deduplicated case-insensitively and keep the first spelling")
    func keywordDedupe() {
        #expect(FlagSet.canonical(["$Junk", "$JUNK", "$junk", "Work", "WORK"]) == ["$Junk", "Work"])
        #expect(FlagSet.canonical(["\\SEEN", "\\seen", "\\Recent", "\\Bogus"]) == ["\\Seen"])
    }

    @Test("modseq is bumped only for real changes, and only on changed messages")
    func modSeqOnlyOnChange() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let a = try appendText(spool, "user.alice", sampleMessage(1), flags: ["\\Flagged"])
            let b = try appendText(spool, "user.alice", sampleMessage(2))
            let before = try #require(spool.mailbox(named: "user.alice")).highestModSeq
            let none = try spool.store("user.alice", uids: [a], .add, ["\\flagged"], user: "alice")
            #expect(none.updated.isEmpty)
            #expect(spool.mailbox(named: "user.alice")?.highestModSeq == before)

            let some = try spool.store("user.alice", uids: [a, b], .add, ["\\Flagged"], user: "alice")
            #expect(some.updated.map(\.uid) == [b])
            #expect(some.updated.first?.modSeq == before + 1)
            let (record, messages) = try spool.messages("user.alice", user: "alice")
            #expect(record.highestModSeq == before + 1)
            #expect(messages.first { $0.uid == a }?.modSeq == before - 1)
            #expect(messages.first { $0.uid == b }?.modSeq == before + 1)
        }
    }

    @Test("STORE on UIDs that do not exist changes nothing")
    func missingUIDs() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            try appendText(spool, "user.alice", sampleMessage(1))
            let result = try spool.store("user.alice", uids: [7, 8], .add, ["\\Seen"], user: "alice")
            #expect(result.updated.isEmpty && result.modified.isEmpty)
            #expect(spool.mailbox(named: "user.alice")?.highestModSeq == 2)
        }
    }

    @Test("UNCHANGEDSINCE leaves newer messages alone and reports them as modified")
    func unchangedSince() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let a = try appendText(spool, "user.alice", sampleMessage(1))  // modseq 2
            let b = try appendText(spool, "user.alice", sampleMessage(2))  // modseq 3
            _ = try spool.store("user.alice", uids: [b], .add, ["$x"], user: "alice")  // b: modseq 4
            let result = try spool.store(
                "user.alice", uids: [a, b], .add, ["\\Flagged"], user: "alice", unchangedSince: 3
            )
            #expect(result.modified == [b])
            #expect(result.updated.map(\.uid) == [a])
            #expect(result.updated.first?.modSeq == 5)
            #expect(try flags(spool, "user.alice", b, user: "alice") == ["$x"])
            let equal = try spool.store(
                "user.alice", uids: [b], .add, ["\\Flagged"], user: "alice", unchangedSince: 4
            )
            #expect(equal.modified.isEmpty)
            #expect(equal.updated.map(\.uid) == [b])
        }
    }

    @Test("on a shared mailbox two users have independent \\Seen")
    func seenShared() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("shared.memo", acl: "")
            let uid = try appendText(spool, "shared.memo", sampleMessage(1), flags: ["\\Flagged"], user: nil)
            let r = try spool.store("shared.memo", uids: [uid], .add, ["\\Seen"], user: "alice")
            #expect(r.updated.first?.flags == ["\\Flagged", "\\Seen"])
            #expect(try flags(spool, "shared.memo", uid, user: "alice") == ["\\Flagged", "\\Seen"])
            #expect(try flags(spool, "shared.memo", uid, user: "bob") == ["\\Flagged"])
            #expect(try spool.status("shared.memo", user: "bob").unseen == 1)
            #expect(try spool.status("shared.memo", user: "alice").unseen == 0)

            _ = try spool.store("shared.memo", uids: [uid], .add, ["\\Seen"], user: "bob")
            _ = try spool.store("shared.memo", uids: [uid], .remove, ["\\Seen"], user: "alice")
            #expect(try flags(spool, "shared.memo", uid, user: "alice") == ["\\Flagged"])
            #expect(try flags(spool, "shared.memo", uid, user: "bob") == ["\\Flagged", "\\Seen"])
            _ = try spool.store("shared.memo", uids: [uid], .replace, ["$a"], user: "bob")
            #expect(try flags(spool, "shared.memo", uid, user: "alice") == ["$a"])
            #expect(try flags(spool, "shared.memo", uid, user: "bob") == ["$a"])
        }
    }

    @Test("on alice's own mailbox her \\Seen is in the flags and bob's is separate")
    func seenOwn() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("user.alice", acl: "")
            let uid = try appendText(spool, "user.alice", sampleMessage(1))
            _ = try spool.store("user.alice", uids: [uid], .add, ["\\Seen"], user: "alice")
            #expect(try flags(spool, "user.alice", uid, user: nil) == ["\\Seen"])
            #expect(try flags(spool, "user.alice", uid, user: "alice") == ["\\Seen"])
            #expect(try flags(spool, "user.alice", uid, user: "bob") == [])

            _ = try spool.store("user.alice", uids: [uid], .add, ["\\Seen", "\\Answered"], user: "bob")
            #expect(try flags(spool, "user.alice", uid, user: "bob") == ["\\Answered", "\\Seen"])
            #expect(try flags(spool, "user.alice", uid, user: "alice") == ["\\Answered", "\\Seen"])
            _ = try spool.store("user.alice", uids: [uid], .remove, ["\\Answered"], user: "bob")
            #expect(try flags(spool, "user.alice", uid, user: "alice") == ["\\Seen"])
            _ = try spool.store("user.alice", uids: [uid], .add, ["\\Answered"], user: "alice")
            _ = try spool.store("user.alice", uids: [uid], .remove, ["\\Seen"], user: "alice")
            #expect(try flags(spool, "user.alice", uid, user: "alice") == ["\\Answered"])
            #expect(try flags(spool, "user.alice", uid, user: "bob") == ["\\Answered", "\\Seen"])
        }
    }

    @Test("a domain user's own mailbox keeps their \\Seen in the flags")
    func seenDomainUser() async throws {
        try await withSpool { spool, _ in
            try spool.createMailbox("example.com!user.al^ice", acl: "")
            let uid = try appendText(
                spool, "example.com!user.al^ice", sampleMessage(1), flags: ["\\Seen"], user: "al.ice@example.com"
            )
            #expect(try flags(spool, "example.com!user.al^ice", uid, user: nil) == ["\\Seen"])
            #expect(try flags(spool, "example.com!user.al^ice", uid, user: "bob") == [])
        }
    }
}
