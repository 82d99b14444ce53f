import Dispatch

/// Work that blocks its thread — libsasl2 reading the sasldb, a spool fsync — runs here rather
/// than on Swift's cooperative pool, which has one thread per core: there it would stall every
/// other session. Concurrent, so blocking calls of many sessions overlap.
public enum BlockingWork {
    static let queue = DispatchQueue(label: "murder.blocking", qos: .userInitiated, attributes: .concurrent)

    /// Runs `body` on the blocking queue and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Hands a value that one task at a time uses (a SASL exchange) to ``BlockingWork`` for one call.
public struct Unchecked<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
