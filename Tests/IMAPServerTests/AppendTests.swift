import IMAPServer
import Testing

extension WireTests {
    /// APPEND (RFC 3501 §6.3.11), LITERAL+ (RFC 7888), MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315),
    /// APPENDLIMIT (RFC 7889), and Cyrus's LOCALAPPEND.
    @Suite struct AppendTests {
        static let size = Wire.hello.utf8.count

        func messages(_ s: SessionHarness, _ mailbox: String = "INBOX") async throws -> Int {
            s.send("cnt STATUS \(mailbox) (MESSAGES)\r\n")
            let line = try await s.expectLine(prefix: "* STATUS ")
            try await s.expect("cnt OK STATUS completed\r\n")
            return Int(line.split(separator: " ").last?.dropLast() ?? "") ?? -1
        }

        @Test("with LITERAL- a non-synchronising APPEND over 4096 bytes is read, dropped and answered BAD")
        func literalMinus() async throws {
            try await TestServer.with(configure: { $0.literalMinus = true }) { server in
                let s = try await server.session(as: "alice")
                s.send("c CAPABILITY\r\n")
                let caps = try await s.expectLine(prefix: "* CAPABILITY ")
                #expect(caps.contains(" LITERAL- ") && !caps.contains("LITERAL+"))
                try await s.expect("c OK CAPABILITY completed\r\n")
                let body = String(repeating: "x", count: 5000)
                s.send("a1 APPEND INBOX {5000+}\r\n\(body)\r\n")
                try await s.expect("a1 BAD Non-synchronising literal over 4096 bytes (LITERAL-)\r\n")
                s.send("a2 APPEND INBOX {10+}\r\n0123456789\r\n")
                _ = try await s.expectLine(prefix: "a2 OK [APPENDUID ")
                #expect(try await messages(s) == 1)
                #expect(server.stagedFiles().isEmpty)
            }
        }

        @Test("a synchronising literal gets + before the message, then OK [APPENDUID]")
        func syncLiteral() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX {\(Self.size)}\r\n")
                try await s.expect("+ Ready for literal data\r\n")
                s.send(Wire.hello + "\r\n")
                let ok = try await s.expectLine(prefix: "a1 OK [APPENDUID ")
                #expect(ok.hasSuffix(" 1] Completed"), "\(ok)")
                #expect(try await messages(s) == 1)
            }
        }

        @Test("a non-synchronising literal gets no continuation", arguments: [1, 7, 4096])
        func nonSyncLiteral(chunkSize: Int) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX {\(Self.size)+}\r\n\(Wire.hello)\r\n", chunkSize: chunkSize)
                let ok = try await s.expectLine(prefix: "a1 OK [APPENDUID ")
                #expect(ok.hasSuffix(" 1] Completed"), "\(ok)")
                #expect(try await messages(s) == 1)
            }
        }

        @Test("MULTIAPPEND appends all messages in one command with consecutive UIDs")
        func multiappend() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send(
                    "a1 APPEND INBOX (\\Seen) {\(Self.size)+}\r\n\(Wire.hello) {\(Self.size)+}\r\n\(Wire.hello) {\(Self.size)+}\r\n\(Wire.hello)\r\n"
                )
                let ok = try await s.expectLine(prefix: "a1 OK [APPENDUID ")
                #expect(ok.hasSuffix(" 1:3] Completed"), "\(ok)")
                #expect(try await messages(s) == 3)
            }
        }

        @Test("MULTIAPPEND is atomic: one bad message and none is appended")
        func multiappendAtomic() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX {\(Self.size)+}\r\n\(Wire.hello) {0+}\r\n\r\n")
                try await s.expect("a1 NO [CANNOT] Empty message\r\n")
                #expect(try await messages(s) == 0)
                #expect(server.stagedFiles().isEmpty)
            }
        }

        @Test("APPEND to a missing mailbox is NO [TRYCREATE] instead of +, and the session goes on")
        func tryCreate() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX/none {\(Self.size)}\r\n")
                try await s.expect("a1 NO [TRYCREATE] Mailbox does not exist\r\n")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("APPEND to a missing mailbox with LITERAL+ reads and drops the message, then NO [TRYCREATE]")
        func tryCreateNonSync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX/none {\(Self.size)+}\r\n\(Wire.hello)\r\n")
                try await s.expect("a1 NO [TRYCREATE] Mailbox does not exist\r\n")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        /// The command decoder refuses a literal over its bound (the APPENDLIMIT) before the
        /// session sees the command; the session answers NO [TOOBIG] (RFC 7889) without a `+`.
        @Test("a synchronising literal over APPENDLIMIT is refused with NO [TOOBIG] before the client sends it")
        func overLimitSync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX {1048577}\r\n")
                try await s.expect("a1 NO [TOOBIG] Message larger than APPENDLIMIT 1048576\r\n")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        /// The client has already sent bytes the server will not take; the command decoder's rule
        /// (like nginx's) is to close rather than guess where the next command starts.
        @Test("a non-synchronising literal over APPENDLIMIT closes the connection with BYE; nothing is stored")
        func overLimitNonSync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                let filler = String(repeating: "x9 LOGOUT\r\n", count: 1_048_577 / 11 + 1)
                s.send("a1 APPEND INBOX {\(filler.utf8.count)+}\r\n" + filler + "\r\n")
                try await s.expect("* BYE Protocol error: literal too large; closing connection\r\n")
                try await s.waitForEnd()
                #expect(s.pending.isEmpty)
                #expect(server.stagedFiles().isEmpty)
                let other = try await server.session(as: "alice")
                #expect(try await messages(other) == 0)
            }
        }

        @Test("flags and the internal date given in APPEND are kept")
        func flagsAndDate() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send(
                    "a1 APPEND INBOX (\\Flagged $Work) \"14-Jul-2023 10:20:30 +0200\" {\(Self.size)+}\r\n\(Wire.hello)\r\n"
                )
                try await s.expectTagged("a1")
                try await s.run("e1", "EXAMINE INBOX")
                s.send("f1 FETCH 1 (FLAGS INTERNALDATE)\r\n")
                try await s.expect(
                    "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent) INTERNALDATE \"14-Jul-2023 10:20:30 +0200\")\r\nf1 OK Completed\r\n"
                )
            }
        }

        @Test("APPEND without a message body arguments is BAD")
        func appendWithoutMessage() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 APPEND INBOX\r\n")
                try await s.expectLine(prefix: "a1 BAD ")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("LOCALAPPEND names the mailbox by its internal name, as a Cyrus frontend sends it")
        func localAppend() async throws {
            try await TestServer.with { server in
                _ = try await server.session(as: "alice")
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("a0 AUTHENTICATE PLAIN \(Wire.plain(authzid: "alice", "murder"))\r\n")
                try await s.expectTagged("a0")
                s.send("a1 LOCALAPPEND user.alice \"\" {\(Self.size)+}\r\n\(Wire.hello)\r\n")
                let ok = try await s.expectLine(prefix: "a1 OK [APPENDUID ")
                #expect(ok.hasSuffix(" 1] Completed"), "\(ok)")
                #expect(try await messages(s) == 1)
            }
        }

        @Test("an APPEND to the selected mailbox is announced with EXISTS before the tagged OK")
        func appendToSelected() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("s1", "SELECT INBOX")
                s.send("a1 APPEND INBOX {\(Self.size)+}\r\n\(Wire.hello)\r\n")
                try await s.expect("* 1 EXISTS\r\n* 1 RECENT\r\n")
                try await s.expectLine(prefix: "a1 OK [APPENDUID ")
            }
        }
    }
}
