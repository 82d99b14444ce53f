import Testing

extension WireTests {
    /// QUOTA (RFC 9208): SETQUOTA by an admin, GETQUOTA, GETQUOTAROOT, and APPEND over the limit.
    @Suite struct QuotaTests {
        @Test("admin SETQUOTA user/alice (STORAGE 1) answers the new QUOTA; alice sees it with GETQUOTAROOT")
        func setAndGet() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                let admin = try await server.session(as: "admin")
                admin.send("q1 SETQUOTA user/alice (STORAGE 1)\r\n")
                try await admin.expect("* QUOTA user/alice (STORAGE 0 1)\r\nq1 OK Completed\r\n")
                alice.send("q2 GETQUOTAROOT INBOX\r\n")
                try await alice.expect(
                    "* QUOTAROOT INBOX user/alice\r\n* QUOTA user/alice (STORAGE 0 1)\r\nq2 OK Completed\r\n")
                alice.send("q3 GETQUOTA user/alice\r\n")
                try await alice.expect("* QUOTA user/alice (STORAGE 0 1)\r\nq3 OK Completed\r\n")
            }
        }

        @Test("an APPEND that would exceed the storage quota is NO [OVERQUOTA] and stores nothing")
        func overQuota() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                let admin = try await server.session(as: "admin")
                try await admin.run("q1", "SETQUOTA user/alice (STORAGE 1)")
                let big = Wire.message(subject: "big", body: String(repeating: "y", count: 2000) + "\r\n")
                alice.send("a1 APPEND INBOX {\(big.utf8.count)+}\r\n\(big)\r\n")
                try await alice.expect("a1 NO [OVERQUOTA] Over quota\r\n")
                alice.send("s1 STATUS INBOX (MESSAGES)\r\n")
                try await alice.expect("* STATUS INBOX (MESSAGES 0)\r\ns1 OK STATUS completed\r\n")
                #expect(server.stagedFiles().isEmpty)
            }
        }

        @Test("MESSAGE quota counts messages")
        func messageQuota() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                let admin = try await server.session(as: "admin")
                try await admin.run("q1", "SETQUOTA user/alice (MESSAGE 1)")
                try await alice.append("INBOX", Wire.hello)
                alice.send("a2 APPEND INBOX {\(Wire.hello.utf8.count)+}\r\n\(Wire.hello)\r\n")
                try await alice.expect("a2 NO [OVERQUOTA] Over quota\r\n")
                alice.send("q2 GETQUOTAROOT INBOX\r\n")
                try await alice.expect(
                    "* QUOTAROOT INBOX user/alice\r\n* QUOTA user/alice (MESSAGE 1 1)\r\nq2 OK Completed\r\n")
            }
        }

        @Test("a user may not SETQUOTA, nor read another user's quota")
        func permissions() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                alice.send("q1 SETQUOTA user/alice (STORAGE 100)\r\n")
                try await alice.expect("q1 NO [NOPERM] Permission denied\r\n")
                alice.send("q2 GETQUOTA user/bob\r\n")
                try await alice.expect("q2 NO [NOPERM] Permission denied\r\n")
            }
        }

        @Test("GETQUOTAROOT of a mailbox without quota lists no root")
        func noQuota() async throws {
            try await TestServer.with { server in
                let alice = try await server.session(as: "alice")
                alice.send("q1 GETQUOTAROOT INBOX\r\n")
                try await alice.expect("* QUOTAROOT INBOX\r\nq1 OK Completed\r\n")
            }
        }
    }
}
