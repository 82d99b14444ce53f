import IMAPServer
import Testing

extension WireTests {
    /// Clients that break the rules: every bound pushed past, garbage, wrong states, hang-ups. The
    /// session answers BAD (or BYE where it cannot resynchronise) and never crashes.
    @Suite struct MisbehavingClientTests {
        @Test("a line over the maximum length is BAD and the session continues")
        func lineTooLong() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 NOOP " + String(repeating: "x", count: 9000) + "\r\n")
                try await s.expectLine(prefix: "a1 BAD ")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("a line over the maximum length without CRLF for a long time is cut off, not buffered")
        func endlessLine() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                for _ in 0..<40 { s.send(String(repeating: "y", count: 4096)) }
                s.send("\r\na2 NOOP\r\n")
                // The first word counts as the tag; the answer is bounded all the same.
                let line = try await s.nextLine()
                #expect(
                    line.contains(" BAD ") && line.utf8.count < 9000, "\(line.utf8.count) bytes: \(line.suffix(60))")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("a synchronising literal over the string bound outside APPEND is BAD without +")
        func stringLiteralTooLongSync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 CREATE {70000}\r\n")
                try await s.expectLine(prefix: "a1 BAD ")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("a non-synchronising literal over the string bound outside APPEND is BAD and its bytes are dropped")
        func stringLiteralTooLongNonSync() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                let filler = String(repeating: "x9 LOGOUT\r\n", count: 70000 / 11 + 1)
                s.send("a1 CREATE {\(filler.utf8.count)+}\r\n" + filler + "\r\n")
                try await s.expectLine(prefix: "a1 BAD ")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test(
            "garbage is BAD and the session goes on",
            arguments: [
                [UInt8]("\u{1}\u{2}garbage\r\n".utf8), [0xFF, 0xFE, 0x20, 0x41, 0x0D, 0x0A],
                [UInt8]("a1 NOOP\0\r\n".utf8),
                [UInt8]("a1 NOOP \0x\r\n".utf8), [UInt8]("a1 FROBNICATE\r\n".utf8), [UInt8]("\r\n".utf8),
                [UInt8]("NOOP\r\n".utf8), [UInt8]("a1 LIST \"\r\n".utf8), [UInt8]("a1 SELECT\r\n".utf8),
                [UInt8]("a1 LOGIN\r\n".utf8), [UInt8]("a1 UID FROB 1\r\n".utf8), [UInt8]("a1 noop extra\r\n".utf8),
                [UInt8]("* NOOP\r\n".utf8), [UInt8]("+ NOOP\r\n".utf8), [UInt8]("a1 NOOP\n".utf8),
            ]
        )
        func garbage(bytes: [UInt8]) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send(bytes: bytes)
                let line = try await s.nextLine()
                #expect(line.contains(" BAD ") || line == "a1 OK NOOP completed", "\(line)")
                s.send("z1 NOOP\r\n")
                try await s.expect("z1 OK NOOP completed\r\n")
            }
        }

        @Test("SEARCH nested deeper than allowed is BAD")
        func nestingTooDeep() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.append("INBOX", Wire.hello)
                try await s.run("s0", "SELECT INBOX")
                let deep = String(repeating: "(", count: 40) + "ALL" + String(repeating: ")", count: 40)
                s.send("s1 SEARCH \(deep)\r\n")
                try await s.expectLine(prefix: "s1 BAD ")
                let notDeep = String(repeating: "NOT ", count: 40) + "ALL"
                s.send("s2 SEARCH \(notDeep)\r\n")
                try await s.expectLine(prefix: "s2 BAD ")
                let fine = String(repeating: "(", count: 5) + "ALL" + String(repeating: ")", count: 5)
                s.send("s3 SEARCH \(fine)\r\n")
                try await s.expect("* SEARCH 1\r\ns3 OK Completed (1 msgs)\r\n")
            }
        }

        @Test("a sequence set with more ranges than allowed is BAD")
        func hugeSequenceSet() async throws {
            try await TestServer.with(configure: { $0.maxLineBytes = 1 << 20 }) { server in
                let s = try await server.session(as: "alice")
                try await s.append("INBOX", Wire.hello)
                try await s.run("s0", "SELECT INBOX")
                let set = (1...12000).map { String($0 * 2) }.joined(separator: ",")
                s.send("f1 UID FETCH \(set) FLAGS\r\n")
                try await s.expectLine(prefix: "f1 BAD ")
                s.send("z1 NOOP\r\n")
                try await s.expect("z1 OK NOOP completed\r\n")
            }
        }

        @Test("a huge UID range is bounded by the mailbox, a huge sequence range is BAD")
        func hugeRanges() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.append("INBOX", Wire.hello)
                try await s.run("s0", "SELECT INBOX")
                s.send("f1 UID FETCH 1:4294967295 UID\r\n")
                try await s.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
                s.send("f2 FETCH 1:4294967295 UID\r\n")
                try await s.expect("f2 BAD Invalid message sequence number\r\n")
                s.send("f3 FETCH 4294967296 UID\r\n")
                try await s.expectLine(prefix: "f3 BAD ")
            }
        }

        @Test(
            "commands in the wrong state are BAD",
            arguments: [
                ("FETCH 1 FLAGS", "BAD No mailbox selected"), ("EXPUNGE", "BAD No mailbox selected"),
                ("CLOSE", "BAD No mailbox selected"), ("UNSELECT", "BAD No mailbox selected"),
                ("SEARCH ALL", "BAD No mailbox selected"), ("UID STORE 1 +FLAGS (\\Seen)", "BAD No mailbox selected"),
                ("LOGIN alice secret", "BAD Already authenticated"),
            ]
        )
        func wrongState(command: String, answer: String) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("w1 \(command)\r\n")
                try await s.expect("w1 \(answer)\r\n")
            }
        }

        @Test("DONE outside IDLE is BAD")
        func doneOutsideIdle() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("DONE\r\n")
                try await s.expectLine(prefix: "DONE BAD ")
            }
        }

        @Test("pipelined commands in one chunk, and one byte at a time, are answered in order")
        func pipelining() async throws {
            for chunk in [1, 3, 1000] {
                try await TestServer.with { server in
                    let s = try await server.session(as: "alice")
                    s.send("p1 NOOP\r\np2 CREATE {6+}\r\nINBOX/\r\np3 CREATE INBOX/x\r\np4 NOOP\r\n", chunkSize: chunk)
                    try await s.expectLine(prefix: "p1 OK")
                    try await s.expectLine(prefix: "p2 NO ")
                    try await s.expect("p3 OK Completed\r\np4 OK NOOP completed\r\n")
                }
            }
        }

        @Test(
            "a hang-up in the middle of an APPEND leaves no message and no staged file",
            arguments: [true, false]
        )
        func hangUpMidAppend(synchronising: Bool) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                if synchronising {
                    s.send("a1 APPEND INBOX (\\Seen) {5000}\r\n")
                    try await s.expect("+ Ready for literal data\r\n")
                    s.send(String(repeating: "m", count: 2500))
                } else {
                    s.send(
                        "a1 APPEND INBOX {\(Wire.hello.utf8.count)+}\r\n\(Wire.hello) {5000+}\r\n"
                            + String(repeating: "m", count: 2500))
                }
                try await Task.sleep(for: .milliseconds(50))
                s.hangUp()
                try await s.waitForEnd()
                #expect(server.stagedFiles().isEmpty, "\(server.stagedFiles())")
                let other = try await server.session(as: "alice")
                other.send("st STATUS INBOX (MESSAGES)\r\n")
                try await other.expect("* STATUS INBOX (MESSAGES 0)\r\nst OK STATUS completed\r\n")
            }
        }

        @Test("a hang-up during IDLE ends the session cleanly")
        func hangUpInIdle() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                try await s.run("s1", "SELECT INBOX")
                s.send("i1 IDLE\r\n")
                try await s.expect("+ idling\r\n")
                s.hangUp()
                try await s.waitForEnd()
            }
        }

        @Test("an invalid mailbox name is NO, not a crash", arguments: ["INBOX/", "INBOX//x", "user", "a^b", "\"\""])
        func invalidNames(name: String) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("n1 SELECT \(name)\r\n")
                let line = try await s.nextLine()
                #expect(line.hasPrefix("n1 NO ") || line.hasPrefix("n1 BAD "), "\(line)")
            }
        }
    }
}
