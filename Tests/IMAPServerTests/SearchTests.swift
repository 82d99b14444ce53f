import Testing

extension WireTests {
    /// SEARCH (RFC 3501 §6.4.4), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), SORT and THREAD (RFC 5256).
    @Suite struct SearchTests {
        /// Three messages, appended with internal dates in the reverse of their sent dates:
        ///
        ///     seq  subject     sent        arrival  from                 flags     note
        ///     1    beta        1 Feb 2000  3 Feb    alice@example.org
        ///     2    alpha       3 Feb 2000  2 Feb    alice@example.org    \Flagged  body has "needle"
        ///     3    unrelated   2 Feb 2000  1 Feb    carol@example.org              refers to 1, 200-byte body
        static let corpus: [(message: String, arrival: String, flags: String)] = [
            (
                Wire.message(
                    subject: "beta", date: "Tue, 1 Feb 2000 10:00:00 +0000", id: "<1@x>", body: "plain text\r\n"),
                "03-Feb-2000 10:00:00 +0000", ""
            ),
            (
                Wire.message(
                    subject: "alpha", date: "Thu, 3 Feb 2000 10:00:00 +0000", id: "<2@x>",
                    body: "has a needle inside\r\n"),
                "02-Feb-2000 10:00:00 +0000", "\\Flagged"
            ),
            (
                Wire.message(
                    subject: "unrelated", date: "Wed, 2 Feb 2000 10:00:00 +0000", from: "carol@example.org",
                    id: "<3@x>",
                    references: "<1@x>", body: String(repeating: "x", count: 198) + "\r\n"),
                "01-Feb-2000 10:00:00 +0000", ""
            ),
        ]

        func selected(_ server: TestServer) async throws -> SessionHarness {
            let s = try await server.session(as: "alice")
            for (m, arrival, flags) in Self.corpus {
                let f = flags.isEmpty ? "" : "(\(flags)) "
                s.send("ap APPEND INBOX \(f)\"\(arrival)\" {\(m.utf8.count)+}\r\n\(m)\r\n")
                try await s.expectTagged("ap")
            }
            try await s.run("sel", "SELECT INBOX")
            return s
        }

        @Test(
            "SEARCH criteria",
            arguments: [
                ("ALL", "1 2 3"), ("FLAGGED", "2"), ("UNFLAGGED", "1 3"), ("SUBJECT beta", "1"),
                ("HEADER Message-ID <2@x>", "2"), ("FROM carol", "3"), ("TEXT needle", "2"), ("TEXT beta", "1"),
                ("BODY needle", "2"), ("BODY beta", ""), ("NOT FLAGGED", "1 3"),
                ("OR SUBJECT beta SUBJECT alpha", "1 2"),
                ("LARGER 300", "3"), ("SMALLER 300", "1 2"), ("2:3 NOT 3", "2"), ("UID 2:*", "2 3"),
                ("(FLAGGED) OR (SUBJECT beta) (FROM carol)", ""), ("SENTBEFORE 2-Feb-2000", "1"),
                ("SINCE 2-Feb-2000", "1 2"), ("NEW", "1 2 3"), ("KEYWORD $Work", ""),
            ]
        )
        func search(criteria: String, expected: String) async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 SEARCH \(criteria)\r\n")
                let answer = expected.isEmpty ? "* SEARCH\r\n" : "* SEARCH \(expected)\r\n"
                let count = expected.split(separator: " ").count
                try await s.expect(answer + "s1 OK Completed (\(count) msgs)\r\n")
            }
        }

        @Test("UID SEARCH answers UIDs")
        func uidSearch() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                try await s.run("d", "STORE 1 +FLAGS.SILENT (\\Deleted)")
                try await s.run("x", "EXPUNGE")
                s.send("s1 UID SEARCH UID 1:2\r\n")
                try await s.expect("* SEARCH 2\r\ns1 OK Completed (1 msgs)\r\n")
                s.send("s2 SEARCH UID 3\r\n")
                try await s.expect("* SEARCH 2\r\ns2 OK Completed (1 msgs)\r\n")
            }
        }

        @Test("an unknown charset is NO [BADCHARSET]")
        func badCharset() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("s1 SEARCH CHARSET X-NOPE ALL\r\n")
                try await s.expect("s1 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n")
            }
        }

        @Test("ESEARCH RETURN (MIN MAX COUNT ALL)")
        func esearch() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("e1 SEARCH RETURN (MIN MAX COUNT ALL) NOT FLAGGED\r\n")
                try await s.expect("* ESEARCH (TAG \"e1\") MIN 1 MAX 3 COUNT 2 ALL 1,3\r\ne1 OK Completed\r\n")
                s.send("e2 UID SEARCH RETURN (COUNT) KEYWORD nothing\r\n")
                try await s.expect("* ESEARCH (TAG \"e2\") UID COUNT 0\r\ne2 OK Completed\r\n")
                s.send("e3 SEARCH RETURN () SUBJECT beta\r\n")
                try await s.expect("* ESEARCH (TAG \"e3\") ALL 1\r\ne3 OK Completed\r\n")
            }
        }

        @Test("SEARCHRES: RETURN (SAVE) answers nothing and $ names the result later")
        func searchres() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("r1 SEARCH RETURN (SAVE) OR SUBJECT alpha FROM carol\r\n")
                try await s.expect("r1 OK Completed\r\n")
                s.send("r2 FETCH $ (UID)\r\n")
                try await s.expect("* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\nr2 OK Completed\r\n")
                s.send("r3 UID SEARCH $ FLAGGED\r\n")
                try await s.expect("* SEARCH 2\r\nr3 OK Completed (1 msgs)\r\n")
            }
        }

        @Test(
            "SORT",
            arguments: [
                ("(SUBJECT)", "2 1 3"), ("(REVERSE DATE)", "2 3 1"), ("(DATE)", "1 3 2"), ("(ARRIVAL)", "3 2 1"),
                ("(SIZE)", "1 2 3"), ("(FROM SUBJECT)", "2 1 3"),
            ]
        )
        func sort(criteria: String, expected: String) async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("o1 SORT \(criteria) UTF-8 ALL\r\n")
                try await s.expect("* SORT \(expected)\r\no1 OK Completed\r\n")
            }
        }

        @Test("UID SORT answers UIDs, SORT with a search key filters")
        func uidSort() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("o1 UID SORT (REVERSE ARRIVAL) UTF-8 NOT FROM carol\r\n")
                try await s.expect("* SORT 1 2\r\no1 OK Completed\r\n")
            }
        }

        @Test("THREAD ORDEREDSUBJECT groups by base subject; REFERENCES by the References chain")
        func thread() async throws {
            try await TestServer.with { server in
                let s = try await selected(server)
                s.send("t1 THREAD ORDEREDSUBJECT UTF-8 ALL\r\n")
                try await s.expect("* THREAD (1)(3)(2)\r\nt1 OK Completed\r\n")
                s.send("t2 THREAD REFERENCES UTF-8 ALL\r\n")
                try await s.expect("* THREAD (1 3)(2)\r\nt2 OK Completed\r\n")
            }
        }
    }
}
