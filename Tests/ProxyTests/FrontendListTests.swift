import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// LIST, XLIST, NAMESPACE, MYRIGHTS and GETACL answered from the frontend's mailbox list
    /// (SPEC.md §6; RFC 3501 §6.3.8, RFC 4314 §3).
    @Suite struct FrontendListTests {
        @Test("LIST \"\" \"*\" as alice: INBOX and shared/memo, not bob's INBOX")
        func listAll() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("l1 LIST \"\" \"*\"\r\n")
                try await c.expect(
                    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" shared/memo\r\n"
                        + "l1 OK Completed (2 mailboxes)\r\n")
            }
        }

        @Test("LIST \"\" \"%\": the top level, with `shared` as a \\Noselect parent")
        func listTopLevel() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("l1 LIST \"\" \"%\"\r\n")
                try await c.expect(
                    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\Noselect \\HasChildren) \"/\" shared\r\n"
                        + "l1 OK Completed (2 mailboxes)\r\n")
            }
        }

        @Test("LIST \"\" \"\": the hierarchy separator")
        func listSeparator() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("l1 LIST \"\" \"\"\r\n")
                try await c.expect("* LIST (\\Noselect) \"/\" \"\"\r\nl1 OK Completed\r\n")
            }
        }

        @Test("LIST as admin shows every user's mailboxes")
        func listAdmin() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "admin")
                try await c.send("l1 LIST \"\" \"*\"\r\n")
                try await c.expect(
                    "* LIST (\\HasNoChildren) \"/\" shared/memo\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" user/alice\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" user/bob\r\n"
                        + "l1 OK Completed (3 mailboxes)\r\n")
            }
        }

        @Test("XLIST marks INBOX with \\Inbox")
        func xlist() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("x1 XLIST \"\" \"*\"\r\n")
                try await c.expect(
                    "* XLIST (\\HasNoChildren \\Inbox) \"/\" INBOX\r\n"
                        + "* XLIST (\\HasNoChildren) \"/\" shared/memo\r\n"
                        + "x1 OK Completed (2 mailboxes)\r\n")
            }
        }

        @Test("NAMESPACE: personal INBOX/, other users user/, shared at the top, separator /")
        func namespace() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("n1 NAMESPACE\r\n")
                try await c.expect(
                    "* NAMESPACE ((\"INBOX/\" \"/\")) ((\"user/\" \"/\")) ((\"\" \"/\"))\r\nn1 OK NAMESPACE completed\r\n")
            }
        }

        @Test("MYRIGHTS shared/memo equals the backend's answer")
        func myRights() async throws {
            try await TestMurder.with { murder in
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                let expected = try await direct.run("m1", "MYRIGHTS shared/memo")
                #expect(expected.first == "* MYRIGHTS shared/memo lrswipkxtecdan")
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("m1 MYRIGHTS shared/memo\r\n")
                try await c.expect("\(expected[0])\r\nm1 OK MYRIGHTS completed\r\n")
            }
        }

        @Test("GETACL shared/memo: alice has `a` (lrswipkxtecdan), the entries equal the backend's")
        func getACL() async throws {
            try await TestMurder.with { murder in
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                let expected = try await direct.run("g1", "GETACL shared/memo")
                #expect(expected.count == 2)
                #expect(expected[0].contains(" alice lrswipkxtecdan"))
                #expect(expected[0].contains(" bob lrswipkxtecdan"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("g1 GETACL shared/memo\r\n")
                try await c.expect("\(expected[0])\r\ng1 OK GETACL completed\r\n")
            }
        }

        @Test("GETACL without `a`: NO [NOPERM]; MYRIGHTS still answers")
        func getACLWithoutAdminRight() async throws {
            try await TestMurder.with { murder in
                try await murder.runDirect(
                    murder.backend2, as: "admin", ["CREATE shared/readonly", "SETACL shared/readonly alice lr"])
                try await murder.waitForRecord("shared.readonly", on: murder.backend2) {
                    $0.acl.entries.contains { $0.identifier == "alice" }
                }
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                let expected = try await direct.run("m1", "MYRIGHTS shared/readonly")
                // Shared mailboxes start with `anyone lrs`, so alice has lrs.
                #expect(expected.first == "* MYRIGHTS shared/readonly lrs")
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("g1 GETACL shared/readonly\r\n")
                try await c.expect("g1 NO [NOPERM] Permission denied\r\n")
                try await c.send("m1 MYRIGHTS shared/readonly\r\n")
                try await c.expect("\(expected[0])\r\nm1 OK MYRIGHTS completed\r\n")
            }
        }

        @Test("GETACL and MYRIGHTS of a mailbox alice cannot see: NO [NONEXISTENT]")
        func invisible() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("g1 GETACL user/bob\r\n")
                try await c.expect("g1 NO [NONEXISTENT] Mailbox does not exist\r\n")
                try await c.send("m1 MYRIGHTS user/bob\r\n")
                try await c.expect("m1 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }
    }
}
