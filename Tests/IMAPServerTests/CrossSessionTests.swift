import Testing

extension WireTests {
    /// Two sessions on one spool: what a selected session learns of the other's changes, and when
    /// (RFC 3501 §5.2, §7.4.1; RFC 2177 IDLE).
    @Suite struct CrossSessionTests {
        @Test("B's APPEND reaches A as EXISTS at A's next NOOP, not before")
        func appendSeenAtNoop() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                let b = try await server.session(as: "alice")
                try await a.run("s1", "SELECT INBOX")
                try await b.append("INBOX", Wire.hello)
                try await a.expectSilence()
                a.send("n1 NOOP\r\n")
                try await a.expect("* 1 EXISTS\r\n* 1 RECENT\r\nn1 OK NOOP completed\r\n")
                a.send("n2 NOOP\r\n")
                try await a.expect("n2 OK NOOP completed\r\n")
            }
        }

        @Test("flags B changes appear in A as FETCH FLAGS")
        func flagsSeen() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                let b = try await server.session(as: "alice")
                try await a.append("INBOX", Wire.hello)
                try await a.run("s1", "SELECT INBOX")
                try await b.run("s1", "SELECT INBOX")
                try await b.run("st", "STORE 1 +FLAGS.SILENT (\\Flagged)")
                a.send("n1 NOOP\r\n")
                try await a.expect("* 1 FETCH (FLAGS (\\Flagged \\Recent))\r\nn1 OK NOOP completed\r\n")
            }
        }

        @Test("B's EXPUNGE is not reported during A's FETCH (RFC 3501 §7.4.1) but at A's NOOP")
        func expungeDeferredDuringFetch() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                let b = try await server.session(as: "alice")
                try await a.append("INBOX", Wire.hello)
                try await a.append("INBOX", Wire.hello)
                try await a.run("s1", "SELECT INBOX")
                try await b.run("s1", "SELECT INBOX")
                try await b.run("st", "STORE 1 +FLAGS.SILENT (\\Deleted)")
                try await b.run("x", "EXPUNGE")
                a.send("f1 FETCH 1:2 UID\r\n")
                try await a.expect("* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\nf1 OK Completed\r\n")
                // The expunged message stays readable until A learns of the expunge (RFC 2180 §4.1).
                a.send("f2 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
                try await a.expect(
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Hello\r\n\r\n)\r\nf2 OK Completed\r\n")
                a.send("s2 SEARCH ALL\r\n")
                try await a.expect("* SEARCH 1 2\r\ns2 OK Completed (2 msgs)\r\n")
                a.send("n1 NOOP\r\n")
                try await a.expect("* 1 EXPUNGE\r\nn1 OK NOOP completed\r\n")
                a.send("f3 FETCH 1:* UID\r\n")
                try await a.expect("* 1 FETCH (UID 2)\r\nf3 OK Completed\r\n")
            }
        }

        @Test("in IDLE, A receives B's APPEND as EXISTS without sending anything; DONE ends IDLE")
        func idleReceivesAppend() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                let b = try await server.session(as: "alice")
                try await a.run("s1", "SELECT INBOX")
                a.send("i1 IDLE\r\n")
                try await a.expect("+ idling\r\n")
                try await b.append("INBOX", Wire.hello)
                a.timeout = .milliseconds(1500)
                try await a.expect("* 1 EXISTS\r\n* 1 RECENT\r\n")
                try await b.run("sb", "SELECT INBOX")
                try await b.run("st", "STORE 1 +FLAGS.SILENT (\\Seen)")
                try await a.expect("* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n")
                try await b.run("st2", "STORE 1 +FLAGS.SILENT (\\Deleted)")
                try await a.expect("* 1 FETCH (FLAGS (\\Deleted \\Seen \\Recent))\r\n")
                try await b.run("x", "EXPUNGE")
                try await a.expect("* 1 EXPUNGE\r\n")
                a.send("DONE\r\n")
                try await a.expect("i1 OK IDLE terminated\r\n")
                a.send("n1 NOOP\r\n")
                try await a.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("IDLE ended by something other than DONE is BAD, and the session goes on")
        func idleBadDone() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                a.send("i1 IDLE\r\n")
                try await a.expect("+ idling\r\n")
                a.send("n0 NOOP\r\n")
                try await a.expect("i1 BAD Expected DONE\r\n")
                a.send("n1 NOOP\r\n")
                try await a.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("a mailbox deleted under a selected session ends that session with BYE")
        func selectedMailboxDeleted() async throws {
            try await TestServer.with { server in
                let a = try await server.session(as: "alice")
                let b = try await server.session(as: "alice")
                try await a.run("c1", "CREATE INBOX/tmp")
                try await a.run("s1", "SELECT INBOX/tmp")
                try await b.run("d1", "DELETE INBOX/tmp")
                a.send("n1 NOOP\r\n")
                try await a.expectLine(prefix: "* BYE ")
            }
        }
    }
}
