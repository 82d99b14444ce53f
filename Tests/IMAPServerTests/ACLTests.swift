import Testing

extension WireTests {
    /// ACL (RFC 4314): SETACL, GETACL, DELETEACL, LISTRIGHTS, MYRIGHTS, with rights shown as Cyrus
    /// shows them (obsolete `c` and `d` included).
    @Suite struct ACLTests {
        @Test("GETACL of a fresh INBOX shows the owner's full rights; MYRIGHTS too")
        func ownerRights() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("g1 GETACL INBOX\r\n")
                try await s.expect("* ACL INBOX alice lrswipkxtecdan\r\ng1 OK Completed\r\n")
                s.send("m1 MYRIGHTS INBOX\r\n")
                try await s.expect("* MYRIGHTS INBOX lrswipkxtecdan\r\nm1 OK Completed\r\n")
            }
        }

        @Test(
            "SETACL modes: replace, +add, -remove; c means k and d means t and e",
            arguments: [
                (["lrs"], "lrs"), (["lr", "+s"], "lrs"), (["lrsw", "-w"], "lrs"), (["lrc"], "lrkc"), (["lrd"], "lrted"),
                (["lrswipkxtean"], "lrswipkxtecdan"),
            ]
        )
        func setACLModes(changes: [String], shown: String) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/shared")
                for (i, change) in changes.enumerated() {
                    s.send("a\(i) SETACL INBOX/shared bob \(change)\r\n")
                    try await s.expect("a\(i) OK Completed\r\n")
                }
                s.send("g1 GETACL INBOX/shared\r\n")
                try await s.expect("* ACL INBOX/shared alice lrswipkxtecdan bob \(shown)\r\ng1 OK Completed\r\n")
            }
        }

        @Test("SETACL with an unknown right letter is BAD")
        func badRights() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 SETACL INBOX bob lrZ\r\n")
                try await s.expect("a1 BAD Invalid rights lrZ\r\n")
            }
        }

        @Test("DELETEACL removes the identifier's entry")
        func deleteACL() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("a1", "SETACL INBOX bob lr")
                s.send("d1 DELETEACL INBOX bob\r\n")
                try await s.expect("d1 OK Completed\r\n")
                s.send("g1 GETACL INBOX\r\n")
                try await s.expect("* ACL INBOX alice lrswipkxtecdan\r\ng1 OK Completed\r\n")
            }
        }

        @Test("LISTRIGHTS: the owner always has lkxan; anyone else needs nothing")
        func listRights() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("l1 LISTRIGHTS INBOX bob\r\n")
                try await s.expect(
                    "* LISTRIGHTS INBOX bob \"\" l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9\r\nl1 OK Completed\r\n"
                )
                s.send("l2 LISTRIGHTS INBOX alice\r\n")
                try await s.expect(
                    "* LISTRIGHTS INBOX alice lkxan r s w i p t e c d 0 1 2 3 4 5 6 7 8 9\r\nl2 OK Completed\r\n")
            }
        }

        @Test("after SETACL bob lists, selects and reads alice's folder; after DELETEACL he no longer sees it")
        func sharedWithBob() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                try await alice.run("c1", "CREATE INBOX/shared")
                try await alice.append("INBOX/shared", Wire.hello)
                let bob = try await server.session(as: "bob")
                bob.send("l0 LIST \"\" user/alice/*\r\n")
                try await bob.expect("l0 OK Completed (0 mailboxes)\r\n")
                bob.send("s0 SELECT user/alice/shared\r\n")
                try await bob.expect("s0 NO [NONEXISTENT] Mailbox does not exist\r\n")
                try await alice.run("a1", "SETACL INBOX/shared bob lrs")
                bob.send("l1 LIST \"\" *\r\n")
                try await bob.expect(
                    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" user/alice/shared\r\n"
                        + "l1 OK Completed (2 mailboxes)\r\n")
                bob.send("l2 LIST \"\" user/%\r\n")
                try await bob.expect(
                    "* LIST (\\Noselect \\HasChildren) \"/\" user/alice\r\nl2 OK Completed (1 mailboxes)\r\n")
                bob.send("m1 MYRIGHTS user/alice/shared\r\n")
                try await bob.expect("* MYRIGHTS user/alice/shared lrs\r\nm1 OK Completed\r\n")
                try await bob.run("s1", "SELECT user/alice/shared")
                bob.send("f1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
                try await bob.expect(
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Hello\r\n\r\n)\r\nf1 OK Completed\r\n")
                bob.send("g1 GETACL user/alice/shared\r\n")
                try await bob.expect("g1 NO [NOPERM] Permission denied\r\n")
                try await bob.run("u1", "UNSELECT")
                try await alice.run("d1", "DELETEACL INBOX/shared bob")
                bob.send("l3 LIST \"\" user/alice/*\r\n")
                try await bob.expect("l3 OK Completed (0 mailboxes)\r\n")
            }
        }

        @Test("an admin creates a shared folder, and SETACL gives a user rights on it")
        func adminSharedFolder() async throws {
            try await TestServer.with { server in
                let admin = try await server.session(as: "admin")
                try await admin.run("c1", "CREATE shared")
                try await admin.run("c2", "CREATE shared/memo")
                try await admin.run("a0", "DELETEACL shared/memo anyone")
                try await admin.run("a1", "SETACL shared/memo bob lrswi")
                let alice = try await server.session(as: "alice")
                alice.send("s1 SELECT shared/memo\r\n")
                try await alice.expect("s1 NO [NONEXISTENT] Mailbox does not exist\r\n")
                let bob = try await server.session(as: "bob")
                bob.send("m1 MYRIGHTS shared/memo\r\n")
                try await bob.expect("* MYRIGHTS shared/memo lrswi\r\nm1 OK Completed\r\n")
                try await bob.append("shared/memo", Wire.hello)
            }
        }
    }
}
