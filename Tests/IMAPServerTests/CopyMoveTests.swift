import Testing

extension WireTests {
    /// COPY (RFC 3501 §6.4.7), MOVE (RFC 6851), COPYUID (RFC 4315), EXPUNGE and UID EXPUNGE.
    @Suite struct CopyMoveTests {
        func selected(_ server: TestServer, count: Int = 3) async throws -> SessionHarness {
            let s = try await server.session(as: "alice")
            try await s.run("c0", "CREATE INBOX/dst")
            for _ in 0..<count { try await s.append("INBOX", Wire.hello) }
            try await s.run("sel", "SELECT INBOX")
            return s
        }

        func uidValidity(_ s: SessionHarness, _ mailbox: String) async throws -> String {
            s.send("v STATUS \(mailbox) (UIDVALIDITY)\r\n")
            let line = try await s.expectLine(prefix: "* STATUS ")
            try await s.expect("v OK STATUS completed\r\n")
            return String(line.split(separator: " ").last?.dropLast() ?? "")
        }

        @Test("COPY answers OK [COPYUID uidvalidity source-uids destination-uids]")
        func copy() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                let v = try await uidValidity(s, "INBOX/dst")
                s.send("c1 COPY 2:3 INBOX/dst\r\n")
                try await s.expect("c1 OK [COPYUID \(v) 2:3 1:2] Completed\r\n")
                s.send("c2 UID COPY 1 INBOX/dst\r\n")
                try await s.expect("c2 OK [COPYUID \(v) 1 3] Completed\r\n")
            }
        }

        @Test("COPY to a missing mailbox is NO [TRYCREATE]")
        func copyMissing() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("c1 COPY 1 INBOX/none\r\n")
                try await s.expect("c1 NO [TRYCREATE] Mailbox does not exist\r\n")
            }
        }

        @Test("MOVE sends untagged OK [COPYUID], then EXPUNGE, then the tagged OK")
        func move() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                let v = try await uidValidity(s, "INBOX/dst")
                s.send("m1 MOVE 1:2 INBOX/dst\r\n")
                try await s.expect(
                    "* OK [COPYUID \(v) 1:2 1:2] Moved\r\n* 2 EXPUNGE\r\n* 1 EXPUNGE\r\nm1 OK Completed\r\n")
                s.send("m2 UID MOVE 3 INBOX/dst\r\n")
                try await s.expect("* OK [COPYUID \(v) 3 3] Moved\r\n* 1 EXPUNGE\r\nm2 OK Completed\r\n")
                s.send("st STATUS INBOX/dst (MESSAGES)\r\n")
                try await s.expect("* STATUS INBOX/dst (MESSAGES 3)\r\nst OK STATUS completed\r\n")
            }
        }

        @Test("MOVE with QRESYNC reports VANISHED instead of EXPUNGE")
        func moveQresync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("c0", "CREATE INBOX/dst")
                for _ in 0..<2 { try await s.append("INBOX", Wire.hello) }
                try await s.run("e", "ENABLE QRESYNC")
                try await s.run("sel", "SELECT INBOX")
                s.send("m1 UID MOVE 2 INBOX/dst\r\n")
                try await s.expectLine(prefix: "* OK [COPYUID ")
                try await s.expect("* VANISHED 2\r\nm1 OK Completed\r\n")
            }
        }

        @Test("EXPUNGE removes every \\Deleted message, answering EXPUNGE from the highest number down")
        func expunge() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                try await s.run("d", "STORE 1,3 +FLAGS.SILENT (\\Deleted)")
                s.send("x1 EXPUNGE\r\n")
                try await s.expect("* 3 EXPUNGE\r\n* 1 EXPUNGE\r\nx1 OK Completed\r\n")
                s.send("f1 FETCH 1 UID\r\n")
                try await s.expect("* 1 FETCH (UID 2)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("UID EXPUNGE removes only the given UIDs that are \\Deleted")
        func uidExpunge() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                try await s.run("d", "STORE 1:3 +FLAGS.SILENT (\\Deleted)")
                s.send("x1 UID EXPUNGE 2\r\n")
                try await s.expect("* 2 EXPUNGE\r\nx1 OK Completed\r\n")
                s.send("x2 UID EXPUNGE 1:2\r\n")
                try await s.expect("* 1 EXPUNGE\r\nx2 OK Completed\r\n")
                s.send("f1 FETCH 1:* UID\r\n")
                try await s.expect("* 1 FETCH (UID 3)\r\nf1 OK Completed\r\n")
            }
        }
    }
}
