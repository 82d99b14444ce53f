import Foundation
import IMAPWire
import Testing
import Transport

@testable import MUpdate

/// Every command of SPEC.md §3.3 over a real loopback socket, exact bytes in and out.
@Suite struct MUpdateServerTests {
    typealias H = MasterHarness
    static let lit = RawClient.lit
    static let loc = H.location
    static let acl = H.acl

    @Test("the banner lists PLAIN, the extensions and the master greeting")
    func banner() async throws {
        try await H.with { h in
            let client = RawClient(try await h.engine.connect(host: "127.0.0.1", port: h.port, timeout: .seconds(5)))
            try await client.expect(
                "* AUTH \"PLAIN\"\r\n* COMPRESS \"DEFLATE\"\r\n* PARTIAL-UPDATE\r\n* X-UPDATE-SINCE\r\n"
                    + "* OK MUPDATE \"mupdate.test\" \"Murder\" \"0.1\" \"(master)\"\r\n")
            await client.close()
        }
    }

    @Test("before authentication only AUTHENTICATE, STARTTLS, COMPRESS and LOGOUT are accepted")
    func preAuth() async throws {
        try await H.with { h in
            let c = try await h.connect()
            try await c.send(
                "X1 FIND \(Self.lit("user.bob"))\r\nX2 NOOP\r\nX3 UPDATE\r\nX4 COMPRESS \"LZ4\"\r\nX5 STARTTLS\r\n")
            try await c.expect(
                "X1 BAD \"Please login first\"\r\nX2 BAD \"Please login first\"\r\nX3 BAD \"Please login first\"\r\n"
                    + "X4 NO \"Unknown COMPRESS algorithm\"\r\nX5 NO \"TLS is not configured\"\r\n")
            try await c.send("X6 LOGOUT\r\n")
            try await c.expect("X6 OK \"bye-bye\"\r\n")
            #expect(try await c.readToEnd() == "")
        }
    }

    @Test("PLAIN with a literal, with a challenge, cancelled; one success per session")
    func authenticate() async throws {
        try await H.with { h in
            let c = try await h.connect()
            try await c.send("A1 AUTHENTICATE \"PLAIN\"\r\n")
            try await c.expect("\r\n")
            try await c.send("*\r\n")
            try await c.expect("A1 BAD Client canceled authentication\r\n")
            try await c.send("A2 AUTHENTICATE PLAIN\r\n")
            try await c.expect("\r\n")
            try await c.send(Data("\0mupdate\0\(H.password)".utf8).base64EncodedString() + "\r\n")
            try await c.expect("A2 OK \"Authenticated\"\r\n")
            try await c.send(RawClient.plain("mupdate", H.password, tag: "A3"))
            try await c.expect("A3 BAD \"already authenticated\"\r\n")
            try await c.send("A4 STARTTLS\r\n")
            try await c.expect("A4 BAD Can't Starttls after authentication\r\n")
            await c.close()
        }
    }

    @Test("a wrong password and a non-admin get the same NO")
    func refused() async throws {
        try await H.with { h in
            let c = try await h.connect()
            try await c.send(RawClient.plain("mupdate", "wrong", tag: "A1"))
            try await c.expect("A1 NO \"authentication failed\"\r\n")
            try await c.send(RawClient.plain("bob", H.password, tag: "A2"))
            try await c.expect("A2 NO \"authentication failed\"\r\n")
            try await c.send("A3 FIND \(Self.lit("user.bob"))\r\n")
            try await c.expect("A3 BAD \"Please login first\"\r\n")
            await c.close()
        }
    }

    @Test("RESERVE, ACTIVATE, FIND, LIST, DEACTIVATE, DELETE, NOOP, LOGOUT answer as Cyrus does")
    func commands() async throws {
        try await H.with { h in
            let c = try await h.admin()
            let mailbox = "X MAILBOX {8+}\r\nuser.bob {23+}\r\n\(Self.loc) {19+}\r\n\(Self.acl)\r\n"
            try await c.send("X1 RESERVE \(Self.lit("user.bob")) \(Self.lit(Self.loc))\r\n")
            try await c.expect("X1 OK \"done\"\r\n")
            try await c.send("X2 RESERVE \(Self.lit("user.bob")) \(Self.lit("other:143!default"))\r\n")
            try await c.expect("X2 NO \"mailbox already exists\"\r\n")
            try await c.send("X FIND \(Self.lit("user.bob"))\r\n")
            try await c.expect("X RESERVE {8+}\r\nuser.bob {23+}\r\n\(Self.loc)\r\nX OK \"Search completed\"\r\n")
            try await c.send("X3 DEACTIVATE \(Self.lit("user.bob")) \(Self.lit(Self.loc))\r\n")
            try await c.expect("X3 NO \"mailbox not currently active\"\r\n")
            try await c.send("X4 ACTIVATE \(Self.lit("user.bob")) \(Self.lit(Self.loc)) \(Self.lit(Self.acl))\r\n")
            try await c.expect("X4 OK \"done\"\r\n")
            try await c.send("X FIND \"user.bob\"\r\n")
            try await c.expect(mailbox + "X OK \"Search completed\"\r\n")
            try await c.send("X FIND \"user.nobody\"\r\n")
            try await c.expect("X OK \"Search completed\"\r\n")
            try await c.send("X LIST\r\n")
            try await c.expect(mailbox + "X OK \"list complete\"\r\n")
            try await c.send("X LIST \"127.0.0.1:14143!\"\r\n")
            try await c.expect(mailbox + "X OK \"list complete\"\r\n")
            try await c.send("X LIST \"other!\"\r\n")
            try await c.expect("X OK \"list complete\"\r\n")
            try await c.send("X5 DEACTIVATE \(Self.lit("user.bob")) \(Self.lit(Self.loc))\r\n")
            try await c.expect("X5 OK \"done\"\r\n")
            try await c.send("X6 DELETE \(Self.lit("user.bob"))\r\nX7 DELETE \(Self.lit("user.bob"))\r\nX8 NOOP\r\n")
            try await c.expect("X6 OK \"done\"\r\nX7 NO \"mailbox doesn't exist\"\r\nX8 OK \"Noop done\"\r\n")
            try await c.send("X9 FROB\r\nX10 LOGOUT\r\n")
            try await c.expect("X9 BAD \"Unrecognized command\"\r\nX10 OK \"bye-bye\"\r\n")
            #expect(try await c.readToEnd() == "")
            #expect(h.store.count == 0)
        }
    }

