import Logging
import MurderTestSupport
import Testing

@testable import Transport

/// Loopback helpers: one engine per test run, bounded waits, byte patterns.
enum LoopbackHarness {
    static let engine = TestEngine.current
    /// The pure-Swift engine, for the peers of a connection under test.
    static let nioEngine = NIOEngine()
    static let logger = Logger(label: "murder.transport.tests")

    /// Runs `body`, failing with a timeout instead of hanging when it takes too long.
    static func withDeadline<T: Sendable>(
        seconds: Int = 20,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ConnectionError(.timedOut, "test deadline of \(seconds) s passed")
            }
            return value
        }
    }

    /// Listens on 127.0.0.1, an ephemeral port.
    static func listen(
        limits: ListenerLimits = ListenerLimits(),
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener {
        try await engine.listen(host: "127.0.0.1", port: 0, limits: limits, logger: logger, handler: handler)
    }

    static func connect(to listener: any Listener) async throws -> any Connection {
        try await engine.connect(host: "127.0.0.1", port: listener.localPort, timeout: .seconds(5))
    }

    /// Reads until end of stream, at most `limit` bytes.
    static func readAll(_ connection: any Connection, limit: Int = 64 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try await connection.read(timeout: .seconds(10)) {
            bytes += chunk
            if bytes.count > limit { break }
        }
        return bytes
    }

    /// Reads until `count` bytes arrived (or end of stream).
    static func read(_ connection: any Connection, count: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count, let chunk = try await connection.read(timeout: .seconds(10)) {
            bytes += chunk
        }
        return bytes
    }

    /// A recognisable pattern: no run of 256 bytes repeats at the same phase of 251.
    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 % 251) ^ ($0 >> 12)) }
    }
}

/// An echo server's handler: writes back what it reads until end of stream.
@Sendable func echo(_ connection: any Connection) async {
    while let chunk = try? await connection.read(timeout: .seconds(10)) {
        try? await connection.write(chunk)
    }
}
