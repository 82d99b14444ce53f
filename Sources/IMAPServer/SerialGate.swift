/// A first-come, first-served lock for async code: one holder at a time, waiters resumed in
/// arrival order. The backend takes it around every change to its mailbox list, so that the
/// check "does the name exist?", the RESERVE at the mupdate master and the local create happen
/// as one step even when two clients create the same name at once.
actor SerialGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free and takes it. Every `acquire` must be followed by one
    /// ``release()``.
    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
