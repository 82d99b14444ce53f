import Synchronization

/// Counts one listener's open connections, in total and per remote host.
final class ConnectionLimiter: Sendable {
    private struct Counts {
        var total = 0
        var perHost: [String: Int] = [:]
    }

    let limits: ListenerLimits
    private let counts = Mutex(Counts())

    init(limits: ListenerLimits) {
        self.limits = limits
    }

    /// Counts a new connection from `host`, or returns false (counting nothing) when it is
    /// over either limit.
    func admit(host: String) -> Bool {
        self.counts.withLock { counts in
            let fromHost = counts.perHost[host, default: 0]
            guard counts.total < self.limits.maxConnections,
                fromHost < self.limits.maxConnectionsPerHost
            else { return false }
            counts.total += 1
            counts.perHost[host] = fromHost + 1
            return true
        }
    }

    /// Forgets one admitted connection from `host`.
    func release(host: String) {
        self.counts.withLock { counts in
            counts.total -= 1
            let left = counts.perHost[host, default: 1] - 1
            counts.perHost[host] = left > 0 ? left : nil
        }
    }

    /// Open connections: in total, and from `host`.
    func count(host: String? = nil) -> Int {
        self.counts.withLock { counts in
            host.map { counts.perHost[$0, default: 0] } ?? counts.total
        }
    }
}
