import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// CREATE placement and the freshness barrier, DELETE and RENAME (SPEC.md §7.1–§7.3).
    @Suite struct FrontendMailboxTests {
        @Test("CREATE INBOX/x goes to alice's INBOX backend; a second frontend session SELECTs it at once")
        func createThenSelectElsewhere() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                let other = try await murder.frontendSession(as: "alice")
                try await c.send("c1 CREATE INBOX/x\r\n")
                try await c.expect("c1 OK Completed\r\n")
                #expect(murder.backend1.has("user.alice.x"))
                #expect(!murder.backend2.has("user.alice.x"))
                try await other.send("s1 SELECT INBOX/x\r\n")
                let lines = try await other.lines(untilTagged: "s1")
                #expect(lines.contains("* 0 EXISTS"))
                #expect(lines.last == "s1 OK [READ-WRITE] Completed")
            }
        }

        @Test("CREATE under shared/memo goes to the parent's backend (backend2)")
        func createUnderParent() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("c1 CREATE shared/memo/notes\r\n")
                try await c.expect("c1 OK Completed\r\n")
                #expect(murder.backend2.has("shared.memo.notes"))
                #expect(!murder.backend1.has("shared.memo.notes"))
            }
        }

        @Test("CREATE of an existing name: NO [ALREADYEXISTS]", arguments: ["INBOX", "shared/memo", "INBOX/x"])
        func createExisting(name: String) async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c0", "CREATE INBOX/x")
                try await c.send("c1 CREATE \(name)\r\n")
                try await c.expect("c1 NO [ALREADYEXISTS] Mailbox already exists\r\n")
            }
        }

        @Test("CREATE naming a server or partition by a non-admin: NO [NOPERM], nothing created")
        func createWithPartition() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("c1 CREATE INBOX/p \(murder.backend2.servername)\r\n")
                try await c.expect("c1 NO [NOPERM] Only administrators may choose a server or partition\r\n")
                #expect(!murder.backend1.has("user.alice.p") && !murder.backend2.has("user.alice.p"))
            }
        }

        @Test("CREATE by an admin with an explicit server places the mailbox there")
        func createExplicitServer() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "admin")
                try await c.send("c1 CREATE shared/placed \(murder.backend1.servername)\r\n")
                try await c.expect("c1 OK Completed\r\n")
                #expect(murder.backend1.has("shared.placed"))
                try await murder.waitForRecord("shared.placed", on: murder.backend1)
            }
        }

        @Test("DELETE INBOX/x: gone at backend1 and from the frontend's LIST")
        func delete() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c1", "CREATE INBOX/x")
                try await c.send("d1 DELETE INBOX/x\r\n")
                try await c.expect("d1 OK Completed\r\n")
                #expect(!murder.backend1.has("user.alice.x"))
                try await murder.waitForNoRecord("user.alice.x")
                try await c.send("l1 LIST \"\" \"INBOX*\"\r\n")
                try await c.expect("* LIST (\\HasNoChildren) \"/\" INBOX\r\nl1 OK Completed (1 mailboxes)\r\n")
                try await c.send("d2 DELETE INBOX/x\r\n")
                try await c.expect("d2 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }

        @Test("RENAME INBOX/x INBOX/y: renamed at backend1, SELECTable at once under the new name")
        func rename() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c1", "CREATE INBOX/x")
                try await c.send("r1 RENAME INBOX/x INBOX/y\r\n")
                try await c.expect("r1 OK Completed\r\n")
                #expect(murder.backend1.has("user.alice.y") && !murder.backend1.has("user.alice.x"))
                let other = try await murder.frontendSession(as: "alice")
                try await other.send("s1 SELECT INBOX/y\r\n")
                let lines = try await other.lines(untilTagged: "s1")
                #expect(lines.last == "s1 OK [READ-WRITE] Completed")
                try await other.send("s2 SELECT INBOX/x\r\n")
                try await other.expect("s2 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }

        @Test("RENAME with a partition by a non-admin: NO [NOPERM]")
        func renameWithPartition() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c1", "CREATE INBOX/x")
                try await c.send("r1 RENAME INBOX/x INBOX/x \(murder.backend2.servername)\r\n")
                try await c.expect("r1 NO [NOPERM] Only administrators may move mailboxes\r\n")
                #expect(murder.backend1.has("user.alice.x"))
            }
        }

        @Test("RENAME by an admin with a new name and a location: NO, nothing moved or renamed")
        func renameWithNewNameAndLocation() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "admin")
                try await c.send("r1 RENAME user/alice user/carol \(murder.backend2.servername)\r\n")
                try await c.expect("r1 NO [CANNOT] A rename cannot also move the mailbox to another server\r\n")
                #expect(murder.backend1.has("user.alice"))
                #expect(!murder.backend1.has("user.carol") && !murder.backend2.has("user.carol"))
            }
        }
    
        @Test("CREATE at the top level by a non-admin: the backend's NO [NOPERM], relayed")
        func createTopLevelByUser() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("c1 CREATE toplevel\r\n")
                try await c.expect("c1 NO [NOPERM] Permission denied\r\n")
            }
        }

        @Test("CREATE at the top level by an admin: placed on one backend by policy, SELECTable at once")
        func createPlacedByPolicy() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "admin")
                try await c.send("c1 CREATE placed\r\n")
                try await c.expect("c1 OK Completed\r\n")
                #expect(murder.backend1.has("placed") != murder.backend2.has("placed"))
                let other = try await murder.frontendSession(as: "admin")
                try await other.send("s1 SELECT placed\r\n")
                let lines = try await other.lines(untilTagged: "s1")
                #expect(lines.last == "s1 OK [READ-WRITE] Completed")
            }
        }
    }
}
