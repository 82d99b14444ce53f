import Foundation
import MUpdate
import MurderTestSupport
import Synchronization
import Testing
import Transport

@testable import Proxy

/// The same byte streams through the pure-Swift relay (a frontend on NIO) and the C relay (a
/// frontend on io_uring) give the same bytes to the client and to the backend, and those are
/// the exact bytes expected. The backend is scripted (a fake IMAP server on loopback), so it
/// can split responses at every offset, say BYE or vanish mid-literal.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RelayDifferentialTests {
    /// What each side received in one run.
    struct Run: Equatable, CustomStringConvertible {
        var client: String
        var backend: String
        var description: String { "client got:\n\(client)\nbackend got:\n\(backend)" }
    }

    /// One step of the scripted client or backend.
    enum Step: Sendable {
        /// Writes these bytes at once.
        case send(String)
        /// Writes these bytes one at a time (every split offset).
        case trickle(String)
        /// Waits until what this side received (since the selection) ends with this text.
        case await(String)
        /// Closes this side.
        case close
    }

    static let uring: URingEngine? = {
        guard URingEngine.unavailability() == nil else { return nil }
        return try? URingEngine(settings: URingEngine.Settings(loops: 2))
    }()

    static let nio = NIOEngine()
    static let capabilities = "IMAP4rev1 LITERAL+ IDLE SASL-IR UIDPLUS MULTIAPPEND"

    /// Runs one scenario on a frontend of `engine` in front of a fake backend.
    static func run(
        _ murder: TestMurder, engine: any Engine, client script: [Step], backend steps: [Step]
    ) async throws -> Run {
        // The fake backend: greeting, PLAIN, SELECT, then its script.
        let backendGot = Mutex("")
        let backendDone = Mutex(false)
        let backendListener = try await nio.listen(host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: murder.logger) {
            conn in
            var received: [UInt8] = []
            func line() async throws -> String? {
                while true {
                    if let lf = received.firstIndex(of: 0x0A) {
                        let text = String(decoding: received[...lf], as: UTF8.self)
                        received.removeSubrange(...lf)
                        return text
                    }
                    guard let chunk = try await conn.read(timeout: .seconds(10)) else { return nil }
                    received += chunk
                }
            }
            do {
                try await conn.write(Array("* OK [CAPABILITY \(capabilities) AUTH=PLAIN] fake ready\r\n".utf8))
                while let text = try await line() {
                    let tag = text.split(separator: " ").first.map(String.init) ?? "*"
                    if text.contains(" AUTHENTICATE ") {
                        try await conn.write(Array("\(tag) OK [CAPABILITY \(capabilities)] ok\r\n".utf8))
                    } else if text.uppercased().contains(" SELECT ") {
                        try await conn.write(
                            Array("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n\(tag) OK [READ-WRITE] SELECT completed\r\n".utf8))
                        break
                    } else {
                        try await conn.write(Array("\(tag) OK done\r\n".utf8))
                    }
                }
                var got = received
                received = []
                backendGot.withLock { $0 = String(decoding: got, as: UTF8.self) }
                for step in steps {
                    switch step {
                    case .send(let text): try await conn.write(Array(text.utf8))
                    case .trickle(let text):
                        for byte in Array(text.utf8) { try await conn.write([byte]) }
                    case .await(let text):
                        while !String(decoding: got, as: UTF8.self).hasSuffix(text) {
                            guard let chunk = try await conn.read(timeout: .seconds(10)) else { break }
                            got += chunk
                            backendGot.withLock { $0 = String(decoding: got, as: UTF8.self) }
                        }
                    case .close:
                        await conn.abort()
                        backendDone.withLock { $0 = true }
                        return
                    }
                }
                // The rest until the frontend hangs up (its LOGOUT included).
                while let chunk = try await conn.read(timeout: .seconds(10)) {
                    got += chunk
                    backendGot.withLock { $0 = String(decoding: got, as: UTF8.self) }
                    if String(decoding: got, as: UTF8.self).hasSuffix(" LOGOUT\r\n") {
                        try await conn.write(Array("* BYE fake\r\n".utf8))
                    }
                }
            } catch {}
            backendDone.withLock { $0 = true }
        }
        defer { Task { await backendListener.close() } }
        let server = "127.0.0.1:\(backendListener.localPort)"
        let acl = try CyrusACL(parsing: "alice\tlrswipkxtecdan\t")
        let location = try #require(MailboxLocation(server + "!default"))
        _ = try await murder.store.activate(InternalMailboxName("user.alice"), at: location, acl: acl)
        while murder.replica.record(InternalMailboxName("user.alice"))?.location.server.description != server {
            try await Task.sleep(for: .milliseconds(5))
        }

        // A frontend on `engine`, sharing the murder's list.
        let context = ProxyContext(
            settings: murder.context.settings, sasl: murder.context.sasl, throttle: murder.context.throttle,
            list: murder.context.list, engine: engine, logger: murder.logger)
        let frontend = try await FrontendServer(context: context).listen(host: "127.0.0.1", port: 0, limits: ListenerLimits())
        defer { Task { await frontend.close() } }
        let client = try await murder.frontendSession(on: frontend.localPort, as: "alice")
        try await client.send("s1 SELECT INBOX\r\n")
        _ = try await client.expectTagged("s1")
        let mark = client.pending.count
        for step in script {
            switch step {
            case .send(let text): try await client.send(text)
            case .trickle(let text):
                for byte in Array(text.utf8) { try await client.send(bytes: [byte]) }
            case .await(let text):
                let deadline = ContinuousClock.now + .seconds(10)
                while !String(decoding: client.pending.dropFirst(mark), as: UTF8.self).hasSuffix(text),
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(2))
                }
            case .close:
                await client.close()
            }
        }
        // Until both sides are done (the frontend closes the backend after the client left).
        let deadline = ContinuousClock.now + .seconds(10)
        while !(client.ended && backendDone.withLock { $0 }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        await client.close()
        // The fake backend's port differs per run; the frontend names it in its BYE.
        func normalised(_ text: String) -> String { text.replacingOccurrences(of: server, with: "127.0.0.1:PORT") }
        return Run(
            client: normalised(String(decoding: client.pending.dropFirst(mark), as: UTF8.self)),
            backend: normalised(backendGot.withLock { $0 }))
    }

    /// Runs `client`/`backend` on both engines and checks both against `expected`.
    static func check(client: [Step], backend: [Step], expected: Run) async throws {
        guard let uring = uring else {
            print("SKIP the C relay: \(URingEngine.unavailability() ?? "loops did not start")")
            return
        }
        for engine in [nio as any Engine, uring as any Engine] {
            try await TestMurder.with(seed: false) { murder in
                let run = try await run(murder, engine: engine, client: client, backend: backend)
                #expect(run == expected, "engine \(engine.name)")
            }
        }
    }

    static let logout = "L9 LOGOUT\r\n"

    @Test("pipelined FETCHes, the responses' literals split at every offset")
    func pipelinedFetch() async throws {
        let response = "* 1 FETCH (UID 4 BODY[] {12}\r\nHello\r\nWorld)\r\nf1 OK done\r\n* 2 FETCH (FLAGS (\\Seen))\r\nf2 OK done\r\n"
        try await Self.check(
            client: [.send("f1 UID FETCH 4 BODY[]\r\nf2 FETCH 2 FLAGS\r\n"), .await("f2 OK done\r\n"), .send(Self.logout), .await("L9 OK LOGOUT completed\r\n")],
            backend: [.await("f2 FETCH 2 FLAGS\r\n"), .trickle(response)],
            expected: Run(
                client: response + "* BYE LOGOUT received\r\nL9 OK LOGOUT completed\r\n",
                backend: "f1 UID FETCH 4 BODY[]\r\nf2 FETCH 2 FLAGS\r\nM2 LOGOUT\r\n"))
    }

    @Test("a command for the frontend behind three pipelined passthrough commands waits for their answers")
    func interceptBehindThree() async throws {
        try await Self.check(
            client: [.send("a1 NOOP\r\na2 FETCH 1 FLAGS\r\na3 UID STORE 1 +FLAGS (\\Seen)\r\na4 NAMESPACE\r\n"), .await("a4 OK NAMESPACE completed\r\n"), .send(Self.logout), .await("L9 OK LOGOUT completed\r\n")],
            backend: [.await("(\\Seen)\r\n"), .send("a1 OK n\r\n* 1 FETCH (FLAGS ())\r\na2 OK f\r\n"), .send("* 1 FETCH (FLAGS (\\Seen) UID 1)\r\na3 OK s\r\n")],
            expected: Run(
                client: "a1 OK n\r\n* 1 FETCH (FLAGS ())\r\na2 OK f\r\n* 1 FETCH (FLAGS (\\Seen) UID 1)\r\na3 OK s\r\n"
                    + "* NAMESPACE ((\"INBOX/\" \"/\")) ((\"user/\" \"/\")) ((\"\" \"/\"))\r\na4 OK NAMESPACE completed\r\n"
                    + "* BYE LOGOUT received\r\nL9 OK LOGOUT completed\r\n",
                backend: "a1 NOOP\r\na2 FETCH 1 FLAGS\r\na3 UID STORE 1 +FLAGS (\\Seen)\r\nM2 LOGOUT\r\n"))
    }

    @Test("IDLE and DONE")
    func idle() async throws {
        try await Self.check(
            client: [.send("i1 IDLE\r\n"), .await("* 4 EXISTS\r\n"), .send("DONE\r\n"), .await("i1 OK IDLE terminated\r\n"), .send(Self.logout), .await("L9 OK LOGOUT completed\r\n")],
            backend: [.await("i1 IDLE\r\n"), .send("+ idling\r\n"), .trickle("* 4 EXISTS\r\n"), .await("DONE\r\n"), .send("i1 OK IDLE terminated\r\n")],
            expected: Run(
                client: "+ idling\r\n* 4 EXISTS\r\ni1 OK IDLE terminated\r\n* BYE LOGOUT received\r\nL9 OK LOGOUT completed\r\n",
                backend: "i1 IDLE\r\nDONE\r\nM2 LOGOUT\r\n"))
    }

    @Test("the backend vanishes in the middle of a literal: the client gets what came, then BYE")
    func backendGoneMidLiteral() async throws {
        try await Self.check(
            client: [.send("b1 FETCH 1 BODY[]\r\n"), .await("lost\r\n")],
            backend: [.await("b1 FETCH 1 BODY[]\r\n"), .trickle("* 1 FETCH (BODY[] {20}\r\n* BYE not a bye"), .close],
            expected: Run(
                client: "* 1 FETCH (BODY[] {20}\r\n* BYE not a bye* BYE [UNAVAILABLE] backend 127.0.0.1:PORT lost\r\n",
                backend: "b1 FETCH 1 BODY[]\r\n"))
    }
}

