import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// SELECT and the relay of selected-state commands (SPEC.md §6; DESIGN.md "The hot path:
    /// relay"): what the backend answers reaches the client byte for byte, pipelining holds, and
    /// IDLE works through it.
    @Suite struct FrontendRelayTests {
        @Test("SELECT INBOX relays the backend's answer")
        func selectRelayed() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello, flags: "\\Seen")
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let box = try #require(murder.backend1.spool.mailbox(named: "user.alice"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("s1 SELECT INBOX\r\n")
                try await c.expect(
                    "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n"
                        + "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Ok\r\n"
                        + "* 2 EXISTS\r\n"
                        + "* 2 RECENT\r\n"
                        + "* OK [UNSEEN 2] Ok\r\n"
                        + "* OK [UIDVALIDITY \(box.uidValidity)] Ok\r\n"
                        + "* OK [UIDNEXT 3] Ok\r\n"
                        + "* OK [HIGHESTMODSEQ \(box.highestModSeq)] Ok\r\n"
                        + "* OK [MAILBOXID (\(box.uniqueID))] Ok\r\n"
                        + "s1 OK [READ-WRITE] Completed\r\n")
            }
        }

        @Test("FETCH through the frontend is byte-identical to the backend's own answer")
        func fetchIdentical() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.multipart)
                let fetch = "FETCH 1:2 (UID RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[1.MIME])"
                let direct = try await murder.backendSession(murder.backend1, as: "alice")
                try await direct.run("e1", "EXAMINE INBOX")
                try await direct.send("f1 \(fetch)\r\n")
                let expected = try await direct.bytes(untilTagged: "f1")
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("f1 \(fetch)\r\n")
                try await c.expect(bytes: expected)
                #expect(expected.count > Wire.hello.utf8.count + Wire.multipart.utf8.count)
                try await c.expectSilence()
            }
        }

        @Test("FETCH, UID SEARCH and LIST pipelined in one write: LIST answers after both relayed OKs")
        func pipelined() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("p1 FETCH 1:2 (UID)\r\np2 UID SEARCH ALL\r\np3 LIST \"\" \"*\"\r\np4 FETCH 2 (UID)\r\n")
                try await c.expect(
                    "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\np1 OK Completed\r\n"
                        + "* SEARCH 1 2\r\np2 OK Completed (2 msgs)\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" shared/memo\r\n"
                        + "p3 OK Completed (2 mailboxes)\r\n"
                        + "* 2 FETCH (UID 2)\r\np4 OK Completed\r\n")
            }
        }

        @Test("a synchronising literal in a relayed SEARCH: the frontend's `+`, then the result")
        func searchWithLiteral() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "Other"))
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("s2 SEARCH CHARSET UTF-8 TEXT {4}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("Bob,\r\n")
                try await c.expect("* SEARCH 2\r\ns2 OK Completed (1 msgs)\r\n")
                try await c.send("s3 UID SEARCH SUBJECT {5}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("Other\r\n")
                try await c.expect("* SEARCH 1\r\ns3 OK Completed (1 msgs)\r\n")
            }
        }

        @Test("IDLE through the relay: `+ idling`, another session's APPEND as EXISTS, DONE → OK")
        func idle() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("i1 IDLE\r\n")
                try await c.expect("+ idling\r\n")
                // Directly at the backend, and through a second frontend session.
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                try await c.expect("* 1 EXISTS\r\n* 1 RECENT\r\n", within: .seconds(5))
                let other = try await murder.frontendSession(as: "alice")
                try await other.append("INBOX", Wire.hello)
                try await c.expect("* 2 EXISTS\r\n* 2 RECENT\r\n", within: .seconds(5))
                try await c.send("DONE\r\n")
                try await c.expect("i1 OK IDLE terminated\r\n")
                try await c.send("n1 NOOP\r\n")
                try await c.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("SELECT shared/memo (backend2) after INBOX (backend1): FETCH then reads shared/memo")
        func selectAcrossBackends() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.message(subject: "In INBOX"))
                try await murder.appendDirect(murder.backend2, as: "admin", "shared/memo", Wire.message(subject: "Memo 1"))
                try await murder.appendDirect(murder.backend2, as: "admin", "shared/memo", Wire.message(subject: "Memo 2"))
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("f1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
                try await c.expect(
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {21}\r\nSubject: In INBOX\r\n\r\n)\r\nf1 OK Completed\r\n")
                try await c.send("s2 SELECT shared/memo\r\n")
                try await c.expect("* FLAGS (")
                let lines = try await c.lines(untilTagged: "s2")
                #expect(lines.contains("* 2 EXISTS"))
                #expect(lines.last == "s2 OK [READ-WRITE] Completed")
                try await c.send("f2 FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
                try await c.expect(
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: Memo 1\r\n\r\n)\r\n"
                        + "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: Memo 2\r\n\r\n)\r\n"
                        + "f2 OK Completed\r\n")
                // And back.
                try await c.run("s3", "SELECT INBOX")
                try await c.send("f3 FETCH 1:* (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf3 OK Completed\r\n")
            }
        }

        @Test("SELECT of a missing mailbox: NO [NONEXISTENT], and no mailbox is selected afterwards")
        func selectMissing() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("s2 SELECT nosuch\r\n")
                try await c.expect("s2 NO [NONEXISTENT] Mailbox does not exist\r\n")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("f1 BAD No mailbox selected\r\n")
                try await c.send("s3 SELECT user/bob\r\n")
                try await c.expect("s3 NO [NONEXISTENT] Mailbox does not exist\r\n")
                try await c.send("f2 UID FETCH 1 (UID)\r\n")
                try await c.expect("f2 BAD No mailbox selected\r\n")
            }
        }

        @Test("CLOSE ends the selection: later FETCH is BAD")
        func close() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("c1 CLOSE\r\n")
                try await c.expect("c1 OK Completed\r\n")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("f1 BAD No mailbox selected\r\n")
            }
        }
    
        @Test("a 600 KB message FETCHed through the relay is byte-identical to the backend's answer")
        func largeFetch() async throws {
            try await TestMurder.with { murder in
                let big = Wire.large(bytes: 600_000)
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", big)
                let direct = try await murder.backendSession(murder.backend1, as: "alice")
                try await direct.run("e1", "EXAMINE INBOX")
                try await direct.send("f1 FETCH 1 (BODY.PEEK[] RFC822.SIZE)\r\n")
                let expected = try await direct.bytes(untilTagged: "f1")
                #expect(expected.count > 600_000)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("f1 FETCH 1 (BODY.PEEK[] RFC822.SIZE)\r\nn1 NOOP\r\n")
                try await c.expect(bytes: expected)
                try await c.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("DONE and the next command in one write: IDLE ends, then the command is answered")
        func idleDonePipelined() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("i1 IDLE\r\n")
                try await c.expect("+ idling\r\n")
                try await c.send("DONE\r\nf1 FETCH 1 (UID)\r\nl1 LIST \"\" INBOX\r\n")
                try await c.expect(
                    "i1 OK IDLE terminated\r\n* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n"
                        + "* LIST (\\HasNoChildren) \"/\" INBOX\r\nl1 OK Completed (1 mailboxes)\r\n")
            }
        }

        @Test("NOOP while selected is relayed: another session's APPEND shows as EXISTS")
        func noopRelayed() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                try await c.send("n1 NOOP\r\n")
                try await c.expect("* 1 EXISTS\r\n* 1 RECENT\r\nn1 OK NOOP completed\r\n")
            }
        }

        @Test(
            "ENABLE QRESYNC is replayed at the backend: EXAMINE … (QRESYNC …) gives the bytes a direct client gets",
            arguments: [false, true])
        func enableReplayed(linkOpenBefore: Bool) async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello, flags: "\\Seen")
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let box = try #require(murder.backend1.spool.mailbox(named: "user.alice"))
                let examine = "EXAMINE INBOX (QRESYNC (\(box.uidValidity) 1))"
                let direct = try await murder.backendSession(murder.backend1, as: "alice")
                let enabled = try await direct.run("e1", "ENABLE QRESYNC")
                try await direct.send("s1 \(examine)\r\n")
                let expected = try await direct.bytes(untilTagged: "s1")
                #expect(String(decoding: expected, as: UTF8.self).hasSuffix("s1 OK [READ-ONLY] Completed\r\n"))
                let c = try await murder.frontendSession(as: "alice")
                // With the connection to backend1 opened before ENABLE, or by the EXAMINE.
                if linkOpenBefore { try await c.run("st", "STATUS INBOX (MESSAGES)") }
                try await c.send("e1 ENABLE QRESYNC\r\n")
                try await c.expect(enabled.map { $0 + "\r\n" }.joined())
                try await c.send("s1 \(examine)\r\n")
                try await c.expect(bytes: expected)
            }
        }
    }
}
