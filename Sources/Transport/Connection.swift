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

    /// Next bytes from the peer (at most a bounded chunk, 64 KiB); nil at end of stream.
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
}