extension RelayDifferentialTests {
    @Test("the client vanishes in the middle of a relayed literal: the backend connection is cut, no LOGOUT inside it")
    func clientGoneMidLiteral() async throws {
        try await Self.check(
            client: [.send("s1 SEARCH TEXT {10+}\r\nabc"), .close],
            backend: [.await("abc")],
            expected: Run(client: "", backend: "s1 SEARCH TEXT {10+}\r\nabc"))
    }

    @Test("a synchronising literal in a relayed command: the frontend says + and sends it on non-synchronising")
    func synchronisingLiteral() async throws {
        try await Self.check(
            client: [.send("s2 SEARCH TEXT {5}\r\n"), .await("+ Ready for literal data\r\n"), .send("hello\r\n"), .await("s2 OK done\r\n"), .send(Self.logout), .await("L9 OK LOGOUT completed\r\n")],
            backend: [.await("hello\r\n"), .send("* SEARCH 2\r\ns2 OK done\r\n")],
            expected: Run(
                client: "+ Ready for literal data\r\n* SEARCH 2\r\ns2 OK done\r\n* BYE LOGOUT received\r\nL9 OK LOGOUT completed\r\n",
                backend: "s2 SEARCH TEXT {5+}\r\nhello\r\nM2 LOGOUT\r\n"))
    }

