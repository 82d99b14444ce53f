import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// Backends that go away and clients that do (SPEC.md §5): the selected backend's loss ends
    /// the session with BYE, another's gives NO [UNAVAILABLE], a half-sent APPEND leaves nothing.
    @Suite struct FrontendFailureTests {
        @Test("the selected backend goes away: * BYE [UNAVAILABLE] backend <servername> lost, then the close")
        func selectedBackendLost() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT shared/memo")
                await murder.backend2.stop()
                try await c.expect("* BYE [UNAVAILABLE] backend \(murder.backend2.servername) lost\r\n")
                try await c.expectClosed()
            }
        }

        @Test("another backend is down: STATUS there is NO [UNAVAILABLE] and the session goes on")
        func otherBackendDown() async throws {
            try await TestMurder.with { murder in
                try await murder.appendDirect(murder.backend1, as: "alice", "INBOX", Wire.hello)
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                // Once with a connection open to backend2, once without.
                try await c.run("st0", "STATUS shared/memo (MESSAGES)")
                await murder.backend2.stop()
                try await c.send("st1 STATUS shared/memo (MESSAGES)\r\n")
                try await c.expect("st1 NO [UNAVAILABLE] Backend \(murder.backend2.servername) is unavailable\r\n")
                try await c.send("st2 STATUS shared/memo (MESSAGES)\r\n")
                try await c.expect("st2 NO [UNAVAILABLE] Backend \(murder.backend2.servername) is unavailable\r\n")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("* 1 FETCH (UID 1)\r\nf1 OK Completed\r\n")
                try await c.send("n1 NOOP\r\n")
                try await c.expect("n1 OK NOOP completed\r\n")
            }
        }

        @Test("SELECT of a mailbox on a backend that is down: NO [UNAVAILABLE], nothing selected")
        func selectOnDownBackend() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("s1", "SELECT INBOX")
                await murder.backend2.stop()
                try await c.send("s2 SELECT shared/memo\r\n")
                try await c.expect("s2 NO [UNAVAILABLE] Backend \(murder.backend2.servername) is unavailable\r\n")
                try await c.send("f1 FETCH 1 (UID)\r\n")
                try await c.expect("f1 BAD No mailbox selected\r\n")
            }
        }

        @Test("a client gone mid-APPEND (half of a 1 MB literal): nothing at the backend, its session ends")
        func clientGoneMidAppend() async throws {
            try await TestMurder.with { murder in
                try await murder.backend2.waitForNoSessions()
                let c = try await murder.frontendSession(as: "alice")
                let size = 1_000_000
                try await c.send("a1 APPEND shared/memo {\(size)+}\r\n")
                try await c.send(bytes: [UInt8](repeating: UInt8(ascii: "x"), count: size / 2))
                // The frontend has opened its connection to backend2 for the APPEND.
                let deadline = ContinuousClock.now + .seconds(10)
                while murder.backend2.connections.count == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(murder.backend2.connections.count == 1)
                try await Task.sleep(for: .milliseconds(100))
                await c.close()
                try await murder.backend2.waitForNoSessions()
                #expect(try murder.backend2.messages("shared.memo").isEmpty)
                #expect(murder.backend2.stagedFiles().isEmpty)
            }
        }
    
        @Test("LSUB with the INBOX backend down: NO [UNAVAILABLE]")
        func lsubInboxBackendDown() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                await murder.backend1.stop()
                try await c.send("l1 LSUB \"\" \"*\"\r\n")
                try await c.expect("l1 NO [UNAVAILABLE] Backend \(murder.backend1.servername) is unavailable\r\n")
                try await c.send("l2 LIST \"\" \"*\"\r\n")
                try await c.expectTagged("l2")
            }
        }
    }
}
