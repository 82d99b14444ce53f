import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// COPY and MOVE between backends (SPEC.md §7.4; RFC 4315 COPYUID, RFC 6851 MOVE), and
    /// relayed within one backend.
    @Suite struct FrontendCopyMoveTests {
        @Test("COPY INBOX 1 → shared/memo: OK [COPYUID <v> <src> <dst>], message and flags at backend2")
        func copyAcross() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello, flags: "\\Flagged \\Answered")
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let memo = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.send("c1 COPY 1 shared/memo\r\n")
                try await c.expect("c1 OK [COPYUID \(memo.uidValidity) 1 1] COPY completed\r\n")
                let copied = try murder.backend2.messages("shared.memo")
                #expect(copied.map(\.bytes) == [Array(Wire.hello.utf8)])
                let flags = Set(copied.first?.flags ?? [])
                #expect(flags.isSuperset(of: ["\\Flagged", "\\Answered"]), "\(flags)")
                // The source is untouched.
                #expect(try murder.backend1.messages("user.alice").count == 1)
            }
        }

        @Test("COPY of two messages across backends: COPYUID with both UID sets, in order")
        func copyTwo() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "A"))
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "B"))
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "C"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let memo = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.send("c1 UID COPY 2:3 shared/memo\r\n")
                // RFC 4315 uid-set: "2:3" and "2,3" are the same set.
                try await c.expectLine(matching: #"c1 OK \[COPYUID \#(memo.uidValidity) 2[:,]3 1[:,]2\] COPY completed"#)
                #expect(
                    try murder.backend2.messages("shared.memo").map(\.bytes)
                        == [Array(Wire.message(subject: "B").utf8), Array(Wire.message(subject: "C").utf8)])
            }
        }

        @Test("UID MOVE across backends: * OK [COPYUID …], * 1 EXPUNGE, tagged OK; the source is really gone")
        func moveAcross() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "Go"))
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "Stay"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let memo = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.send("m1 UID MOVE 1 shared/memo\r\n")
                try await c.expect(
                    "* OK [COPYUID \(memo.uidValidity) 1 1] Copied\r\n* 1 EXPUNGE\r\nm1 OK MOVE completed\r\n")
                #expect(try murder.backend1.messages("user.alice").map(\.uid) == [2])
                #expect(try murder.backend2.messages("shared.memo").map(\.bytes) == [Array(Wire.message(subject: "Go").utf8)])
                try await c.send("f1 FETCH 1:* (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 2)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("MOVE from a mailbox where alice lacks `e`: NO [NOPERM], nothing changed")
        func moveWithoutExpungeRight() async throws {
            try await TestMurder.with { murder in
                try await murder.runDirect(
                    murder.backend2, as: "admin", ["CREATE shared/drop", "SETACL shared/drop alice lrsi"])
                try await murder.appendDirect(murder.backend2, as: "admin", "shared/drop", Wire.hello)
                try await murder.waitForRecord("shared.drop", on: murder.backend2) {
                    $0.acl.entries.contains { $0.identifier == "alice" }
                }
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT shared/drop")
                try await c.send("m1 MOVE 1 INBOX\r\n")
                try await c.expect("m1 NO [NOPERM] Permission denied\r\n")
                #expect(try murder.backend2.messages("shared.drop").count == 1)
                #expect(try murder.backend1.messages("user.alice").isEmpty)
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("COPY to a missing mailbox: NO [TRYCREATE]")
        func copyMissing() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("c1 COPY 1 nosuch\r\n")
                try await c.expect("c1 NO [TRYCREATE] Mailbox does not exist\r\n")
                try await c.send("m1 MOVE 1 nosuch\r\n")
                try await c.expect("m1 NO [TRYCREATE] Mailbox does not exist\r\n")
                #expect(try murder.backend1.messages("user.alice").count == 1)
            }
        }

        @Test("COPY within one backend is relayed: the backend's own COPYUID answer")
        func copySameBackend() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("c0", "CREATE INBOX/x")
                try await c.run("s1", "SELECT INBOX")
                let x = try #require(murder.backend1.spool.mailbox(named: "user.alice.x"))
                try await c.send("c1 COPY 1 INBOX/x\r\n")
                try await c.expect("c1 OK [COPYUID \(x.uidValidity) 1 1] Completed\r\n")
                #expect(try murder.backend1.messages("user.alice.x").count == 1)
            }
        }
    
        @Test("COPY of a 600 KB message across backends: byte-identical at backend2")
        func copyLarge() async throws {
            try await TestMurder.with { murder in
                let big = Wire.large(bytes: 600_000)
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", big)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let memo = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.send("c1 COPY 1 shared/memo\r\n")
                try await c.expect("c1 OK [COPYUID \(memo.uidValidity) 1 1] COPY completed\r\n")
                #expect(try murder.backend2.messages("shared.memo").map(\.bytes) == [Array(big.utf8)])
            }
        }

        @Test("MOVE 1:2 across backends: both gone at the source, both at the destination")
        func moveTwo() async throws {
            try await TestMurder.with { murder in
                for subject in ["A", "B", "C"] {
                    try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: subject))
                }
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("m1 MOVE 1:2 shared/memo\r\n")
                let lines = try await c.lines(untilTagged: "m1")
                #expect(lines.first?.hasPrefix("* OK [COPYUID ") == true)
                #expect(lines.filter { $0.hasSuffix(" EXPUNGE") }.count == 2)
                #expect(lines.last == "m1 OK MOVE completed")
                #expect(try murder.backend1.messages("user.alice").map(\.uid) == [3])
                #expect(try murder.backend2.messages("shared.memo").count == 2)
                try await c.send("f1 FETCH 1:* (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 3)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("COPY and MOVE to a mailbox the list knows but its backend lost: a clean NO, the source untouched")
        func copyToLostMailbox() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                // Behind the master's back: the list still says backend2 holds it.
                try murder.backend2.spool.deleteMailbox("shared.memo")
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("c1 COPY 1 shared/memo\r\n")
                try await c.expect("c1 NO [TRYCREATE] Mailbox does not exist\r\n")
                try await c.send("m1 MOVE 1 shared/memo\r\n")
                try await c.expect("m1 NO [TRYCREATE] Mailbox does not exist\r\n")
                #expect(try murder.backend1.messages("user.alice").count == 1)
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
            }
        }
    }
}
