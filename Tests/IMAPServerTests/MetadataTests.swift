import Testing

extension WireTests {
    /// METADATA (RFC 5464): private and shared entries, DEPTH, MAXSIZE, server entries, and
    /// `/private/specialuse` (RFC 6154 §4).
    @Suite struct MetadataTests {
        @Test("private and shared values are stored apart and read back")
        func privateAndShared() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("m1 SETMETADATA INBOX (/private/comment \"mine\" /shared/comment \"ours\")\r\n")
                try await s.expect("m1 OK Completed\r\n")
                s.send("m2 GETMETADATA INBOX (/shared/comment /private/comment)\r\n")
                try await s.expect(
                    "* METADATA INBOX (/shared/comment \"ours\" /private/comment \"mine\")\r\nm2 OK Completed\r\n")
                s.send("m3 GETMETADATA INBOX /private/nothing\r\n")
                try await s.expect("m3 OK Completed\r\n")
            }
        }

        @Test("private values are per user, shared ones visible to others with r")
        func perUser() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                try await alice.run("c1", "CREATE INBOX/shared")
                try await alice.run("a1", "SETACL INBOX/shared bob lr")
                try await alice.run(
                    "m1", "SETMETADATA INBOX/shared (/private/comment \"mine\" /shared/comment \"ours\")")
                let bob = try await server.session(as: "bob")
                bob.send("m2 GETMETADATA user/alice/shared (/private/comment /shared/comment)\r\n")
                try await bob.expect("* METADATA user/alice/shared (/shared/comment \"ours\")\r\nm2 OK Completed\r\n")
                bob.send("m3 SETMETADATA user/alice/shared (/shared/comment \"bob's\")\r\n")
                try await bob.expect("m3 NO [NOPERM] Permission denied\r\n")
            }
        }

        @Test("NIL removes a value")
        func removeWithNil() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("m1", "SETMETADATA INBOX (/private/comment \"x\")")
                try await s.run("m2", "SETMETADATA INBOX (/private/comment NIL)")
                s.send("m3 GETMETADATA INBOX /private/comment\r\n")
                try await s.expect("m3 OK Completed\r\n")
            }
        }

        @Test(
            "DEPTH 0, 1 and infinity",
            arguments: [
                ("", "/private/a \"1\""), ("(DEPTH 0) ", "/private/a \"1\""),
                ("(DEPTH 1) ", "/private/a \"1\" /private/a/b \"2\""),
                ("(DEPTH infinity) ", "/private/a \"1\" /private/a/b \"2\" /private/a/b/c \"3\""),
            ])
        func depth(option: String, shown: String) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("m1", "SETMETADATA INBOX (/private/a \"1\" /private/a/b \"2\" /private/a/b/c \"3\")")
                s.send("m2 GETMETADATA \(option)INBOX /private/a\r\n")
                try await s.expect("* METADATA INBOX (\(shown))\r\nm2 OK Completed\r\n")
            }
        }

        @Test("MAXSIZE leaves out longer values and reports [METADATA LONGENTRIES n]")
        func maxSize() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("m1", "SETMETADATA INBOX (/private/short \"ab\" /private/long \"abcdefghij\")")
                s.send("m2 GETMETADATA (MAXSIZE 5) INBOX (/private/short /private/long)\r\n")
                try await s.expect(
                    "* METADATA INBOX (/private/short \"ab\")\r\nm2 OK [METADATA LONGENTRIES 10] Completed\r\n")
            }
        }

        @Test("the server entry freespace/total answers \"<avail>;<total>\" in KiB")
        func freespace() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("m1 GETMETADATA \"\" (/shared/vendor/cmu/cyrus-imapd/freespace/total)\r\n")
                let line = try await s.expectLine(
                    prefix: "* METADATA \"\" (/shared/vendor/cmu/cyrus-imapd/freespace/total \"")
                let value = line.split(separator: "\"")[safe: 2] ?? ""
                let parts = value.split(separator: ";").compactMap { UInt64($0) }
                #expect(parts.count == 2 && parts[0] <= parts[1] && parts[1] > 0, "\(line)")
                try await s.expect("m1 OK Completed\r\n")
            }
        }

        @Test("server entries may be set only by an admin")
        func serverEntries() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("m1 SETMETADATA \"\" (/shared/motd \"hi\")\r\n")
                try await s.expect("m1 NO [NOPERM] Permission denied\r\n")
                let admin = try await server.session(as: "admin")
                try await admin.run("m2", "SETMETADATA \"\" (/shared/motd \"hi\")")
                s.send("m3 GETMETADATA \"\" /shared/motd\r\n")
                try await s.expect("* METADATA \"\" (/shared/motd \"hi\")\r\nm3 OK Completed\r\n")
            }
        }

        @Test("/private/specialuse reflects CREATE (USE ...) and setting it changes LIST")
        func specialUse() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c1", "CREATE INBOX/Trash (USE (\\Trash))")
                try await s.run("c2", "CREATE INBOX/Spam")
                s.send("m1 GETMETADATA INBOX/Trash /private/specialuse\r\n")
                try await s.expect("* METADATA INBOX/Trash (/private/specialuse \"\\\\Trash\")\r\nm1 OK Completed\r\n")
                try await s.run("m2", "SETMETADATA INBOX/Spam (/private/specialuse \"\\\\Junk\")")
                s.send("l1 LIST \"\" INBOX/Spam\r\n")
                try await s.expect(
                    "* LIST (\\HasNoChildren \\Junk) \"/\" INBOX/Spam\r\nl1 OK Completed (1 mailboxes)\r\n")
            }
        }

        @Test("an entry outside /private and /shared is BAD")
        func badEntry() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("m1 GETMETADATA INBOX /other/thing\r\n")
                try await s.expectLine(prefix: "m1 BAD ")
            }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
