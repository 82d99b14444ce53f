import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// Clients that push past the frontend's bounds (SPEC.md §12): every limit answers, and the
    /// session survives where it can.
    @Suite struct FrontendHostileInputTests {
        @Test("a 100 KB command line: BAD, and the session goes on")
        func longLine() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("h1 NOOP " + String(repeating: "x", count: 100_000) + "\r\n")
                try await c.expectLine(prefix: "h1 BAD ")
                try await c.send("h2 NOOP\r\n")
                try await c.expect("h2 OK NOOP completed\r\n")
            }
        }

        @Test("a 100 KB line while a mailbox is selected (relay): BAD, and the relay goes on")
        func longLineSelected() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                try await c.send("h1 FETCH 1 (" + String(repeating: "UID ", count: 25_000) + ")\r\n")
                try await c.expectLine(prefix: "h1 BAD ")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
            }
        }

        @Test("an APPEND literal over APPENDLIMIT: NO [TOOBIG] without `+`, and the session goes on")
        func appendTooBig() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("a1 APPEND shared/memo {\(TestMurder.maxLiteralBytes + 1)}\r\n")
                try await c.expect("a1 NO [TOOBIG] Message larger than APPENDLIMIT \(TestMurder.maxLiteralBytes)\r\n")
                try await c.expectSilence()
                try await c.send("a2 NOOP\r\n")
                try await c.expect("a2 OK NOOP completed\r\n")
                #expect(try murder.backend2.messages("shared.memo").isEmpty)
            }
        }
    }
}
