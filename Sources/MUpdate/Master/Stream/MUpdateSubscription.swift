import Synchronization

/// One UPDATE subscriber's output queue: the store publishes committed changes into it (never
/// waiting), the streaming session's writer takes them out in batches and writes them to its
/// socket at whatever pace the peer reads.
///
///     commit seq 7 ─publish→ [change 7, change 8, NOOP N1] ─next()→ writer → socket
///
/// The queue is bounded (``limit``, in approximate wire bytes). A subscriber that lets it
/// overflow is dropped at once: its queue is emptied, the store forgets it, and its writer
/// learns ``Batch/overflow`` and says `* BYE "too slow"` (SPEC.md §3.4). Publishing therefore
/// never stalls a commit or the other subscribers.
///
/// Besides changes, the session queues its own answers while it streams (NOOP's OK, BAD,
/// `+ go ahead`, LOGOUT), so that they reach the socket in order with the changes: NOOP's OK
/// follows every change committed before the NOOP was read (the freshness barrier, RFC 3656
/// §4.8).
public final class MUpdateSubscription: Sendable {
    public enum Item: Sendable {
        case change(MUpdateChange)
        /// Bytes from the session (an answer to a command read while streaming).
        case output([UInt8])
        /// The session is done after these bytes (LOGOUT).
        case finish([UInt8])
    }

    public enum Batch: Sendable {
        case items([Item])
        /// The queue overflowed: say `* BYE "too slow"` and close.
        case overflow
        /// The subscription was closed (the session ends).
        case closed
    }

    struct Queue {
        var items: [Item] = []
        var bytes = 0
        var overflowed = false
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    public let id: UInt64
    /// The most queued bytes before the subscriber is dropped.
    public let limit: Int
    /// Lower-cased server names of a PARTIAL-UPDATE; nil for every record.
    public let servers: Set<[UInt8]>?
    private let queue = Mutex(Queue())
    /// Run once when the queue overflows: the writer may be stuck writing to a peer that reads
    /// nothing, and would not learn of the overflow from ``next()`` until the peer reads.
    private let overflowAction = Mutex<(@Sendable () -> Void)?>(nil)

    init(id: UInt64, limit: Int, servers: Set<[UInt8]>?) {
        self.id = id
        self.limit = max(1, limit)
        self.servers = servers
    }

    /// Whether `change` concerns this subscriber: every change without a server filter; with
    /// one, changes whose old or new location is on a listed server.
    public func wants(_ change: MUpdateChange) -> Bool {
        guard let servers else { return true }
        if let location = change.location, servers.contains(location.server) { return true }
        if let previous = change.previousServer, servers.contains(previous) { return true }
        return false
    }

    /// Queues a committed change (called by the store in commit order, under its lock).
    /// Returns false when the subscriber overflowed or is closed: the store then forgets it.
    @discardableResult
    func publish(_ change: MUpdateChange) -> Bool {
        guard wants(change) else { return !isDone }
        return enqueue(.change(change), cost: change.cost)
    }

    /// Queues bytes of the session's own (see ``Item``). Returns false after an overflow or close.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool { enqueue(.output(bytes), cost: bytes.count + 16) }

    /// Queues the session's last bytes.
    @discardableResult
    public func finish(with bytes: [UInt8]) -> Bool { enqueue(.finish(bytes), cost: bytes.count + 16) }

    var isDone: Bool { queue.withLock { $0.overflowed || $0.closed } }

    /// Sets what to do the moment the queue overflows (at once if it already has).
    public func onOverflow(_ action: @escaping @Sendable () -> Void) {
        overflowAction.withLock { $0 = action }
        if queue.withLock({ $0.overflowed }) { takeOverflowAction()?() }
    }

    private func takeOverflowAction() -> (@Sendable () -> Void)? {
        overflowAction.withLock { action in
            defer { action = nil }
            return action
        }
    }

    private func enqueue(_ item: Item, cost: Int) -> Bool {
        let (accepted, waiter, overflowedNow) = queue.withLock {
            q -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
            guard !q.overflowed, !q.closed else { return (false, nil, false) }
            var overflowedNow = false
            if q.bytes + cost > limit {
                q.overflowed = true
                q.items = []
                q.bytes = 0
                overflowedNow = true
            } else {
                q.items.append(item)
                q.bytes += cost
            }
            let w = q.waiter
            q.waiter = nil
            return (!q.overflowed, w, overflowedNow)
        }
        waiter?.resume()
        if overflowedNow { takeOverflowAction()?() }
        return accepted
    }

    /// Ends the subscription: the writer's next ``next()`` returns ``Batch/closed`` once the
    /// queue is empty.
    public func close() {
        let waiter = queue.withLock { q -> CheckedContinuation<Void, Never>? in
            q.closed = true
            let w = q.waiter
            q.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Bytes waiting in the queue.
    public var queuedBytes: Int { queue.withLock { $0.bytes } }

    /// Waits for queued items (all of them, in order), an overflow, or the end.
    public func next() async -> Batch {
        while true {
            let ready = queue.withLock { q -> Batch? in
                if q.overflowed { return .overflow }
                if !q.items.isEmpty {
                    let items = q.items
                    q.items = []
                    q.bytes = 0
                    return .items(items)
                }
                return q.closed ? .closed : nil
            }
            if let ready { return ready }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = queue.withLock { q -> Bool in
                    if q.overflowed || q.closed || !q.items.isEmpty { return true }
                    q.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        }
    }
}