    static let script =
        "P1 RESERVE {8+}\r\nuser.amy {23+}\r\n127.0.0.1:14143!default\r\nP2 FIND {8}\r\nuser.amy\r\nP3 NOOP\r\n"
    static let answers =
        "P1 OK \"done\"\r\n+ go ahead\r\nP2 RESERVE {8+}\r\nuser.amy {23+}\r\n127.0.0.1:14143!default\r\n"
        + "P2 OK \"Search completed\"\r\nP3 OK \"Noop done\"\r\n"

    @Test("pipelined commands in one write, and a synchronising literal gets + go ahead")
    func pipelined() async throws {
        try await H.with { h in
            let c = try await h.admin()
            try await c.send(Self.script)
            try await c.expect(Self.answers)
            await c.close()
        }
    }

    @Test("commands split into single bytes")
    func byteByByte() async throws {
        try await H.with { h in
            let c = try await h.admin()
            for byte in Array(Self.script.utf8) { try await c.send(bytes: [byte]) }
            try await c.expect(Self.answers)
            await c.close()
        }
    }

    @Test("every bound of SPEC §3.1 pushed past gets its fixed answer and the session goes on")
    func bounds() async throws {
        try await H.with { h in
            let c = try await h.admin()
            try await c.send("B1 FIND \"" + String(repeating: "a", count: 9000) + "\"\r\nB2 NOOP\r\n")
            try await c.expect("B1 BAD \"Line too long\"\r\nB2 OK \"Noop done\"\r\n")
            try await c.send("B3 FIND {65537}\r\nB4 NOOP\r\n")
            try await c.expect("B3 BAD \"Literal too large\"\r\nB4 OK \"Noop done\"\r\n")
            let long = "user." + String(repeating: "n", count: 490)
            try await c.send("B5 RESERVE \(Self.lit(long)) \(Self.lit(Self.loc))\r\nB6 NOOP\r\n")
            try await c.expect("B5 BAD \"Mailbox name too long\"\r\nB6 OK \"Noop done\"\r\n")
            try await c.send("B7 RESERVE \(Self.lit("user..x")) \(Self.lit(Self.loc))\r\n")
            try await c.expect("B7 BAD \"Badly formed arguments\"\r\n")
            try await c.send("B8 FIND {65537+}\r\n")
            try await c.expect("* BYE \"Literal too large\"\r\n")
            #expect(try await c.readToEnd() == "")
        }
    }

    static func replica(_ settings: inout MUpdateServerSettings) {
        settings.readOnly = true
        settings.role = .replica(master: "mupdate.test")
    }

    @Test("a read-only server names its master, refuses writes and serves FIND")
    func readOnly() async throws {
        try await H.with(configure: Self.replica) { h in
            let banner = RawClient(try await h.engine.connect(host: "127.0.0.1", port: h.port, timeout: .seconds(5)))
            #expect(
                try await banner.readLine(until: "* OK").hasSuffix(
                    "\r\n* OK MUPDATE \"mupdate.test\" \"Murder\" \"0.1\" \"mupdate://mupdate.test\"\r\n"))
            await banner.close()
            let c = try await h.admin()
            try await c.send("R1 RESERVE \(Self.lit("user.bob")) \(Self.lit(Self.loc))\r\nR2 FIND \"user.bob\"\r\n")
            try await c.expect("R1 BAD \"read-only session\"\r\nR2 OK \"Search completed\"\r\n")
            await c.close()
        }
    }

    @Test("over the connection limit: * BYE \"Server Unable\"")
    func connectionLimit() async throws {
        try await H.with(limits: ListenerLimits(maxConnections: 1, maxConnectionsPerHost: 1)) { h in
            let first = try await h.connect()
            let second = RawClient(try await h.engine.connect(host: "127.0.0.1", port: h.port, timeout: .seconds(5)))
            #expect(try await second.readToEnd() == "* BYE \"Server Unable\"\r\n")
            await first.close()
        }
    }
}
