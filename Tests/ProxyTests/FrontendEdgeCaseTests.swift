import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// What a frontend must get right beyond the common path: binary literals both ways,
    /// several literals in one relayed command, deep pipelining, read-your-writes after list
    /// changes, and backend connections that end with the client.
    @Suite struct FrontendEdgeCaseTests {
        /// A message whose second part is base64 of bytes with NUL (for BINARY).
        static let binary =
            "From: alice@example.org\r\n"
            + "Subject: bin\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + "AAECAw==\r\n"

        @Test("BINARY.PEEK[1] through the relay: the backend's literal8 `~{4}` with NUL bytes, byte-identical")
        func binaryFetch() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Self.binary)
                let direct = try await murder.backendSession(murder.backend1, as: "alice")
                try await direct.run("e1", "EXAMINE INBOX")
                try await direct.send("f1 FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])\r\n")
                let expected = try await direct.bytes(untilTagged: "f1")
                #expect(expected.contains(0))
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("f1 FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])\r\n")
                try await c.expect(bytes: expected)
            }
        }

        @Test("APPEND with a literal8 ~{n+} holding NUL bytes to another backend: byte-identical there")
        func appendLiteral8() async throws {
            try await TestMurder.with { murder in
                let message = Array("From: a@example.org\r\nSubject: nul\r\n\r\nA\u{0}B\r\n".utf8)
                let c = try await murder.frontendSession(as: "alice")
                try await c.send(bytes: Array("a1 APPEND shared/memo ~{\(message.count)+}\r\n".utf8) + message + [13, 10])
                try await c.expectLine(prefix: "a1 OK [APPENDUID ")
                #expect(try murder.backend2.messages("shared.memo").map(\.bytes) == [message])
            }
        }

        @Test("APPEND with flags and a date to another backend: both kept")
        func appendFlagsAndDate() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                let m = Wire.message(subject: "Dated")
                try await c.send("a1 APPEND shared/memo (\\Flagged $Work) \"05-Jan-2024 10:00:00 +0100\" {\(m.utf8.count)+}\r\n\(m)\r\n")
                try await c.expectLine(prefix: "a1 OK [APPENDUID ")
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                try await direct.run("e1", "EXAMINE shared/memo")
                try await direct.send("f1 FETCH 1 (FLAGS INTERNALDATE)\r\n")
                try await direct.expect(
                    "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent) INTERNALDATE \" 5-Jan-2024 10:00:00 +0100\")\r\nf1 OK Completed\r\n")
            }
        }

        @Test("two synchronising literals in one relayed SEARCH: a `+` for each")
        func searchTwoLiterals() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "One"))
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "Two"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("s2 SEARCH OR SUBJECT {3}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("One SUBJECT {3}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("Two\r\n")
                try await c.expect("* SEARCH 1 2\r\ns2 OK Completed (2 msgs)\r\n")
            }
        }

        @Test("200 relayed FETCHes with a LIST every 50th, in one write: every answer, in order")
        func deepPipelining() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                var burst = ""
                var expected = ""
                for i in 1...200 {
                    burst += "f\(i) FETCH 1 (UID RFC822.SIZE)\r\n"
                    expected += "* 1 FETCH (UID 1 RFC822.SIZE \(Wire.hello.utf8.count))\r\nf\(i) OK Completed\r\n"
                    if i % 50 == 0 {
                        burst += "l\(i) LIST \"\" INBOX\r\n"
                        expected += "* LIST (\\HasNoChildren) \"/\" INBOX\r\nl\(i) OK Completed (1 mailboxes)\r\n"
                    }
                }
                try await c.send(burst)
                try await c.expect(expected)
            }
        }

        @Test("IDLE without a selected mailbox, valid in the authenticated state (RFC 9051 §6.3.13), as at a backend")
        func idleUnselected() async throws {
            try await TestMurder.with { murder in
                let direct = try await murder.backendSession(murder.backend1, as: "alice")
                try await direct.send("i1 IDLE\r\n")
                try await direct.expect("+ idling\r\n")
                try await direct.send("DONE\r\n")
                try await direct.expect("i1 OK IDLE terminated\r\n")
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("i1 IDLE\r\n")
                try await c.expect("+ idling\r\n")
                try await c.send("DONE\r\n")
                try await c.expect("i1 OK IDLE terminated\r\n")
            }
        }

        @Test("SETACL then GETACL pipelined: GETACL shows the new entry (read-your-writes)")
        func setACLThenGetACL() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("a1 SETACL shared/memo carol lrs\r\ng1 GETACL shared/memo\r\n")
                try await c.expect("a1 OK Completed\r\n")
                let lines = try await c.lines(untilTagged: "g1")
                #expect(lines.count == 2)
                #expect(lines.first?.contains(" carol lrs") == true, "\(lines)")
            }
        }

        @Test("DELETE then LIST pipelined: LIST no longer shows the mailbox (read-your-writes)")
        func deleteThenList() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c1", "CREATE INBOX/x")
                try await c.send("d1 DELETE INBOX/x\r\nl1 LIST \"\" \"*\"\r\n")
                try await c.expect(
                    "d1 OK Completed\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" shared/memo\r\n"
                        + "l1 OK Completed (2 mailboxes)\r\n")
            }
        }

        @Test("COPY across backends by message number after an expunge: the right message, COPYUID names its UID")
        func copyBySequenceAfterExpunge() async throws {
            try await TestMurder.with { murder in
                for subject in ["A", "B"] {
                    try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: subject))
                }
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.run("st", "STORE 1 +FLAGS.SILENT (\\Deleted)")
                try await c.send("x1 EXPUNGE\r\n")
                try await c.expect("* 1 EXPUNGE\r\nx1 OK Completed\r\n")
                let memo = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.send("c1 COPY 1 shared/memo\r\n")
                try await c.expect("c1 OK [COPYUID \(memo.uidValidity) 2 1] COPY completed\r\n")
                #expect(try murder.backend2.messages("shared.memo").map(\.bytes) == [Array(Wire.message(subject: "B").utf8)])
            }
        }

        @Test("the client hangs up with a mailbox selected: the frontend's backend sessions end")
        func hangUpEndsBackendSessions() async throws {
            try await TestMurder.with { murder in
                try await murder.backend1.waitForNoSessions()
                try await murder.backend2.waitForNoSessions()
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.run("st", "STATUS shared/memo (MESSAGES)")
                #expect(murder.backend1.connections.count == 1 && murder.backend2.connections.count == 1)
                await c.close()
                try await murder.backend1.waitForNoSessions()
                try await murder.backend2.waitForNoSessions()
            }
        }

        @Test("GETQUOTAROOT and GETMETADATA are proxied: the backend's own answers")
        func quotaAndMetadata() async throws {
            try await TestMurder.with { murder in
                try await murder.runDirect(murder.backend1, as: "admin", ["SETQUOTA user/alice (STORAGE 1000)"])
                try await murder.runDirect(murder.backend2, as: "alice", ["SETMETADATA shared/memo (/private/comment \"note\")"])
                let inbox = try await murder.backendSession(murder.backend1, as: "alice")
                let quota = try await inbox.run("q1", "GETQUOTAROOT INBOX")
                #expect(quota.contains { $0.hasPrefix("* QUOTA ") })
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                let metadata = try await direct.run("m1", "GETMETADATA shared/memo (/private/comment /shared/comment)")
                #expect(metadata.first?.contains("note") == true)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT shared/memo")
                try await c.send("q1 GETQUOTAROOT INBOX\r\n")
                try await c.expect(quota.map { $0 + "\r\n" }.joined())
                try await c.send("m1 GETMETADATA shared/memo (/private/comment /shared/comment)\r\n")
                try await c.expect(metadata.map { $0 + "\r\n" }.joined())
            }
        }
    }
}