    @Test("an unsolicited BYE from the backend is not relayed: the client gets the frontend's own")
    func backendBye() async throws {
        try await Self.check(
            client: [.send("n1 NOOP\r\n"), .await("lost\r\n")],
            backend: [.await("n1 NOOP\r\n"), .send("* 5 EXISTS\r\n* BYE shutting down\r\n"), .close],
            expected: Run(
                client: "* 5 EXISTS\r\n* BYE [UNAVAILABLE] backend 127.0.0.1:PORT lost\r\n",
                backend: "n1 NOOP\r\n"))
    }

    @Test("a 1 MiB message body, larger than the splice pipe, passes byte for byte")
    func largeLiteral() async throws {
        let body = String(repeating: "0123456789abcdef", count: 65_536)
        let response = "* 1 FETCH (UID 9 BODY[] {\(body.utf8.count)}\r\n\(body))\r\nb2 OK done\r\n"
        try await Self.check(
            client: [.send("b2 UID FETCH 9 BODY.PEEK[]\r\n"), .await("b2 OK done\r\n"), .send(Self.logout), .await("L9 OK LOGOUT completed\r\n")],
            backend: [.await("BODY.PEEK[]\r\n"), .send(response)],
            expected: Run(
                client: response + "* BYE LOGOUT received\r\nL9 OK LOGOUT completed\r\n",
                backend: "b2 UID FETCH 9 BODY.PEEK[]\r\nM2 LOGOUT\r\n"))
    }
}
