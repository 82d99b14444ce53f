/// Why a ``Connection`` operation failed.
///
/// The code says what the caller can do (retry later, give up on the peer); `message` names the
/// operation that failed, and `cause` keeps the engine's own error when there is one.
public struct ConnectionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Hashable, Sendable, CustomStringConvertible {
        /// Nothing arrived (read) or nothing answered (connect) in time.
        case timedOut
        /// The connection is closed: written after close, or reset by the peer.
        case closed
        /// The peer refused the connection (nothing listens there).
        case refused
        /// A system call failed, with its errno when known.
        case io(errno: Int32?)
        /// The caller asked for something impossible (a file range beyond the file's end,
        /// two reads at once).
        case invalidArgument

        public var description: String {
            switch self {
            case .timedOut: "timed out"
            case .closed: "closed"
            case .refused: "refused"
            case .io(let errno?): "I/O error (errno \(errno))"
            case .io(nil): "I/O error"
            case .invalidArgument: "invalid argument"
            }
        }
    }

    public var code: Code
    /// The failed action, for logs: "read from 127.0.0.1:50123", "connect to 10.0.0.2:143".
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?
    public var file: String
    public var line: Int

    public init(
        _ code: Code,
        _ message: String,
        cause: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "\(message): \(code)"
        if let cause { text += " (\(cause))" }
        return text
    }
}
