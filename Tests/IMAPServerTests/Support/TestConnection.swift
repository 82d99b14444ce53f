import Foundation
import Synchronization
import Transport

/// An in-memory ``Connection``: the test pushes the client's bytes in whatever chunks it likes,
/// and everything the session writes is collected for the test to read back.
///
///     test: conn.push("a1 NOOP\r\n")     session: read() -> "a1 NOOP\r\n"
///     session: write("a1 OK …\r\n")      test: conn.output -> "a1 OK …\r\n"
///
/// `read(timeout:)` throws ``ConnectionError`` `.timedOut` when nothing arrives in time and
/// returns nil once the test has closed its side (``closeInput()``) and every pushed byte was read.
final class TestConnection: Connection {
    /// The largest chunk one `read` returns, as the real engines bound it.
    static let maximumChunk = 64 * 1024

    private struct State {
        var inbound: [[UInt8]] = []
        var inputClosed = false
        var closed = false
        var reader: (token: UInt64, continuation: CheckedContinuation<[UInt8]?, any Error>)?
        var nextToken: UInt64 = 0
        var output: [UInt8] = []
        var filesSent = 0
    }

    private static let ids = Atomic<UInt64>(0)

    let id: UInt64
    let remoteAddress = "127.0.0.1:50123"
    let remoteHost = "127.0.0.1"
    let localAddress = "127.0.0.1:143"
    private let state = Mutex(State())

    init() {
        id = Self.ids.add(1, ordering: .relaxed).newValue
    }

    // MARK: - The test's side

    /// Hands bytes to the session; a pending read gets them at once.
    func push(_ bytes: [UInt8]) {
        var chunks: [[UInt8]] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            chunks.append(Array(rest.prefix(Self.maximumChunk)))
            rest = rest.dropFirst(Self.maximumChunk)
        }
        let wake: (CheckedContinuation<[UInt8]?, any Error>, [UInt8])? = state.withLock { s in
            guard !s.inputClosed, !s.closed else { return nil }
            s.inbound += chunks
            guard let reader = s.reader, !s.inbound.isEmpty else { return nil }
            s.reader = nil
            return (reader.continuation, s.inbound.removeFirst())
        }
        if let (continuation, chunk) = wake { continuation.resume(returning: chunk) }
    }

    /// The client closes its side: reads return what is left, then nil.
    func closeInput() {
        let waiting = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            s.inputClosed = true
            guard s.inbound.isEmpty, let reader = s.reader else { return nil }
            s.reader = nil
            return reader.continuation
        }
        waiting?.resume(returning: nil)
    }

    /// Everything the session wrote so far.
    var output: [UInt8] { state.withLock { $0.output } }
    /// How many times the session sent a body straight from its file (``writeFile``).
    var filesSent: Int { state.withLock { $0.filesSent } }

    /// Whether the session closed the connection.
    var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: - Connection

    func read(timeout: Duration?) async throws -> [UInt8]? {
        let token = state.withLock { s in
            s.nextToken += 1
            return s.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let now: Result<[UInt8]?, any Error>? = state.withLock { s in
                    if !s.inbound.isEmpty { return .success(s.inbound.removeFirst()) }
                    if s.inputClosed || s.closed { return .success(nil) }
                    if s.reader != nil {
                        return .failure(ConnectionError(.invalidArgument, "two reads at once on test connection"))
                    }
                    s.reader = (token, continuation)
                    return nil
                }
                if let now {
                    continuation.resume(with: now)
                    return
                }
                if let timeout {
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        self?.expire(token, ConnectionError(.timedOut, "read from test connection"))
                    }
                }
            }
        } onCancel: {
            expire(token, CancellationError())
        }
    }

    private func expire(_ token: UInt64, _ error: any Error) {
        let waiting = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            guard let reader = s.reader, reader.token == token else { return nil }
            s.reader = nil
            return reader.continuation
        }
        waiting?.resume(throwing: error)
    }

    func write(_ bytes: [UInt8]) async throws {
        try state.withLock { s in
            guard !s.closed else { throw ConnectionError(.closed, "write to test connection") }
            s.output += bytes
        }
    }

    func write(contentsOf chunks: [[UInt8]]) async throws {
        try await write(chunks.flatMap { $0 })
    }

    func writeFile(path: String, offset: Int64, length: Int64) async throws {
        state.withLock { $0.filesSent += 1 }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConnectionError(.io(errno: ENOENT), "open \(path)")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: Int(length)) ?? Data()
        guard data.count == Int(length) else {
            throw ConnectionError(.invalidArgument, "file range beyond the end of \(path)")
        }
        try await write([UInt8](data))
    }

    func close() async {
        let waiting = state.withLock { s -> CheckedContinuation<[UInt8]?, any Error>? in
            s.closed = true
            let reader = s.reader
            s.reader = nil
            return reader?.continuation
        }
        waiting?.resume(returning: nil)
    }
}
