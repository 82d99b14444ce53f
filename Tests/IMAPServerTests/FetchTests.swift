import Testing

extension WireTests {
    /// FETCH and UID FETCH (RFC 3501 §6.4.5), BINARY (RFC 3516), CHANGEDSINCE (RFC 7162 §3.1.4).
    @Suite struct FetchTests {
        static let date = "17-Jul-1996 02:44:25 -0700"
        static let envelope =
            "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Hello\" ((\"Alice\" NIL \"alice\" \"example.org\")) "
            + "((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Alice\" NIL \"alice\" \"example.org\")) "
            + "((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL NIL \"<1@example.org>\")"

        /// alice's INBOX with hello (UID 1), multipart (UID 2), binary (UID 3), selected.
        func selected(_ server: TestServer, examine: Bool = false) async throws -> SessionHarness {
            let s = try await server.session(as: "alice")
            for m in [Wire.hello, Wire.multipart, Wire.binary] {
                s.send("ap APPEND INBOX \"\(Self.date)\" {\(m.utf8.count)+}\r\n\(m)\r\n")
                try await s.expectTagged("ap")
            }
            try await s.run("sel", examine ? "EXAMINE INBOX" : "SELECT INBOX")
            return s
        }

        @Test("FLAGS, UID, INTERNALDATE, RFC822.SIZE")
        func simpleAttributes() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 1 (FLAGS UID INTERNALDATE RFC822.SIZE)\r\n")
                try await s.expect(
                    "* 1 FETCH (FLAGS (\\Recent) UID 1 INTERNALDATE \"\(Self.date)\" RFC822.SIZE \(Wire.hello.utf8.count))\r\n"
                        + "f1 OK Completed\r\n")
            }
        }

        @Test(
            "BODY.PEEK[] of bodies below and from 512 KiB: read into the response, or sent from the file; same bytes",
            arguments: [(512 << 10) - 1, 512 << 10]
        )
        func wholeBodyPaths(size: Int) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                let head = "Subject: big\r\n\r\n"
                let body = head + String(repeating: "0123456789abcdef\r\n", count: (size - head.utf8.count) / 18)
                    + String(repeating: "x", count: (size - head.utf8.count) % 18)
                #expect(body.utf8.count == size)
                s.send("ap APPEND INBOX {\(size)+}\r\n\(body)\r\n")
                try await s.expectTagged("ap")
                try await s.run("sel", "SELECT INBOX")
                let before = s.connection.filesSent
                s.send("f1 FETCH 1 BODY.PEEK[]\r\n")
                try await s.expect("* 1 FETCH (BODY[] {\(size)}\r\n\(body))\r\nf1 OK Completed\r\n")
                #expect(s.connection.filesSent - before == (size >= 512 << 10 ? 1 : 0))
            }
        }

        @Test("Cyrus's RFC822.PEEK (what a Cyrus frontend's cross-backend COPY asks for): RFC822 data, \\Seen left alone")
        func rfc822Peek() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                let n = Wire.hello.utf8.count
                s.send("f1 UID FETCH 1 (RFC822.PEEK)\r\n")
                try await s.expect("* 1 FETCH (UID 1 RFC822 {\(n)}\r\n\(Wire.hello))\r\nf1 OK Completed\r\n")
                s.send("f2 FETCH 1 FLAGS\r\n")
                try await s.expect("* 1 FETCH (FLAGS (\\Recent))\r\nf2 OK Completed\r\n")
            }
        }

        @Test("ENVELOPE")
        func envelope() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 1 ENVELOPE\r\n")
                try await s.expect("* 1 FETCH (ENVELOPE \(Self.envelope))\r\nf1 OK Completed\r\n")
            }
        }

        @Test("BODY of a single-part message (no extension data)")
        func body() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 1 BODY\r\n")
                try await s.expect(
                    "* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 25 1))\r\nf1 OK Completed\r\n"
                )
            }
        }

        @Test("BODYSTRUCTURE of a multipart message, with extension data")
        func bodyStructureMultipart() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 2 BODYSTRUCTURE\r\n")
                try await s.expect(
                    "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 9 1 NIL NIL NIL NIL)"
                        + "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 16 NIL NIL NIL NIL)"
                        + " \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL))\r\n"
                        + "f1 OK Completed\r\n")
            }
        }

        @Test("BODY[] sets \\Seen and reports FLAGS; BODY.PEEK[] does not")
        func bodyAndPeek() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                let n = Wire.hello.utf8.count
                s.send("f1 FETCH 1 BODY.PEEK[]\r\n")
                try await s.expect("* 1 FETCH (BODY[] {\(n)}\r\n\(Wire.hello))\r\nf1 OK Completed\r\n")
                s.send("f2 FETCH 1 BODY[]\r\n")
                try await s.expect(
                    "* 1 FETCH (BODY[] {\(n)}\r\n\(Wire.hello) FLAGS (\\Seen \\Recent))\r\nf2 OK Completed\r\n")
                s.send("f3 FETCH 1 BODY[]\r\n")
                try await s.expect("* 1 FETCH (BODY[] {\(n)}\r\n\(Wire.hello))\r\nf3 OK Completed\r\n")
            }
        }

        @Test("BODY[] in an EXAMINEd mailbox does not set \\Seen")
        func bodyReadOnly() async throws {
            try await TestServer.with { server in
                let s = try await selected(server, examine: true)
                let n = Wire.hello.utf8.count
                s.send("f1 FETCH 1 (BODY[] FLAGS)\r\n")
                try await s.expect("* 1 FETCH (BODY[] {\(n)}\r\n\(Wire.hello) FLAGS (\\Recent))\r\nf1 OK Completed\r\n")
            }
        }

        @Test("BODY.PEEK[HEADER.FIELDS (SUBJECT)], BODY.PEEK[1.MIME], BODY.PEEK[TEXT]<0.10>")
        func sections() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\n")
                try await s.expect(
                    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Hello\r\n\r\n)\r\nf1 OK Completed\r\n")
                s.send("f2 FETCH 2 BODY.PEEK[1.MIME]\r\n")
                try await s.expect(
                    "* 2 FETCH (BODY[1.MIME] {46}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n)\r\nf2 OK Completed\r\n"
                )
                s.send("f3 FETCH 1 BODY.PEEK[TEXT]<0.10>\r\n")
                try await s.expect("* 1 FETCH (BODY[TEXT]<0> {10}\r\nHello Bob,)\r\nf3 OK Completed\r\n")
                s.send("f4 FETCH 2 BODY.PEEK[2]\r\n")
                try await s.expect("* 2 FETCH (BODY[2] {16}\r\nSGVsbG8gV29ybGQ=)\r\nf4 OK Completed\r\n")
            }
        }

        @Test("BINARY.PEEK[1] decodes base64 and sends a literal8 for bytes with NUL; BINARY.SIZE")
        func binary() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 UID FETCH 3 BINARY.PEEK[1]\r\n")
                try await s.expect("* 3 FETCH (UID 3 BINARY[1] ~{4}\r\n")
                try await s.expect(bytes: [0, 1, 2, 3] + Array(")\r\nf1 OK Completed\r\n".utf8))
                s.send("f2 FETCH 2 (BINARY.PEEK[2] BINARY.SIZE[2])\r\n")
                try await s.expect("* 2 FETCH (BINARY[2] {11}\r\nHello World BINARY.SIZE[2] 11)\r\nf2 OK Completed\r\n")
            }
        }

        @Test("CHANGEDSINCE returns only messages changed after the modseq, with MODSEQ")
        func changedSince() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("m1 FETCH 3 (MODSEQ)\r\n")
                let line = try await s.expectLine(prefix: "* 3 FETCH (MODSEQ (")
                try await s.expect("m1 OK Completed\r\n")
                let modseq = UInt64(line.dropFirst("* 3 FETCH (MODSEQ (".count).prefix { $0.isNumber }) ?? 0
                try await s.run("st", "STORE 2 +FLAGS.SILENT (\\Flagged)")
                s.send("m2 FETCH 1:* (FLAGS) (CHANGEDSINCE \(modseq))\r\n")
                try await s.expect(
                    "* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (\(modseq + 1)))\r\nm2 OK Completed\r\n")
            }
        }

        @Test("UID FETCH n:* includes the last message even when n is above every UID (RFC 3501 §6.4.8)")
        func uidFetchStar() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("u1 UID FETCH 10:* FLAGS\r\n")
                try await s.expect("* 3 FETCH (UID 3 FLAGS (\\Recent))\r\nu1 OK Completed\r\n")
                s.send("u2 UID FETCH 2:4 UID\r\n")
                try await s.expect("* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\nu2 OK Completed\r\n")
                s.send("u3 UID FETCH 7 UID\r\n")
                try await s.expect("u3 OK Completed\r\n")
            }
        }

        @Test("sequence numbers beyond the mailbox are BAD", arguments: ["4", "1:4", "2,9"])
        func badSequence(set: String) async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("b1 FETCH \(set) FLAGS\r\n")
                try await s.expect("b1 BAD Invalid message sequence number\r\n")
            }
        }

        @Test("sequence number 0 is a syntax error")
        func zeroSequence() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("b1 FETCH 0 FLAGS\r\n")
                try await s.expectLine(prefix: "b1 BAD ")
                s.send("b2 NOOP\r\n")
                try await s.expect("b2 OK NOOP completed\r\n")
            }
        }

        @Test("FETCH macros FAST, ALL, FULL expand as RFC 3501 §6.4.5 says")
        func macros() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("f1 FETCH 1 FAST\r\n")
                try await s.expect(
                    "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"\(Self.date)\" RFC822.SIZE \(Wire.hello.utf8.count))\r\nf1 OK Completed\r\n"
                )
                s.send("f2 FETCH 1 ALL\r\n")
                try await s.expect(
                    "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"\(Self.date)\" RFC822.SIZE \(Wire.hello.utf8.count) ENVELOPE \(Self.envelope))\r\nf2 OK Completed\r\n"
                )
            }
        }
    }
}
