import Testing

extension WireTests {
    /// STORE (RFC 3501 §6.4.6), UNCHANGEDSINCE (RFC 7162 §3.1.3), keywords, and rights (RFC 4314 §4).
    @Suite struct StoreTests {
        func selected(_ server: TestServer, count: Int = 2) async throws -> SessionHarness {
            let s = try await server.session(as: "alice")
            for _ in 0..<count { try await s.append("INBOX", Wire.hello) }
            try await s.run("sel", "SELECT INBOX")
            return s
        }

        @Test("+FLAGS and -FLAGS answer each message's new flags")
        func addAndRemove() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 STORE 1:2 +FLAGS (\\Flagged)\r\n")
                try await s.expect(
                    "* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\n* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\ns1 OK Completed\r\n"
                )
                s.send("s2 STORE 2 -FLAGS (\\Flagged)\r\n")
                try await s.expect("* 2 FETCH (FLAGS (\\Recent))\r\ns2 OK Completed\r\n")
            }
        }

        @Test("FLAGS replaces the flags; .SILENT answers only the tagged OK")
        func replaceAndSilent() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 STORE 1 FLAGS (\\Answered)\r\n")
                try await s.expect("* 1 FETCH (FLAGS (\\Answered \\Recent))\r\ns1 OK Completed\r\n")
                s.send("s2 STORE 1 FLAGS.SILENT (\\Seen)\r\n")
                try await s.expect("s2 OK Completed\r\n")
                s.send("f1 FETCH 1 FLAGS\r\n")
                try await s.expect("* 1 FETCH (FLAGS (\\Seen \\Recent))\r\nf1 OK Completed\r\n")
            }
        }

        @Test("UID STORE answers with the UID")
        func uidStore() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 UID STORE 2 +FLAGS (\\Draft)\r\n")
                try await s.expect("* 2 FETCH (UID 2 FLAGS (\\Draft \\Recent))\r\ns1 OK Completed\r\n")
            }
        }

        @Test("an unknown system flag is BAD")
        func unknownSystemFlag() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 STORE 1 +FLAGS (\\Bogus)\r\n")
                try await s.expect("s1 BAD Invalid system flag \\Bogus\r\n")
            }
        }

        @Test("UNCHANGEDSINCE: messages changed since fail with [MODIFIED], the others get MODSEQ")
        func unchangedSince() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("m1 FETCH 1 (MODSEQ)\r\n")
                let line = try await s.expectLine(prefix: "* 1 FETCH (MODSEQ (")
                try await s.expect("m1 OK Completed\r\n")
                let base = UInt64(line.dropFirst("* 1 FETCH (MODSEQ (".count).prefix { $0.isNumber }) ?? 0
                try await s.run("m2", "STORE 2 +FLAGS.SILENT (\\Seen)")
                s.send("s1 STORE 1:2 (UNCHANGEDSINCE \(base + 1)) +FLAGS.SILENT (\\Flagged)\r\n")
                // Message 2 changed at base + 2 > base + 1.
                try await s.expect(
                    "* 1 FETCH (MODSEQ (\(base + 3)))\r\ns1 OK [MODIFIED 2] Conditional STORE failed\r\n")
            }
        }

        @Test("a new keyword is announced with * FLAGS and PERMANENTFLAGS before the FETCH")
        func newKeyword() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("k1 STORE 1 +FLAGS ($Work)\r\n")
                try await s.expect(
                    "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Work)\r\n"
                        + "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Work \\*)] Ok\r\n"
                        + "* 1 FETCH (FLAGS ($Work \\Recent))\r\n"
                        + "k1 OK Completed\r\n")
                s.send("k2 STORE 2 +FLAGS ($Work)\r\n")
                try await s.expect("* 2 FETCH (FLAGS ($Work \\Recent))\r\nk2 OK Completed\r\n")
            }
        }

        /// alice shares INBOX/shared with bob; returns bob's session.
        func shared(_ server: TestServer, rights: String) async throws -> SessionHarness {
            let alice = try await server.session(as: "alice")
            try await alice.run("c1", "CREATE INBOX/shared")
            try await alice.append("INBOX/shared", Wire.hello)
            try await alice.run("a1", "SETACL INBOX/shared bob \(rights)")
            return try await server.session(as: "bob")
        }

        @Test("with only lr, SELECT is read-only, STORE is NO [READ-ONLY] and APPEND NO [NOPERM] without +")
        func lookupReadOnly() async throws {
            try await TestServer.with { server in
                let bob = try await shared(server, rights: "lr")
                bob.send("s1 SELECT user/alice/shared\r\n")
                let lines = try await bob.lines(untilTagged: "s1")
                #expect(lines.last == "s1 OK [READ-ONLY] Completed")
                bob.send("s2 STORE 1 +FLAGS (\\Flagged)\r\n")
                try await bob.expect("s2 NO [READ-ONLY] Mailbox is read-only\r\n")
                bob.send("a1 APPEND user/alice/shared {\(Wire.hello.utf8.count)}\r\n")
                try await bob.expect("a1 NO [NOPERM] Permission denied\r\n")
            }
        }

        @Test("with lrs, \\Seen may be set but \\Flagged is NO [NOPERM]")
        func seenOnly() async throws {
            try await TestServer.with { server in
                let bob = try await shared(server, rights: "lrs")
                try await bob.run("s1", "SELECT user/alice/shared")
                bob.send("s2 STORE 1 +FLAGS (\\Flagged)\r\n")
                try await bob.expect("s2 NO [NOPERM] Permission denied\r\n")
                bob.send("s3 STORE 1 +FLAGS (\\Seen)\r\n")
                try await bob.expect("* 1 FETCH (FLAGS (\\Seen \\Recent))\r\ns3 OK Completed\r\n")
            }
        }
    }
}
