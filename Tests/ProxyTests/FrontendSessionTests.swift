import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// Greeting and client authentication at the frontend (SPEC.md §5; RFC 3501 §6.2, RFC 4959).
    @Suite struct FrontendSessionTests {
        @Test("greeting: [CAPABILITY … AUTH=PLAIN …] frontend1 Murder ready")
        func greeting() async throws {
            try await TestMurder.with(seed: false) { murder in
                _ = await murder.replica.waitUntilSynced(timeout: .seconds(20))
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
            }
        }

        @Test("LOGIN: tagged OK with [CAPABILITY … MUPDATE=mupdate://<master>/]")
        func login() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 LOGIN alice \(TestMurder.password)\r\n")
                try await c.expect(
                    "a1 OK [CAPABILITY \(Wire.capabilities(master: murder.masterAddress))] User logged in\r\n")
                try await c.send("a2 CAPABILITY\r\n")
                try await c.expect(
                    "* CAPABILITY \(Wire.capabilities(master: murder.masterAddress))\r\na2 OK CAPABILITY completed\r\n")
            }
        }

        @Test("LOGIN with a wrong password: NO [AUTHENTICATIONFAILED], and the session goes on")
        func wrongPassword() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 LOGIN alice wrong\r\n")
                try await c.expect("a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
                try await c.send("a2 LOGIN nobody wrong\r\n")
                try await c.expect("a2 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
                try await c.send("a3 LOGIN alice \(TestMurder.password)\r\n")
                try await c.expectLine(prefix: "a3 OK [CAPABILITY ")
            }
        }

        @Test("AUTHENTICATE PLAIN with an initial response (SASL-IR)")
        func authenticateInitialResponse() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 AUTHENTICATE PLAIN \(Wire.plain("alice"))\r\n")
                try await c.expect(
                    "a1 OK [CAPABILITY \(Wire.capabilities(master: murder.masterAddress))] User logged in\r\n")
                try await c.send("a2 NOOP\r\n")
                try await c.expect("a2 OK NOOP completed\r\n")
            }
        }

        @Test("AUTHENTICATE PLAIN with a continuation: `+ `, then the response line")
        func authenticateContinuation() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 AUTHENTICATE PLAIN\r\n")
                try await c.expect("+ \r\n")
                try await c.send("\(Wire.plain("bob"))\r\n")
                try await c.expect(
                    "a1 OK [CAPABILITY \(Wire.capabilities(master: murder.masterAddress))] User logged in\r\n")
            }
        }

        @Test("AUTHENTICATE PLAIN as someone else (authzid of another user) is refused at a frontend")
        func noProxyLogin() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("a1 AUTHENTICATE PLAIN \(Wire.plain(authzid: "alice", "murder"))\r\n")
                try await c.expectLine(prefix: "a1 NO ")
                try await c.send("a2 LIST \"\" \"*\"\r\n")
                try await c.expect("a2 BAD Please log in first\r\n")
            }
        }

        @Test(
            "commands of the authenticated state before login: BAD",
            arguments: [
                "LIST \"\" \"*\"", "SELECT INBOX", "STATUS INBOX (MESSAGES)", "CREATE x", "NAMESPACE", "LSUB \"\" \"*\"",
                "GETACL INBOX",
            ])
        func beforeLogin(command: String) async throws {
            try await TestMurder.with(seed: false) { murder in
                _ = await murder.replica.waitUntilSynced(timeout: .seconds(20))
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("b1 \(command)\r\n")
                try await c.expect("b1 BAD Please log in first\r\n")
                try await c.send("b2 NOOP\r\n")
                try await c.expect("b2 OK NOOP completed\r\n")
            }
        }

        @Test("FETCH before login: BAD")
        func fetchBeforeLogin() async throws {
            try await TestMurder.with(seed: false) { murder in
                _ = await murder.replica.waitUntilSynced(timeout: .seconds(20))
                let c = try await murder.frontendClient()
                try await c.expect(Wire.greeting)
                try await c.send("b1 FETCH 1 FLAGS\r\n")
                try await c.expect("b1 BAD Please log in first\r\n")
            }
        }

        @Test("LOGOUT: BYE, then the tagged OK, then the close")
        func logout() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("z1 LOGOUT\r\n")
                try await c.expect("* BYE LOGOUT received\r\nz1 OK LOGOUT completed\r\n")
                try await c.expectClosed()
            }
        }
    }
}
