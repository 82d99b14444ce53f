import IMAPWire
import MurderTestSupport
import Testing
import Transport

@testable import MUpdate

@Suite struct MUpdateClientConnectionTests {
    static let banner =
        "* AUTH \"PLAIN\" \"SCRAM-SHA-256\"\r\n"
        + "* HELLO \"an extension this client does not know\"\r\n"
        + "garbage that is no response at all\r\n"
        + "* COMPRESS \"DEFLATE\"\r\n"
        + "* PARTIAL-UPDATE\r\n"
        + "* X-UPDATE-SINCE\r\n"
        + "* OK MUPDATE \"mupdate.test\" \"Murder\" \"0.1\" \"(master)\"\r\n"
    /// PLAIN, authzid empty, authcid "mupdate", password "secret", as a `{n+}` literal.
    static let authenticate = "A01 AUTHENTICATE \"PLAIN\" {20+}\r\nAG11cGRhdGUAc2VjcmV0\r\n"
    static let authenticated = "A01 OK \"Authenticated\"\r\n"
    static let carol: InternalMailboxName = "user.carol"
    static let here = MailboxLocation("127.0.0.1:14143!default")!
    static let carolACL = try! CyrusACL(parsing: "carol\tlrswipkxtecdan\t")

    static func connect(_ server: ScriptedServer, commandTimeout: Duration = .seconds(30)) async throws
        -> MUpdateClientConnection
    {
        try await MUpdateClientConnection.connect(
            .test(port: server.port, commandTimeout: commandTimeout), engine: TestEngine.current)
    }

