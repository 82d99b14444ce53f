import Logging
import Synchronization
import Testing

@testable import Transport

/// The io_uring engine's own cases: the probe, and the C relay between a client and a backend
/// connection with exact bytes on both sides. (Every loopback test of NIOConnectionTests and
/// the test murder also run on this engine: `MURDER_TEST_ENGINE=uring`.)
@Suite(.timeLimit(.minutes(2))) struct URingEngineTests {
    typealias H = LoopbackHarness

    /// The engine for these cases, or nil (each case then says why it did not run).
    static let uring: URingEngine? = {
        guard URingEngine.unavailability() == nil else { return nil }
        return try? URingEngine(settings: URingEngine.Settings(loops: 2))
    }()

    static func skipReason() -> String { URingEngine.unavailability() ?? "the loops could not start" }

    @Test("a forced probe failure reports io_uring as missing, with the reason")
    func forcedProbe() {
        #expect(URingEngine.unavailability(force: true) == "forced off")
    }

    @Test("where the probe passes, loops start; where it fails, it says why")
    func probe() throws {
        if let why = URingEngine.unavailability() {
            print("SKIP io_uring: \(why)")
            #expect(!why.isEmpty)
            return
        }
        let engine = try URingEngine(settings: URingEngine.Settings(loops: 1))
        #expect(engine.name == "uring")
        engine.shutdown()
    }

    /// One relay: a client (NIO) -> frontend listener (uring) -> relay -> backend connection
    /// (uring) -> scripted backend (NIO). Returns the relay's outcome once it stops.
    final class RelayRig: Sendable {
        let client: any Connection
        let backend: any Connection
        let outcome: AsyncStream<RelayOutcome>
        let listeners: [any Listener]

        static func start(
            _ engine: URingEngine,
            verbs: Set<String> = ["FETCH", "NOOP", "IDLE", "STORE"],
            clientBytes: [UInt8] = [],
            idle: Duration? = nil
        ) async throws -> RelayRig {
            let nio = H.nioEngine
            let (backendStream, backendSink) = AsyncStream<any Connection>.makeStream()
            let backendListener = try await nio.listen(host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: H.logger) {
                conn in
                backendSink.yield(conn)
                try? await Task.sleep(for: .seconds(60))
            }
            let port = backendListener.localPort
            let (outcomes, outcomeSink) = AsyncStream<RelayOutcome>.makeStream()
            let front = try await engine.listen(host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: H.logger) {
                conn in
                guard let up = try? await engine.connect(host: "127.0.0.1", port: port, timeout: .seconds(5)) else { return }
                let request = RelayRequest(
                    verbs: verbs, uidVerbs: ["FETCH", "STORE", "SEARCH"], maxLineBytes: 8192, maxLiteralBytes: 65536,
                    clientBytes: clientBytes, idleTimeout: idle)
                if let outcome = await conn.relay(with: up, request) { outcomeSink.yield(outcome) }
                await up.close()
            }
            let client = try await nio.connect(host: "127.0.0.1", port: front.localPort, timeout: .seconds(5))
            var iterator = backendStream.makeAsyncIterator()
            guard let backend = await iterator.next() else { throw ConnectionError(.closed, "no backend connection") }
            return RelayRig(client: client, backend: backend, outcome: outcomes, listeners: [backendListener, front])
        }

        init(client: any Connection, backend: any Connection, outcome: AsyncStream<RelayOutcome>, listeners: [any Listener]) {
            self.client = client
            self.backend = backend
            self.outcome = outcome
            self.listeners = listeners
        }

        func stopped() async -> RelayOutcome? {
            var iterator = outcome.makeAsyncIterator()
            return await iterator.next()
        }

        func close() async {
            await client.close()
            await backend.close()
            for listener in listeners { await listener.close() }
        }
    }

    static func read(_ connection: any Connection, until text: String) async throws -> String {
        var bytes: [UInt8] = []
        while !String(decoding: bytes, as: UTF8.self).hasSuffix(text) {
            guard let chunk = try await connection.read(timeout: .seconds(10)) else { break }
            bytes += chunk
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func send(_ connection: any Connection, _ text: String) async throws {
        try await connection.write(Array(text.utf8))
    }

    @Test("pipelined FETCHes pass through verbatim, response literals split at every offset")
    func pipelinedFetch() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine)
            let commands = "a1 FETCH 1 BODY[]\r\na2 UID FETCH 2 (FLAGS)\r\n"
            try await Self.send(rig.client, commands)
            #expect(try await Self.read(rig.backend, until: "(FLAGS)\r\n") == commands)
            let response = "* 1 FETCH (BODY[] {11}\r\nHello\r\nWorld)\r\na1 OK done\r\n* 2 FETCH (FLAGS (\\Seen) UID 2)\r\na2 OK done\r\n"
            let bytes = Array(response.utf8)
            for i in 0..<bytes.count {
                try await rig.backend.write([bytes[i]])
                if i % 7 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            #expect(try await Self.read(rig.client, until: "a2 OK done\r\n") == response)
            await rig.close()
        }
    }

    @Test("a command outside the set behind three pipelined FETCHes stops the relay after their answers")
    func interceptBehindThree() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine)
            try await Self.send(rig.client, "a1 FETCH 1 FLAGS\r\na2 FETCH 2 FLAGS\r\na3 FETCH 3 FLAGS\r\na4 LIST \"\" *\r\na5 NOOP\r\n")
            #expect(try await Self.read(rig.backend, until: "a3 FETCH 3 FLAGS\r\n") == "a1 FETCH 1 FLAGS\r\na2 FETCH 2 FLAGS\r\na3 FETCH 3 FLAGS\r\n")
            try await Self.send(rig.backend, "a1 OK one\r\na2 OK two\r\n* 3 EXISTS\r\n")
            #expect(try await Self.read(rig.client, until: "* 3 EXISTS\r\n") == "a1 OK one\r\na2 OK two\r\n* 3 EXISTS\r\n")
            try await Self.send(rig.backend, "a3 OK three\r\n")
            let outcome = await rig.stopped()
            #expect(outcome?.reason == .intercepted)
            #expect(String(decoding: outcome?.clientBytes ?? [], as: UTF8.self) == "a4 LIST \"\" *\r\na5 NOOP\r\n")
            #expect(try await Self.read(rig.client, until: "a3 OK three\r\n") == "a3 OK three\r\n")
            await rig.close()
        }
    }

    @Test("IDLE and DONE pass through; the backend's continuation reaches the client")
    func idleDone() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine)
            try await Self.send(rig.client, "i1 IDLE\r\n")
            #expect(try await Self.read(rig.backend, until: "IDLE\r\n") == "i1 IDLE\r\n")
            try await Self.send(rig.backend, "+ idling\r\n* 4 EXISTS\r\n")
            #expect(try await Self.read(rig.client, until: "EXISTS\r\n") == "+ idling\r\n* 4 EXISTS\r\n")
            try await Self.send(rig.client, "DONE\r\n")
            #expect(try await Self.read(rig.backend, until: "DONE\r\n") == "DONE\r\n")
            try await Self.send(rig.backend, "i1 OK IDLE terminated\r\n+ stray\r\n")
            try await Self.send(rig.client, "n1 NOOP\r\n")
            #expect(try await Self.read(rig.backend, until: "NOOP\r\n") == "n1 NOOP\r\n")
            try await Self.send(rig.backend, "n1 OK NOOP\r\n")
            // The stray continuation after IDLE ended is dropped.
            #expect(try await Self.read(rig.client, until: "n1 OK NOOP\r\n") == "i1 OK IDLE terminated\r\nn1 OK NOOP\r\n")
            await rig.close()
        }
    }

    @Test("a backend BYE is not passed on and stops the relay; an unknown tag is dropped")
    func backendBye() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine)
            try await Self.send(rig.client, "f1 FETCH 1 BODY[]\r\n")
            _ = try await Self.read(rig.backend, until: "\r\n")
            try await Self.send(rig.backend, "M9 OK not yours\r\n* 1 FETCH (BODY[] {5}\r\n* BYE)\r\n* BYE going away\r\n")
            let outcome = await rig.stopped()
            #expect(outcome?.reason == .backendBye)
            #expect(try await Self.read(rig.client, until: "* BYE)\r\n") == "* 1 FETCH (BODY[] {5}\r\n* BYE)\r\n")
            await rig.close()
        }
    }

    @Test("the client's end of stream in the middle of a literal stops the relay")
    func clientEOF() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine, verbs: ["SEARCH"])
            try await Self.send(rig.client, "s1 SEARCH CHARSET UTF-8 TEXT {10+}\r\nabc")
            await rig.client.close()
            let outcome = await rig.stopped()
            #expect(outcome?.reason == .clientClosed)
            await rig.close()
        }
    }

    @Test("a synchronising literal is answered by the relay and sent on non-synchronising")
    func synchronisingLiteral() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine, verbs: ["SEARCH"])
            try await Self.send(rig.client, "s1 SEARCH TEXT {3}\r\n")
            #expect(try await Self.read(rig.client, until: "\r\n") == "+ Ready for literal data\r\n")
            try await Self.send(rig.client, "abc\r\n")
            #expect(try await Self.read(rig.backend, until: "abc\r\n") == "s1 SEARCH TEXT {3+}\r\nabc\r\n")
            await rig.close()
        }
    }

    @Test("a 4 MiB message body, larger than the pipe, arrives byte for byte, spliced")
    func largeLiteralSpliced() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 60) {
            let rig = try await RelayRig.start(engine)
            try await Self.send(rig.client, "b1 UID FETCH 7 BODY.PEEK[]\r\n")
            _ = try await Self.read(rig.backend, until: "\r\n")
            let body = H.pattern(count: 4 << 20)
            let head = Array("* 1 FETCH (UID 7 BODY[] {\(body.count)}\r\n".utf8)
            let tail = Array(")\r\nb1 OK done\r\n".utf8)
            try await rig.backend.write(contentsOf: [head, body, tail])
            let expected = head + body + tail
            let received = try await H.read(rig.client, count: expected.count)
            #expect(received == expected)
            try await Self.send(rig.client, "x1 LOGOUT\r\n")
            let outcome = await rig.stopped()
            #expect(outcome?.reason == .intercepted)
            #expect((outcome?.splicedToClient ?? 0) > 0)
            await rig.close()
        }
    }

    @Test("the relay stops when the client sends nothing for the idle time")
    func idleTimeout() async throws {
        guard let engine = Self.uring else { return print("SKIP: \(Self.skipReason())") }
        try await H.withDeadline(seconds: 30) {
            let rig = try await RelayRig.start(engine, idle: .milliseconds(300))
            let outcome = await rig.stopped()
            #expect(outcome?.reason == .timedOut)
            await rig.close()
        }
    }
}
