import Testing

extension WireTests {
    /// CREATE, DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE/LSUB, NAMESPACE, STATUS (RFC 3501 §6.3).
    @Suite struct MailboxTests {
        @Test("CREATE answers OK, a second CREATE of the same name NO [ALREADYEXISTS]")
        func create() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE INBOX/Sent\r\n")
                try await s.expect("c1 OK Completed\r\n")
                s.send("c2 CREATE INBOX/Sent\r\n")
                try await s.expect("c2 NO [ALREADYEXISTS] Mailbox already exists\r\n")
                s.send("c3 CREATE INBOX\r\n")
                try await s.expect("c3 NO [ALREADYEXISTS] Mailbox already exists\r\n")
            }
        }

        @Test("a user may not create a mailbox at the top level or under another user")
        func createOutsideOwnTree() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE toplevel\r\n")
                try await s.expect("c1 NO [NOPERM] Permission denied\r\n")
                s.send("c2 CREATE user/bob/Evil\r\n")
                try await s.expect("c2 NO [NOPERM] Permission denied\r\n")
            }
        }

        @Test("CREATE with a trailing separator creates the name without it (RFC 3501 §6.3.3)")
        func createTrailingSeparator() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE INBOX/Drafts/\r\n")
                try await s.expect("c1 OK Completed\r\n")
                s.send("l1 LIST \"\" INBOX/Drafts\r\n")
                try await s.expect("* LIST (\\HasNoChildren) \"/\" INBOX/Drafts\r\nl1 OK Completed (1 mailboxes)\r\n")
            }
        }

        @Test("DELETE removes a mailbox; a missing one is NO [NONEXISTENT]; INBOX cannot be deleted")
        func delete() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/tmp")
                s.send("d1 DELETE INBOX/tmp\r\n")
                try await s.expect("d1 OK Completed\r\n")
                s.send("d2 DELETE INBOX/tmp\r\n")
                try await s.expect("d2 NO [NONEXISTENT] Mailbox does not exist\r\n")
                s.send("d3 DELETE INBOX\r\n")
                try await s.expect("d3 NO [NOPERM] Permission denied: cannot delete INBOX\r\n")
            }
        }

        @Test("RENAME takes the children along")
        func renameWithChildren() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/a")
                try await s.run("c2", "CREATE INBOX/a/b")
                s.send("r1 RENAME INBOX/a INBOX/c\r\n")
                try await s.expect("r1 OK Completed\r\n")
                s.send("l1 LIST \"\" *\r\n")
                try await s.expect(
                    "* LIST (\\HasChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasChildren) \"/\" INBOX/c\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX/c/b\r\n"
                        + "l1 OK Completed (3 mailboxes)\r\n")
            }
        }

        @Test("RENAME to an existing name is NO [ALREADYEXISTS], of a missing one NO [NONEXISTENT]")
        func renameErrors() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/a")
                try await s.run("c2", "CREATE INBOX/b")
                s.send("r1 RENAME INBOX/a INBOX/b\r\n")
                try await s.expect("r1 NO [ALREADYEXISTS] Mailbox already exists\r\n")
                s.send("r2 RENAME INBOX/zz INBOX/y\r\n")
                try await s.expect("r2 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }

        @Test("RENAME INBOX moves its messages to the new mailbox and leaves INBOX empty")
        func renameInbox() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.append("INBOX", Wire.hello)
                try await s.append("INBOX", Wire.hello)
                s.send("r1 RENAME INBOX INBOX/old\r\n")
                try await s.expect("r1 OK Completed\r\n")
                s.send("s1 STATUS INBOX (MESSAGES)\r\n")
                try await s.expect("* STATUS INBOX (MESSAGES 0)\r\ns1 OK STATUS completed\r\n")
                s.send("s2 STATUS INBOX/old (MESSAGES)\r\n")
                try await s.expect("* STATUS INBOX/old (MESSAGES 2)\r\ns2 OK STATUS completed\r\n")
            }
        }

        @Test("SUBSCRIBE, LSUB, UNSUBSCRIBE")
        func subscriptions() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/Sent")
                s.send("u1 SUBSCRIBE INBOX/Sent\r\n")
                try await s.expect("u1 OK Completed\r\n")
                s.send("u2 SUBSCRIBE INBOX/Missing\r\n")
                try await s.expect("u2 NO [NONEXISTENT] Mailbox does not exist\r\n")
                s.send("l1 LSUB \"\" *\r\n")
                try await s.expect("* LSUB () \"/\" INBOX/Sent\r\nl1 OK Completed\r\n")
                s.send("u3 UNSUBSCRIBE INBOX/Sent\r\n")
                try await s.expect("u3 OK Completed\r\n")
                s.send("l2 LSUB \"\" *\r\n")
                try await s.expect("l2 OK Completed\r\n")
            }
        }

        @Test("LSUB shows a subscribed child's unsubscribed parent as \\Noselect under %")
        func lsubParent() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/a")
                try await s.run("c2", "CREATE INBOX/a/b")
                try await s.run("u1", "SUBSCRIBE INBOX/a/b")
                s.send("l1 LSUB \"\" INBOX/%\r\n")
                try await s.expect("* LSUB (\\Noselect) \"/\" INBOX/a\r\nl1 OK Completed\r\n")
            }
        }

        @Test("NAMESPACE answers Cyrus's standard namespace with / as separator")
        func namespace() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("n1 NAMESPACE\r\n")
                try await s.expect(
                    "* NAMESPACE ((\"INBOX/\" \"/\")) ((\"user/\" \"/\")) ((\"\" \"/\"))\r\nn1 OK Completed\r\n")
            }
        }

        @Test("STATUS with every item, including SIZE, HIGHESTMODSEQ, MAILBOXID and APPENDLIMIT")
        func statusAllItems() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.append("INBOX", Wire.hello, flags: "\\Seen")
                try await s.append("INBOX", Wire.hello, flags: "\\Deleted")
                s.send(
                    "s1 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ MAILBOXID APPENDLIMIT)\r\n"
                )
                let line = try await s.expectLine(prefix: "* STATUS INBOX (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY ")
                let size = 2 * Wire.hello.utf8.count
                let pattern = try Regex(
                    #"^\* STATUS INBOX \(MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY [1-9][0-9]* UNSEEN 1 DELETED 1 SIZE "#
                        + "\(size)"
                        + #" HIGHESTMODSEQ [1-9][0-9]* MAILBOXID \([A-Za-z0-9_-]{1,255}\) APPENDLIMIT 1048576\)$"#)
                #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
                try await s.expect("s1 OK STATUS completed\r\n")
            }
        }

        @Test("STATUS of a missing mailbox is NO [NONEXISTENT]")
        func statusMissing() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("s1 STATUS INBOX/none (MESSAGES)\r\n")
                try await s.expect("s1 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }
    }
}
