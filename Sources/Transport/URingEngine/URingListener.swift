internal import CMurderCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket whose connections ring.c accepts (multishot accept on loop 0); each one
/// goes to the next loop, round-robin, and its handler runs in a task of its own that prefers
/// that loop as its executor and for the connections it opens.
final class URingListener: Listener, @unchecked Sendable {
    let localPort: Int
    let localAddress: String
    private let engine: URingEngine
    private let descriptor: CInt
    private let limiter: ConnectionLimiter
    private let loop: URingLoop
    private let closed = Atomic<Bool>(false)
    /// Set once the socket is closed (the accept's last event came); waiters of close().
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(engine: URingEngine, descriptor: CInt, limits: ListenerLimits, loop: URingLoop) {
        self.engine = engine
        self.descriptor = descriptor
        self.limiter = ConnectionLimiter(limits: limits)
        self.loop = loop
        self.localAddress = SocketAddresses.local(of: descriptor) ?? "unknown"
        self.localPort = SocketAddresses.port(of: localAddress)
    }

    /// Open connections accepted by this listener (refused ones are never counted).
    var openConnections: Int { limiter.count() }

    func start(logger: Logger, handler: @escaping @Sendable (any Connection) async -> Void) {
        let fd = descriptor
        loop.submit { [self] loop in
            let token = loop.register { [self] event in
                if event.result >= 0 {
                    accepted(event.result, logger: logger, handler: handler)
                } else if !event.more {
                    if event.result != -ECANCELED {
                        logger.error("accept failed", metadata: ["errno": "\(-event.result)"])
                    }
                    _ = Glibc.close(fd)
                    logger.info("listener closed")
                    finish()
                }
            }
            if mc_loop_accept(loop.pointer, fd, token) < 0 {
                loop.unregister(token)
                logger.error("accept could not start")
                _ = Glibc.close(fd)
                finish()
            }
        }
    }

    /// Loop thread: a new socket; admit it, attach it to a loop, run its handler.
    private func accepted(_ fd: CInt, logger: Logger, handler: @escaping @Sendable (any Connection) async -> Void) {
        URingEngine.tuneSocket(fd)
        let target = engine.nextLoop()
        let engine = self.engine
        let limiter = self.limiter
        target.submit { loop in
            let slot = mc_loop_attach(loop.pointer, fd)
            guard slot >= 0 else {
                logger.warning("connection dropped: no free slot", metadata: ["errno": "\(-slot)"])
                _ = Glibc.close(fd)
                return
            }
            let connection = URingConnection(engine: engine, loop: loop, slot: slot, descriptor: fd)
            let host = connection.remoteHost
            guard limiter.admit(host: host) else {
                logger.notice("connection refused: over limit", metadata: ["peer": "\(connection.remoteAddress)"])
                Task { await connection.refuse(with: limiter.limits.refusal) }
                return
            }
            // On the connection's loop: a command's receive, handling and send stay on one thread.
            Task(executorPreference: loop) {
                await URingEngine.$preferredLoop.withValue(loop) {
                    await handler(connection)
                }
                await connection.close()
                limiter.release(host: host)
            }
        }
    }

    /// Stops accepting and returns once the listening socket is closed (its port is free).
    func close() async {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            let fd = descriptor
            loop.submit { [self] loop in
                // -ENOENT: the accept already ended (its last event closed the socket, or is
                // about to); -EALREADY: a cancel is on its way. Either way its event finishes.
                _ = mc_loop_accept_cancel(loop.pointer, fd)
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = finished.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
