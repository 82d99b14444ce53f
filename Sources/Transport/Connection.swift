/// A byte stream to one peer: the seam every role's sockets go through.
///
/// A connection knows nothing of IMAP. The session that owns it does its own framing (it feeds
/// the bytes from ``read(timeout:)`` into IMAPWire's decoders) and hands whole responses to
/// ``write(_:)``. Buffering is bounded in both directions: reads stop pulling from the socket
/// while unread bytes pile up, and writes wait for the socket to drain when the peer is slow.
///
///     C: a001 NOOP\r\n              read() -> "a001 NOOP\r\n"
///     S: a001 OK NOOP completed\r\n  write("a001 OK NOOP completed\r\n")
///
/// Calls are meant for one task at a time per direction: one reader, one writer.
///
/// TLS sits behind this seam too: ``startTLS(_:)`` turns a plaintext connection into
/// an encrypted one (STARTTLS), and a listener can start it on accept (implicit TLS).
///
/// - SeeAlso: DESIGN.md, "The seam that matters: Engine and Connection".
public protocol Connection: AnyObject, Sendable {
    /// Unique per process, for logs.
    var id: UInt64 { get }
    /// The peer as "127.0.0.1:50123" or "[::1]:50123".
    var remoteAddress: String { get }
    /// The peer's host alone, "127.0.0.1" or "::1" (for per-address limits and SASL).
    var remoteHost: String { get }
    /// This side as "127.0.0.1:143" or "[::1]:143".
    var localAddress: String { get }

    /// Next bytes from the peer (at most a bounded chunk, 256 KiB); nil at end of stream.
    ///
    /// Throws ``ConnectionError`` with code ``ConnectionError/Code/timedOut`` when nothing
    /// arrives within `timeout` (nil = no timeout). A timed-out read loses no bytes: whatever
    /// arrives later is returned by the next read.
    func read(timeout: Duration?) async throws -> [UInt8]?

    /// Queues bytes and returns once they are handed to the socket, with back-pressure: when the
    /// peer does not read, this waits for the socket to become writable instead of buffering.
    func write(_ bytes: [UInt8]) async throws

    /// Like ``write(_:)`` for several pieces, with one flush.
    func write(contentsOf chunks: [[UInt8]]) async throws

    /// Sends `length` bytes of the file at `path` starting at `offset`, without copying them
    /// through Swift (a NIO `FileRegion` on the NIO engine).
    func writeFile(path: String, offset: Int64, length: Int64) async throws

    /// Closes both directions; idempotent. Bytes already written are sent first (waiting a
    /// bounded time for a slow peer).
    func close() async

    /// Closes both directions at once, dropping bytes still queued for the peer; idempotent.
    /// For a peer that stopped reading and will not be waited for. Pending and later reads
    /// and writes fail.
    func abort() async

    /// Whether reads and writes go through TLS (implicit TLS, or after ``startTLS(_:)``).
    var isTLS: Bool { get }

    /// The executor of the thread that does this connection's I/O (its io_uring loop or NIO
    /// event loop), for tasks that serve it: `Task(executorPreference: connection.executor)`.
    /// A task there receives, handles and answers a command without handing it to another
    /// thread. Nil: no preference (the global executor).
    var executor: (any TaskExecutor)? { get }

    /// Starts TLS as the server and returns once the handshake completed; from then on reads
    /// return decrypted bytes and writes are encrypted.
    ///
    ///     C: a1 STARTTLS
    ///     S: a1 OK Begin TLS negotiation now          (written and flushed by the caller first)
    ///     <TLS handshake>                               startTLS(tls) returns
    ///     C: a2 CAPABILITY                              read() -> "a2 CAPABILITY\r\n", decrypted
    ///
    /// Call it only when the session has consumed every byte it read and holds no unread
    /// plaintext of its own (refuse the command when a client pipelined data after STARTTLS),
    /// and never during a read. Bytes the connection received but the caller has not read yet
    /// are taken as the start of the handshake, never as plaintext: pipelined commands a
    /// client sent after STARTTLS fail the handshake instead of running under TLS
    /// (CVE-2011-0411).
    ///
    /// Throws ``ConnectionError``: ``ConnectionError/Code/timedOut`` when the handshake takes
    /// longer than the configuration's `handshakeTimeout`, ``ConnectionError/Code/invalidArgument``
    /// when TLS is already on (or the engine cannot do TLS), another code when the handshake
    /// fails. After a failure the connection is closed.
    ///
    /// - SeeAlso: [RFC 3501 §6.2.1](https://www.rfc-editor.org/rfc/rfc3501#section-6.2.1),
    ///   [RFC 9051 §6.2.1](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.1)
    func startTLS(_ tls: ServerTLS) async throws

    /// Starts TLS as the client (after the server's `OK Begin TLS negotiation now`, or at once
    /// for implicit TLS) and returns once the handshake completed and the server's certificate
    /// was verified. Same rules and errors as ``startTLS(_:)``.
    func startTLS(_ tls: ClientTLS) async throws
}

extension Connection {
    /// Engines that cannot drop queued bytes close as usual.
    public func abort() async { await close() }

    /// Engines without TLS: never encrypted.
    public var isTLS: Bool { false }

    /// Engines without loops of their own: no preference.
    public var executor: (any TaskExecutor)? { nil }

    /// Engines without TLS refuse.
    public func startTLS(_ tls: ServerTLS) async throws {
        throw ConnectionError(.invalidArgument, "STARTTLS: this engine's connections cannot do TLS")
    }

    /// Engines without TLS refuse.
    public func startTLS(_ tls: ClientTLS) async throws {
        throw ConnectionError(.invalidArgument, "STARTTLS: this engine's connections cannot do TLS")
    }
}
