import Testing

extension WireTests {
    /// LOGIN and AUTHENTICATE (RFC 3501 §6.2, RFC 4959 SASL-IR, RFC 4616 PLAIN, proxy authorization).
    @Suite struct AuthenticationTests {
        static let welcome = "OK [CAPABILITY \(Wire.capabilities)] User logged in\r\n"

        func greeted(_ server: TestServer) async throws -> SessionHarness {
            let s = server.connect()
            try await s.expect(Wire.greeting)
            return s
        }

        @Test("LOGIN with the right password answers OK with the capabilities")
        func loginOK() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 LOGIN alice secret\r\n")
                try await s.expect("a1 " + Self.welcome)
            }
        }

        @Test(
            "a wrong password and an unknown user get the same AUTHENTICATIONFAILED answer",
            arguments: ["alice wrong", "nobody secret", "\"alice\" \"\""]
        )
        func loginFailed(credentials: String) async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 LOGIN \(credentials)\r\n")
                try await s.expect("a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
                // The session goes on: the client may try again.
                s.send("a2 LOGIN alice secret\r\n")
                try await s.expect("a2 " + Self.welcome)
            }
        }

        @Test("LOGIN with synchronising literals gets a continuation for each")
        func loginWithLiterals() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 LOGIN {5}\r\n")
                try await s.expect("+ Ready for literal data\r\n")
                s.send("alice {6}\r\n")
                try await s.expect("+ Ready for literal data\r\n")
                s.send("secret\r\n")
                try await s.expect("a1 " + Self.welcome)
            }
        }

        @Test("AUTHENTICATE PLAIN with an initial response (SASL-IR)")
        func plainWithInitialResponse() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN \(Wire.plain("alice"))\r\n")
                try await s.expect("a1 " + Self.welcome)
            }
        }

        @Test("AUTHENTICATE PLAIN without an initial response gets an empty continuation first")
        func plainWithContinuation() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN\r\n")
                try await s.expect("+ \r\n")
                s.send("\(Wire.plain("bob"))\r\n")
                try await s.expect("a1 " + Self.welcome)
            }
        }

        @Test("AUTHENTICATE PLAIN with a wrong password fails like LOGIN")
        func plainWrongPassword() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN \(Wire.plain("alice", "nope"))\r\n")
                try await s.expect("a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
            }
        }

        @Test("a client response of * cancels the exchange with BAD, and the session goes on")
        func cancel() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN\r\n")
                try await s.expect("+ \r\n")
                s.send("*\r\n")
                try await s.expect("a1 BAD Authentication cancelled\r\n")
                s.send("a2 NOOP\r\n")
                try await s.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("bad base64 in the initial response or in a continuation is BAD")
        func badBase64() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN AGFsaWNl=AHNlY3JldA\r\n")
                try await s.expectLine(prefix: "a1 BAD ")
                s.send("a2 AUTHENTICATE PLAIN\r\n")
                try await s.expect("+ \r\n")
                s.send("%%%not base64\r\n")
                try await s.expect("a2 BAD Invalid base64 in the SASL response\r\n")
                s.send("a3 NOOP\r\n")
                try await s.expect("a3 OK NOOP completed\r\n")
            }
        }

        @Test("an unknown mechanism is refused with NO [CANNOT]")
        func unknownMechanism() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE X-NONE\r\n")
                try await s.expect("a1 NO [CANNOT] Unsupported authentication mechanism\r\n")
            }
        }

        @Test("the proxy identity may act as alice and then has alice's INBOX and rights")
        func proxyActsAsUser() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN \(Wire.plain(authzid: "alice", "murder"))\r\n")
                try await s.expect("a1 " + Self.welcome)
                s.send("a2 MYRIGHTS INBOX\r\n")
                try await s.expect("* MYRIGHTS INBOX lrswipkxtecdan\r\na2 OK Completed\r\n")
            }
        }

        /// bob is neither a proxy identity nor an admin: the answer is AUTHORIZATIONFAILED (RFC 5530),
        /// which tells bob that his password was right but the authorization id is not his to use.
        @Test("bob acting as alice is refused with NO [AUTHORIZATIONFAILED]")
        func userCannotActAsAnother() async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("a1 AUTHENTICATE PLAIN \(Wire.plain(authzid: "alice", "bob"))\r\n")
                try await s.expect("a1 NO [AUTHORIZATIONFAILED] Not authorized to act as that user\r\n")
                s.send("a2 MYRIGHTS INBOX\r\n")
                try await s.expect("a2 BAD Please authenticate first\r\n")
            }
        }

        @Test(
            "commands that need authentication are BAD before it",
            arguments: [
                "SELECT INBOX", "LIST \"\" *", "CREATE foo", "STATUS INBOX (MESSAGES)", "APPEND INBOX {1+}\r\nx",
                "FETCH 1 FLAGS", "IDLE", "GETACL INBOX",
            ]
        )
        func needsAuthentication(command: String) async throws {
            try await TestServer.with { server in
                let s = try await greeted(server)
                s.send("b1 \(command)\r\n")
                try await s.expect("b1 BAD Please authenticate first\r\n")
                s.send("b2 NOOP\r\n")
                try await s.expect("b2 OK NOOP completed\r\n")
            }
        }

        @Test("LOGIN and AUTHENTICATE after login are BAD")
        func alreadyAuthenticated() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("a1 LOGIN bob secret\r\n")
                try await s.expect("a1 BAD Already authenticated\r\n")
                s.send("a2 AUTHENTICATE PLAIN \(Wire.plain("bob"))\r\n")
                try await s.expect("a2 BAD Already authenticated\r\n")
            }
        }
    }
}
