import Testing

extension WireTests {
    /// LIST (RFC 3501 §6.3.8), LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE
    /// (RFC 6154), XLIST.
    @Suite struct ListTests {
        /// alice with INBOX, INBOX/Sent (\Sent, subscribed), INBOX/a/b (INBOX/a never created).
        func populated(_ server: TestServer) async throws -> SessionHarness {
            let s = try await server.session(as: "alice")
            try await s.run("p1", "CREATE INBOX/Sent (USE (\\Sent))")
            try await s.run("p2", "CREATE INBOX/a/b")
            try await s.run("p3", "SUBSCRIBE INBOX/Sent")
            return s
        }

        @Test("LIST \"\" * lists every visible mailbox, INBOX first, with CHILDREN attributes")
        func listAll() async throws {
            try await TestServer.with { server in
                let s = try await populated(server)
                s.send("l1 LIST \"\" *\r\n")
                try await s.expect(
                    "* LIST (\\HasChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren \\Sent) \"/\" INBOX/Sent\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX/a/b\r\n"
                        + "l1 OK Completed (3 mailboxes)\r\n")
            }
        }

        @Test("LIST \"\" \"\" answers the hierarchy delimiter")
        func delimiter() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("l1 LIST \"\" \"\"\r\n")
                try await s.expect("* LIST (\\Noselect) \"/\" \"\"\r\nl1 OK Completed\r\n")
            }
        }

        @Test("% stops at one level and shows a missing parent as \\Noselect; * lists only real mailboxes")
        func percentVersusStar() async throws {
            try await TestServer.with { server in
                let s = try await populated(server)
                s.send("l1 LIST \"\" %\r\n")
                try await s.expect("* LIST (\\HasChildren) \"/\" INBOX\r\nl1 OK Completed (1 mailboxes)\r\n")
                s.send("l2 LIST \"\" INBOX/%\r\n")
                try await s.expect(
                    "* LIST (\\HasNoChildren \\Sent) \"/\" INBOX/Sent\r\n"
                        + "* LIST (\\Noselect \\HasChildren) \"/\" INBOX/a\r\n"
                        + "l2 OK Completed (2 mailboxes)\r\n")
                s.send("l3 LIST INBOX/ a/*\r\n")
                try await s.expect("* LIST (\\HasNoChildren) \"/\" INBOX/a/b\r\nl3 OK Completed (1 mailboxes)\r\n")
            }
        }

        @Test("LIST-EXTENDED RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (MESSAGES))")
        func listExtended() async throws {
            try await TestServer.with { server in
                let s = try await populated(server)
                try await s.append("INBOX/Sent", Wire.hello)
                s.send("l1 LIST \"\" INBOX* RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (MESSAGES))\r\n")
                try await s.expect(
                    "* LIST (\\HasChildren) \"/\" INBOX\r\n"
                        + "* STATUS INBOX (MESSAGES 0)\r\n"
                        + "* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" INBOX/Sent\r\n"
                        + "* STATUS INBOX/Sent (MESSAGES 1)\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX/a/b\r\n"
                        + "* STATUS INBOX/a/b (MESSAGES 0)\r\n"
                        + "l1 OK Completed (3 mailboxes)\r\n")
            }
        }

        @Test("LIST (SUBSCRIBED) selects subscribed names only; (SPECIAL-USE) those with a use")
        func selectionOptions() async throws {
            try await TestServer.with { server in
                let s = try await populated(server)
                s.send("l1 LIST (SUBSCRIBED) \"\" *\r\n")
                try await s.expect(
                    "* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" INBOX/Sent\r\nl1 OK Completed (1 mailboxes)\r\n"
                )
                s.send("l2 LIST (SPECIAL-USE) \"\" *\r\n")
                try await s.expect("* LIST (\\HasNoChildren \\Sent) \"/\" INBOX/Sent\r\n")
                try await s.expectLine(prefix: "l2 OK ")
            }
        }

        @Test("XLIST marks INBOX with \\Inbox and keeps special uses")
        func xlist() async throws {
            try await TestServer.with { server in
                let s = try await populated(server)
                s.send("x1 XLIST \"\" %\r\n")
                try await s.expect("* XLIST (\\HasChildren \\Inbox) \"/\" INBOX\r\nx1 OK Completed\r\n")
                s.send("x2 XLIST \"\" INBOX/Sent\r\n")
                try await s.expect("* XLIST (\\HasNoChildren \\Sent) \"/\" INBOX/Sent\r\nx2 OK Completed\r\n")
            }
        }

        @Test("another user's mailboxes are not listed without the l right")
        func invisibleToOthers() async throws {
            try await TestServer.with { server in
                _ = try await populated(server)
                let bob = try await server.session(as: "bob")
                bob.send("l1 LIST \"\" *\r\n")
                try await bob.expect("* LIST (\\HasNoChildren) \"/\" INBOX\r\nl1 OK Completed (1 mailboxes)\r\n")
            }
        }
    }
}
