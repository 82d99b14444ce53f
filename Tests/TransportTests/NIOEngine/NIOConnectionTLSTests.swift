import Foundation
import Synchronization
import Testing

@testable import Transport

@Suite(.enabled(if: TestCertificates.available, "openssl is not installed: no certificate to test with"))
struct NIOConnectionTLSTests {
    typealias H = LoopbackHarness

    static func serverTLS(handshakeTimeout: Duration = .seconds(10)) throws -> ServerTLS {
        let files = try TestCertificates.files()
        return try ServerTLS(
            TLSConfiguration(
                certificateChainFile: files.certificate, privateKeyFile: files.key, handshakeTimeout: handshakeTimeout
            )
        )
    }

    static func clientTLS() throws -> ClientTLS {
        try ClientTLS(trustRootsFile: TestCertificates.files().certificate, serverHostname: "localhost")
    }

    static func listenTLS(
        _ tls: ServerTLS,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener {
        try await H.engine.listen(
            host: "127.0.0.1", port: 0, limits: ListenerLimits(refusal: []), tls: tls, logger: H.logger,
            handler: handler
        )
    }

    /// Reads until `text` arrived in full.
    static func expectLine(_ connection: any Connection, _ text: String) async throws {
        #expect(String(decoding: try await H.read(connection, count: text.utf8.count), as: UTF8.self) == text)
    }

    @Test("implicit TLS: bytes written by the client come back decrypted from an echo server")
    func implicitEcho() async throws {
        let tls = try Self.serverTLS()
        let clientTLS = try Self.clientTLS()
        try await H.withDeadline {
            let serverSawTLS = Mutex(false)
            let listener = try await Self.listenTLS(tls) { connection in
                serverSawTLS.withLock { $0 = connection.isTLS }
                await echo(connection)
            }
            let client = try await H.connect(to: listener)
            #expect(!client.isTLS)
            try await client.startTLS(clientTLS)
            #expect(client.isTLS)
            try await client.write(Array("a001 NOOP\r\n".utf8))
            try await Self.expectLine(client, "a001 NOOP\r\n")
            let payload = H.pattern(count: 1 << 20)
            try await client.write(payload)
            #expect(try await H.read(client, count: payload.count) == payload)
            #expect(serverSawTLS.withLock { $0 })
            await client.close()
            await listener.close()
        }
    }

    @Test("STARTTLS mid-stream: a plaintext exchange, then TLS on the same connection")
    func startTLSMidStream() async throws {
        let tls = try Self.serverTLS()
        let clientTLS = try Self.clientTLS()
        try await H.withDeadline {
            let listener = try await H.listen { connection in
                guard (try? await H.read(connection, count: 13)) == Array("a1 STARTTLS\r\n".utf8) else { return }
                try? await connection.write(Array("a1 OK Begin TLS negotiation now\r\n".utf8))
                do {
                    try await connection.startTLS(tls)
                } catch {
                    return
                }
                try? await connection.write(Array("* server is under TLS\r\n".utf8))
                await echo(connection)
            }
            let client = try await H.connect(to: listener)
            try await client.write(Array("a1 STARTTLS\r\n".utf8))
            try await Self.expectLine(client, "a1 OK Begin TLS negotiation now\r\n")
            try await client.startTLS(clientTLS)
            try await Self.expectLine(client, "* server is under TLS\r\n")
            try await client.write(Array("a2 CAPABILITY\r\n".utf8))
            try await Self.expectLine(client, "a2 CAPABILITY\r\n")
            await client.close()
            await listener.close()
        }
    }

    @Test("plaintext sent before the handshake is taken as handshake bytes, never read as plaintext")
    func pipelinedPlaintextFailsHandshake() async throws {
        let tls = try Self.serverTLS()
        try await H.withDeadline {
            let outcome = Mutex<String>("not run")
            let listener = try await H.listen { connection in
                // Let the injected line arrive and sit unread in the connection's buffer.
                try? await Task.sleep(for: .milliseconds(300))
                do {
                    try await connection.startTLS(tls)
                    outcome.withLock { $0 = "handshake succeeded" }
                } catch {
                    let read = try? await connection.read(timeout: .seconds(1))
                    outcome.withLock { $0 = read == nil ? "refused" : "plaintext leaked: \(read ?? [])" }
                }
            }
            let client = try await H.connect(to: listener)
            try await client.write(Array("b1 LOGIN injected secret\r\n".utf8))
            _ = try? await H.readAll(client, limit: 1 << 16)
            // The server's side finishes on its own schedule once the handshake failed.
            for _ in 0..<100 where outcome.withLock({ $0 }) == "not run" {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(outcome.withLock { $0 } == "refused")
            await client.close()
            await listener.close()
        }
    }

    @Test("a garbage handshake closes only that connection; the listener goes on")
    func garbageHandshake() async throws {
        let tls = try Self.serverTLS()
        let clientTLS = try Self.clientTLS()
        try await H.withDeadline {
            let handled = Atomic<Int>(0)
            let listener = try await Self.listenTLS(tls) { connection in
                handled.add(1, ordering: .relaxed)
                await echo(connection)
            }
            let bad = try await H.connect(to: listener)
            try await bad.write(Array("a1 LOGIN alice secret\r\n".utf8))
            let answer = try? await H.readAll(bad, limit: 1 << 16)
            #expect(answer.map { !String(decoding: $0, as: UTF8.self).contains("LOGIN") } ?? true)
            await bad.close()
            let good = try await H.connect(to: listener)
            try await good.startTLS(clientTLS)
            try await good.write(Array("a2 NOOP\r\n".utf8))
            try await Self.expectLine(good, "a2 NOOP\r\n")
            #expect(handled.load(ordering: .relaxed) == 1)
            await good.close()
            await listener.close()
        }
    }

    @Test("a client that never starts the handshake is closed after the handshake timeout")
    func handshakeTimeout() async throws {
        let tls = try Self.serverTLS(handshakeTimeout: .milliseconds(300))
        try await H.withDeadline {
            let listener = try await Self.listenTLS(tls) { connection in await echo(connection) }
            let client = try await H.connect(to: listener)
            let start = ContinuousClock.now
            let end = try? await client.read(timeout: .seconds(5))
            #expect(end == nil)
            #expect(ContinuousClock.now - start < .seconds(4))
            await client.close()
            await listener.close()
        }
    }

    @Test("a second startTLS on the same connection is refused")
    func startTLSTwice() async throws {
        let tls = try Self.serverTLS()
        let clientTLS = try Self.clientTLS()
        try await H.withDeadline {
            let second = Mutex<ConnectionError.Code?>(nil)
            let listener = try await Self.listenTLS(tls) { connection in
                do {
                    try await connection.startTLS(tls)
                } catch let error as ConnectionError {
                    second.withLock { $0 = error.code }
                } catch {}
                await echo(connection)
            }
            let client = try await H.connect(to: listener)
            try await client.startTLS(clientTLS)
            try await client.write(Array("a1 NOOP\r\n".utf8))
            try await Self.expectLine(client, "a1 NOOP\r\n")
            #expect(second.withLock { $0 } == .invalidArgument)
            await client.close()
            await listener.close()
        }
    }

    @Test("a client that does not trust the server's certificate fails the handshake")
    func untrustedCertificate() async throws {
        let tls = try Self.serverTLS()
        let files = try TestCertificates.files()
        let wrongRoots = try ClientTLS(trustRootsFile: files.otherCertificate, serverHostname: "localhost")
        try await H.withDeadline {
            let listener = try await Self.listenTLS(tls) { connection in await echo(connection) }
            let client = try await H.connect(to: listener)
            await #expect(throws: ConnectionError.self) { try await client.startTLS(wrongRoots) }
            await client.close()
            await listener.close()
        }
    }

    @Test("writeFile under TLS sends the file range through the encryption")
    func writeFileUnderTLS() async throws {
        let tls = try Self.serverTLS()
        let clientTLS = try Self.clientTLS()
        let content = H.pattern(count: 700_000)
        let path = try TestCertificates.files().folder + "/body.bin"
        try Data(content).write(to: URL(fileURLWithPath: path))
        try await H.withDeadline {
            let listener = try await Self.listenTLS(tls) { connection in
                try? await connection.writeFile(path: path, offset: 1000, length: 600_000)
            }
            let client = try await H.connect(to: listener)
            try await client.startTLS(clientTLS)
            #expect(try await H.read(client, count: 600_000) == Array(content[1000..<601_000]))
            await client.close()
            await listener.close()
        }
    }
}
