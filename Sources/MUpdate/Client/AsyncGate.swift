/// A first-come first-served lock for an actor's async sections: actor methods may interleave at
/// each `await`, and a MUPDATE exchange (one command and its answer, or one write) must not.
/// Not thread-safe by itself: it lives inside an actor and is used from its methods only.
struct AsyncGate: Sendable {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// True when the caller holds the gate at once; otherwise the caller must `await` the
    /// continuation it registers with ``enqueue(_:)``.
    mutating func tryAcquire() -> Bool {
        guard held else {
            held = true
            return true
        }
        return false
    }

    mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) { waiters.append(waiter) }

    /// Hands the gate to the next waiter, if any.
    mutating func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