    @Test("banner with unknown lines, then PLAIN with the initial response as a {n+} literal")
    func bannerAndAuthentication() async throws {
        let server = try await ScriptedServer.start([
            [.send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated)]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        let capabilities = await client.capabilities
        #expect(capabilities.mechanisms == ["PLAIN", "SCRAM-SHA-256"])
        #expect(capabilities.compression == ["DEFLATE"])
        #expect(capabilities.partialUpdate && capabilities.updateSince && !capabilities.startTLS)
        #expect(capabilities.greeting?.serverName == "mupdate.test")
        #expect(capabilities.greeting?.role == .master)
        #expect(server.mismatches == [])
        await client.close()
    }

    @Test("each command's exact bytes, answers quoted, literal or bare")
    func commands() async throws {
        let server = try await ScriptedServer.start([
            [
                .send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated),
                .expect("A02 RESERVE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default\r\n"),
                .send("A02 OK \"done\"\r\n"),
                .expect(
                    "A03 ACTIVATE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default {21+}\r\ncarol\tlrswipkxtecdan\t\r\n"),
                .send("A03 OK done\r\n"),
                .expect("A04 DEACTIVATE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default\r\n"),
                .send("A04 OK {4}\r\ndone\r\n"),
                .expect("A05 FIND {10+}\r\nuser.carol\r\n"),
                .send(
                    "A05 MAILBOX \"user.carol\" \"127.0.0.1:14143!default\" {21}\r\ncarol\tlrswipkxtecdan\t\r\n"
                        + "A05 OK \"Search completed\"\r\n"),
                .expect("A06 FIND {8+}\r\nuser.bob\r\n"),
                .send("A06 OK \"Search completed\"\r\n"),
                .expect("A07 LIST {16+}\r\n127.0.0.1:14143!\r\n"),
                .send(
                    "A07 RESERVE \"user.dave\" \"127.0.0.1:14143!default\"\r\n"
                        + "A07 MAILBOX {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default {21+}\r\ncarol\tlrswipkxtecdan\t\r\n"
                        + "A07 OK \"list complete\"\r\n"),
                .expect("A08 DELETE {10+}\r\nuser.carol\r\n"),
                .send("A08 OK \"done\"\r\n"),
                .expect("A09 NOOP\r\n"),
                .send("A09 OK \"Noop done\"\r\n"),
                .expect("Q10 LOGOUT\r\n"),
                .send("Q10 OK \"bye-bye\"\r\n"),
                .close,
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        try await client.reserve(Self.carol, location: Self.here)
        try await client.activate(Self.carol, location: Self.here, acl: Self.carolACL)
        try await client.deactivate(Self.carol, location: Self.here)
        let found = try await client.find(Self.carol)
        #expect(found == MUpdateRecord(name: Self.carol, state: .active, location: Self.here, acl: Self.carolACL))
        #expect(try await client.find("user.bob") == nil)
        let listed = try await client.list(prefix: "127.0.0.1:14143!")
        #expect(listed.map(\.name) == ["user.dave", "user.carol"])
        #expect(listed.map(\.state) == [.reserved, .active])
        try await client.delete(Self.carol)
        try await client.noop()
        await client.logout()
        #expect(await client.isOpen == false)
        #expect(server.mismatches == [])
    }

    enum Refused: String, CaseIterable, Sendable {
        case reserve, activate, deactivate, delete
    }

    @Test("NO and BAD answers map to Cyrus's error codes and leave the connection usable", arguments: Refused.allCases)
    func refusals(_ command: Refused) async throws {
        let expectBytes: String
        let code: MUpdateError.Code
        switch command {
        case .reserve:
            expectBytes = "A02 RESERVE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default\r\n"
            code = .failReserve
        case .activate:
            expectBytes =
                "A02 ACTIVATE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default {21+}\r\ncarol\tlrswipkxtecdan\t\r\n"
            code = .fail
        case .deactivate:
            expectBytes = "A02 DEACTIVATE {10+}\r\nuser.carol {23+}\r\n127.0.0.1:14143!default\r\n"
            code = .failReserve
        case .delete:
            expectBytes = "A02 DELETE {10+}\r\nuser.carol\r\n"
            code = .fail
        }
        let answer = command == .delete ? "A02 BAD \"Unrecognized command\"\r\n" : "A02 NO \"mailbox already exists\"\r\n"
        let server = try await ScriptedServer.start([
            [
                .send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated), .expect(expectBytes),
                .send(answer), .expect("A03 NOOP\r\n"), .send("A03 OK \"Noop done\"\r\n"),
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        let error = await #expect(throws: MUpdateError.self) {
            switch command {
            case .reserve: try await client.reserve(Self.carol, location: Self.here)
            case .activate: try await client.activate(Self.carol, location: Self.here, acl: Self.carolACL)
            case .deactivate: try await client.deactivate(Self.carol, location: Self.here)
            case .delete: try await client.delete(Self.carol)
            }
        }
        #expect(error?.code == code)
        try await client.noop()
        #expect(server.mismatches == [])
        await client.close()
    }

    @Test("end of stream in the middle of an answer is noConnection and closes")
    func eofMidAnswer() async throws {
        let server = try await ScriptedServer.start([
            [
                .send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated),
                .expect("A02 FIND {10+}\r\nuser.carol\r\n"), .send("A02 MAILBOX {10+}\r\nuser.ca"), .close,
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        let error = await #expect(throws: MUpdateError.self) { try await client.find(Self.carol) }
        #expect(error?.code == .noConnection)
        #expect(await client.isOpen == false)
        let again = await #expect(throws: MUpdateError.self) { try await client.noop() }
        #expect(again?.code == .noConnection)
    }

    @Test("no answer within the command timeout is timeout")
    func commandTimeout() async throws {
        let server = try await ScriptedServer.start([
            [.send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated), .expect("A02 NOOP\r\n")]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server, commandTimeout: .milliseconds(300))
        let start = ContinuousClock.now
        let error = await #expect(throws: MUpdateError.self) { try await client.noop() }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(await client.isOpen == false)
    }

    @Test("an unreadable answer is protocolError")
    func unreadable() async throws {
        let server = try await ScriptedServer.start([
            [
                .send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated), .expect("A02 NOOP\r\n"),
                .send("A02 WHATEVER this is\r\n"),
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        let error = await #expect(throws: MUpdateError.self) { try await client.noop() }
        #expect(error?.code == .protocolError)
    }

    @Test("a refused authentication is noAuthentication")
    func authenticationRefused() async throws {
        let server = try await ScriptedServer.start([
            [.send(Self.banner), .expect(Self.authenticate), .send("A01 NO \"authentication failed\"\r\n")]
        ])
        defer { Task { await server.stop() } }
        let error = await #expect(throws: MUpdateError.self) { _ = try await Self.connect(server) }
        #expect(error?.code == .noAuthentication)
    }

    @Test("challenges are answered with bare base64 lines (LOGIN, which has no initial response)")
    func challenges() async throws {
        let server = try await ScriptedServer.start([
            [
                .send("* AUTH \"LOGIN\"\r\n* OK MUPDATE \"m\" \"Murder\" \"0.1\" \"(master)\"\r\n"),
                .expect("A01 AUTHENTICATE \"LOGIN\"\r\n"),
                .send("VXNlcm5hbWU6\r\n"), .expect("bXVwZGF0ZQ==\r\n"),
                .send("{12}\r\nUGFzc3dvcmQ6\r\n"), .expect("c2VjcmV0\r\n"),
                .send(Self.authenticated),
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        #expect(server.mismatches == [])
        await client.close()
    }

    @Test("BYE instead of a banner, and a closed port, are noConnection")
    func unreachable() async throws {
        let server = try await ScriptedServer.start([[.send("* BYE \"Server Unable\"\r\n"), .close]])
        let error = await #expect(throws: MUpdateError.self) { _ = try await Self.connect(server) }
        #expect(error?.code == .noConnection)
        let port = server.port
        await server.stop()
        let refused = await #expect(throws: MUpdateError.self) {
            _ = try await MUpdateClientConnection.connect(.test(port: port), engine: TestEngine.current)
        }
        #expect(refused?.code == .noConnection)
    }

    @Test("LOGOUT accepts BYE and end of stream", arguments: ["* BYE \"bye\"\r\n", ""])
    func logoutForms(_ answer: String) async throws {
        let server = try await ScriptedServer.start([
            [
                .send(Self.banner), .expect(Self.authenticate), .send(Self.authenticated), .expect("Q02 LOGOUT\r\n"),
                .send(answer), .close,
            ]
        ])
        defer { Task { await server.stop() } }
        let client = try await Self.connect(server)
        let start = ContinuousClock.now
        await client.logout()
        // Well under the LOGOUT timeout: the answer (or the close) ended the wait. Loose, so
        // that a loaded machine does not fail it.
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(await client.isOpen == false)
        #expect(server.mismatches == [])
    }

    @Test("a Cyrus 3.6 master: banner, literal answers, OK \"bye-bye\"")
    func cyrusMaster() async throws {
        let master = try await FakeMaster.start(cyrus: true)
        defer { Task { await master.stop() } }
        master.seed([MUpdateRecord(name: Self.carol, state: .active, location: Self.here, acl: Self.carolACL)])
        let client = try await MUpdateClientConnection.connect(.test(port: master.port), engine: TestEngine.current)
        #expect(await client.capabilities.updateSince == false)
        #expect(await client.capabilities.compression == ["DEFLATE"])
        #expect(try await client.find(Self.carol)?.acl == Self.carolACL)
        #expect(try await client.list().count == 1)
        await client.logout()
        #expect(master.commandKinds.last == .logout)
    }
}
