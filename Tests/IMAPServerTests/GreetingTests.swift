import IMAPServer
import Testing

extension WireTests {
    /// Greeting, CAPABILITY, NOOP, LOGOUT, ID, ENABLE: the commands valid in any state.
    @Suite struct GreetingTests {
        @Test("greeting lists the pre-authentication capabilities with AUTH= mechanisms")
        func greeting() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
            }
        }

        @Test("CAPABILITY before login has AUTH=, after login the full set without AUTH=")
        func capabilityBeforeAndAfterLogin() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("a1 CAPABILITY\r\n")
                try await s.expect("* CAPABILITY \(Wire.preAuthCapabilities)\r\na1 OK CAPABILITY completed\r\n")
                s.send("a2 LOGIN alice secret\r\n")
                try await s.expect("a2 OK [CAPABILITY \(Wire.capabilities)] User logged in\r\n")
                s.send("a3 CAPABILITY\r\n")
                try await s.expect("* CAPABILITY \(Wire.capabilities)\r\na3 OK CAPABILITY completed\r\n")
            }
        }

        @Test("NOOP before and after login", arguments: [false, true])
        func noop(loggedIn: Bool) async throws {
            try await TestServer.with { server in
                let s = loggedIn ? try await server.session(as: "alice") : server.connect()
                if !loggedIn { try await s.expect(Wire.greeting) }
                s.send("n1 NOOP\r\n")
                try await s.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("LOGOUT sends BYE, then the tagged OK, then closes")
        func logout() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("z LOGOUT\r\n")
                try await s.expect("* BYE LOGOUT received\r\nz OK Completed\r\n")
                try await s.waitForEnd()
                #expect(s.pending.isEmpty)
            }
        }

        @Test("commands pipelined after LOGOUT are not answered")
        func nothingAfterLogout() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("z LOGOUT\r\nz2 NOOP\r\n")
                try await s.expect("* BYE LOGOUT received\r\nz OK Completed\r\n")
                try await s.waitForEnd()
                #expect(s.pending.isEmpty)
            }
        }

        @Test("ID answers the server's name and vendor, before and after login")
        func id() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("i1 ID (\"name\" \"test\" \"version\" \"1\")\r\n")
                try await s.expect("* ID (\"name\" \"Murder\" \"vendor\" \"Murder project\")\r\ni1 OK ID completed\r\n")
                s.send("i2 ID NIL\r\n")
                try await s.expect("* ID (\"name\" \"Murder\" \"vendor\" \"Murder project\")\r\ni2 OK ID completed\r\n")
            }
        }

        @Test("ENABLE reports what it enabled, once; QRESYNC implies CONDSTORE; unknown ones are ignored")
        func enable() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("e1 ENABLE CONDSTORE\r\n")
                try await s.expect("* ENABLED CONDSTORE\r\ne1 OK ENABLE completed\r\n")
                s.send("e2 ENABLE CONDSTORE QRESYNC X-UNKNOWN\r\n")
                try await s.expect("* ENABLED QRESYNC\r\ne2 OK ENABLE completed\r\n")
                s.send("e3 ENABLE QRESYNC\r\n")
                try await s.expect("* ENABLED\r\ne3 OK ENABLE completed\r\n")
            }
        }

        @Test("ENABLE before authentication is BAD (RFC 5161 §3.1: authenticated state only)")
        func enableBeforeLogin() async throws {
            try await TestServer.with { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                s.send("e1 ENABLE CONDSTORE\r\n")
                try await s.expect("e1 BAD Please authenticate first\r\n")
            }
        }

        @Test("a silent client is dropped with BYE after the login timeout")
        func loginTimeout() async throws {
            try await TestServer.with(configure: { $0.loginTimeout = .milliseconds(200) }) { server in
                let s = server.connect()
                try await s.expect(Wire.greeting)
                try await s.expect("* BYE Idle timeout, closing connection\r\n")
                try await s.waitForEnd()
            }
        }
    }
}
