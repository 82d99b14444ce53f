import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// STATUS and APPEND (RFC 3501 §6.3.10, §6.3.11; RFC 7888 LITERAL+; RFC 3502 MULTIAPPEND)
    /// proxied to the mailbox's owner, whichever backend the selected mailbox is on.
    @Suite struct FrontendAppendTests {
        @Test("STATUS of a mailbox on the other backend while INBOX is selected equals the backend's answer")
        func statusElsewhere() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend2, as: "admin", "shared/memo", Wire.hello)
                let direct = try await murder.backendSession(murder.backend2, as: "alice")
                let expected = try await direct.run("st", "STATUS shared/memo (MESSAGES UIDNEXT UNSEEN)")
                #expect(expected == ["* STATUS shared/memo (MESSAGES 1 UIDNEXT 2 UNSEEN 1)", "st OK STATUS completed"])
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("st STATUS shared/memo (MESSAGES UIDNEXT UNSEEN)\r\n")
                try await c.expect(expected.map { $0 + "\r\n" }.joined())
                // INBOX is still selected.
                try await c.send("f1 FETCH 1:* (UID)\r\n")
                try await c.expect("f1 OK Completed\r\n")
            }
        }

        @Test("APPEND with a synchronising literal to shared/memo while INBOX is selected: byte-identical at backend2")
        func appendSynchronising() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let message = Wire.message(subject: "Sync")
                try await c.send("a1 APPEND shared/memo (\\Flagged) {\(message.utf8.count)}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send(message + "\r\n")
                let box = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.expect("a1 OK [APPENDUID \(box.uidValidity) 1] Completed\r\n")
                let stored = try murder.backend2.messages("shared.memo")
                #expect(stored.count == 1)
                #expect(stored.first?.bytes == Array(message.utf8))
                #expect(stored.first?.flags.contains("\\Flagged") == true)
                #expect(try murder.backend1.messages("user.alice").isEmpty)
            }
        }

        @Test("APPEND with LITERAL+ {n+}: no continuation, byte-identical at backend2")
        func appendNonSynchronising() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let message = Wire.multipart
                try await c.send("a1 APPEND shared/memo {\(message.utf8.count)+}\r\n\(message)\r\n")
                let box = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.expect("a1 OK [APPENDUID \(box.uidValidity) 1] Completed\r\n")
                #expect(try murder.backend2.messages("shared.memo").map(\.bytes) == [Array(message.utf8)])
            }
        }

        @Test("APPEND to a missing mailbox: NO [TRYCREATE] instead of `+`, and the session goes on")
        func appendMissing() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("a1 APPEND nosuch {5}\r\n")
                try await c.expect("a1 NO [TRYCREATE] Mailbox does not exist\r\n")
                try await c.expectSilence()
                try await c.send("a2 NOOP\r\n")
                try await c.expect("a2 OK NOOP completed\r\n")
                // A non-synchronising literal arrives anyway: it is read and dropped.
                try await c.send("a3 APPEND nosuch {5+}\r\nhello\r\na4 NOOP\r\n")
                try await c.expect("a3 NO [TRYCREATE] Mailbox does not exist\r\na4 OK NOOP completed\r\n")
            }
        }

        @Test("MULTIAPPEND of two messages to shared/memo: one APPENDUID with both UIDs")
        func multiAppend() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                let m1 = Wire.message(subject: "One")
                let m2 = Wire.message(subject: "Two")
                try await c.send("a1 APPEND shared/memo {\(m1.utf8.count)+}\r\n\(m1) (\\Seen) {\(m2.utf8.count)}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send(m2 + "\r\n")
                let box = try #require(murder.backend2.spool.mailbox(named: "shared.memo"))
                try await c.expect("a1 OK [APPENDUID \(box.uidValidity) 1:2] Completed\r\n")
                let stored = try murder.backend2.messages("shared.memo")
                #expect(stored.map(\.bytes) == [Array(m1.utf8), Array(m2.utf8)])
            }
        }
    
        @Test("APPEND to the selected mailbox: the backend's EXISTS comes before the tagged OK, as directly")
        func appendToSelected() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let box = try #require(murder.backend1.spool.mailbox(named: "user.alice"))
                try await c.send("a1 APPEND INBOX {\(Wire.hello.utf8.count)+}\r\n\(Wire.hello)\r\n")
                try await c.expect("* 1 EXISTS\r\n* 1 RECENT\r\na1 OK [APPENDUID \(box.uidValidity) 1] Completed\r\n")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("MULTIAPPEND to the selected backend whose second message is over APPENDLIMIT: NO [TOOBIG], no BYE, nothing kept")
        func multiAppendTooBigOnSelectedBackend() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let m1 = Wire.message(subject: "One")
                try await c.send("a1 APPEND INBOX {\(m1.utf8.count)+}\r\n\(m1) {\(TestMurder.maxLiteralBytes + 1)}\r\n")
                try await c.expect("a1 NO [TOOBIG] Message larger than APPENDLIMIT \(TestMurder.maxLiteralBytes)\r\n")
                try await c.send("f1 FETCH 1:* (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
                #expect(try murder.backend1.messages("user.alice").count == 1)
            }
        }

        @Test("MULTIAPPEND to another backend whose second message is over APPENDLIMIT: NO [TOOBIG], nothing kept there")
        func multiAppendTooBigElsewhere() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                let m1 = Wire.message(subject: "One")
                try await c.send("a1 APPEND shared/memo {\(m1.utf8.count)+}\r\n\(m1) {\(TestMurder.maxLiteralBytes + 1)}\r\n")
                try await c.expect("a1 NO [TOOBIG] Message larger than APPENDLIMIT \(TestMurder.maxLiteralBytes)\r\n")
                try await c.send("n1 NOOP\r\n")
                try await c.expect("n1 OK NOOP completed\r\n")
                try await c.run("a2", "STATUS shared/memo (MESSAGES)")
                #expect(try murder.backend2.messages("shared.memo").isEmpty)
            }
        }

        @Test("LOGIN with synchronising literals: `+` for each")
        func loginWithLiterals() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 LOGIN {5}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("alice {\(TestMurder.password.utf8.count)}\r\n")
                try await c.expect("+ Ready for literal data\r\n")
                try await c.send("\(TestMurder.password)\r\n")
                try await c.expectLine(prefix: "a1 OK [CAPABILITY ")
            }
        }
    }
}
