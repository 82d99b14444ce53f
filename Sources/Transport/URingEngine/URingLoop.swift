internal import CMurderCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One io_uring loop (ring.c) and the thread that runs it.
///
/// The thread calls `mc_loop_poll` over and over and hands each event to the handler that
/// its operation registered under the event's token. Other threads never touch the ring: they
/// queue closures with ``submit(_:)``, which wakes the loop (an eventfd write in ring.c); the
/// thread runs them between polls. Everything marked "loop thread" below is confined to it.
///
/// The loop is also a `TaskExecutor`: the task serving a connection prefers its connection's
/// loop, so a command goes from the receive's event through the session to the send on this
/// one thread. A wake-up of another thread costs about 50–100 µs on these machines, and a
/// command that crossed to the cooperative pool and back paid four of them. Work that blocks
/// (SQLite, fsync, libsasl2) still leaves for ``BlockingWork``.
///
/// - SeeAlso: DESIGN.md, "The seam that matters: Engine and Connection".
final class URingLoop: @unchecked Sendable {
    /// An operation's completion, read on the loop thread before the next poll.
    struct Event {
        var kind: UInt32
        var result: Int32
        /// `MC_EV_RECV`: the received bytes (valid only inside the handler).
        var data: UnsafeRawBufferPointer
        var more: Bool
    }

    typealias Handler = (Event) -> Void

    let index: Int
    let pointer: OpaquePointer
    private let storage: UnsafeMutableRawPointer
    private let queue = Mutex<[@Sendable (URingLoop) -> Void]>([])
    /// Jobs of tasks that prefer this loop, enqueued by other threads.
    private let remoteJobs = Mutex<[UnownedJob]>([])
    private let stopping = Atomic<Bool>(false)
    /// Set once the thread has left its loop: jobs go to the global executor from then on.
    private let stopped = Atomic<Bool>(false)
    /// The loop thread's `pthread_self()`, 0 until it runs.
    private let threadID = Atomic<UInt>(0)
    private var thread: pthread_t?

    // Loop thread only: closures and jobs queued by the loop thread itself (no wake-up needed,
    // the loop looks at them before it polls).
    private var localWork: [@Sendable (URingLoop) -> Void] = []
    private var localJobs: [UnownedJob] = []

    // Loop thread only.
    private var handlers: [UInt64: Handler] = [:]
    private var nextToken: UInt64 = 1
    private var events: UnsafeMutablePointer<mc_loop_event>
    static let batch = 256

    /// Sets up the ring; throws the errno of `mc_loop_init`.
    init(index: Int, config: mc_loop_config) throws {
        self.index = index
        storage = UnsafeMutableRawPointer.allocate(byteCount: mc_loop_size(), alignment: 16)
        pointer = OpaquePointer(storage)
        var config = config
        let rc = mc_loop_init(pointer, &config)
        events = .allocate(capacity: Self.batch)
        guard rc == 0 else {
            storage.deallocate()
            events.deallocate()
            throw ConnectionError(.io(errno: -rc), "io_uring loop \(index): set-up failed")
        }
    }

    deinit {
        mc_loop_destroy(pointer)
        storage.deallocate()
        events.deallocate()
    }

    /// Starts the loop's thread.
    func start() {
        let box = Unmanaged.passRetained(self)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        var id = pthread_t()
        let rc = pthread_create(&id, &attributes, { argument in
            let loop = Unmanaged<URingLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "pthread_create for io_uring loop failed: \(rc)")
        thread = id
    }

    /// Stops the thread after the work queued so far; waits for it.
    func stop() {
        stopping.store(true, ordering: .releasing)
        _ = mc_loop_wake(pointer)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    /// Whether the caller runs on this loop's thread.
    var onLoopThread: Bool { threadID.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// Runs `work` on the loop thread, soon (after the current event, never inside it). Any
    /// thread; from the loop thread itself without a wake-up.
    func submit(_ work: @escaping @Sendable (URingLoop) -> Void) {
        if onLoopThread {
            localWork.append(work)
            return
        }
        queue.withLock { $0.append(work) }
        _ = mc_loop_wake(pointer)
    }

    /// A token whose event goes to `handler`, once (or until `more` is false). Loop thread.
    func register(_ handler: @escaping Handler) -> UInt64 {
        let token = nextToken
        nextToken += 1
        handlers[token] = handler
        return token
    }

    /// Forgets a token whose operation could not start. Loop thread.
    func unregister(_ token: UInt64) { handlers[token] = nil }

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        while true {
            // Closures and jobs, until none is left (bounded, so a task that keeps yielding
            // cannot keep the ring from being polled).
            var idle = false
            for _ in 0..<64 {
                let ran = runQueued()
                if !ran { idle = true; break }
            }
            if stopping.load(ordering: .acquiring), idle { break }
            let n = mc_loop_poll(pointer, events, UInt32(Self.batch), idle ? -1 : 0)
            guard n > 0 else { continue }
            for i in 0..<Int(n) {
                let e = events[i]
                let event = Event(
                    kind: e.kind,
                    result: e.res,
                    data: UnsafeRawBufferPointer(start: e.data, count: Int(e.len)),
                    more: e.more != 0
                )
                guard let handler = handlers[e.token] else { continue }
                if !event.more { handlers[e.token] = nil }
                handler(event)
            }
        }
        // Tasks that still prefer this loop go on elsewhere.
        stopped.store(true, ordering: .releasing)
        for job in localJobs { globalConcurrentExecutor.enqueue(job) }
        localJobs = []
        for job in remoteJobs.withLock({ jobs in defer { jobs = [] }; return jobs }) {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Loop thread: runs the closures and jobs queued so far; false when there were none.
    private func runQueued() -> Bool {
        let work = Self.take(queue, &localWork)
        let jobs = Self.take(remoteJobs, &localJobs)
        if work.isEmpty && jobs.isEmpty { return false }
        for item in work { item(self) }
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
        return true
    }

    /// Loop thread: what other threads queued in `shared`, then what this thread queued itself.
    private static func take<T: Sendable>(_ shared: borrowing Mutex<[T]>, _ local: inout [T]) -> [T] {
        var taken = shared.withLock { queued -> [T] in
            var out: [T] = []
            swap(&out, &queued)
            return out
        }
        if !local.isEmpty {
            taken += local
            local.removeAll(keepingCapacity: true)
        }
        return taken
    }
}

extension URingLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if onLoopThread {
            localJobs.append(job)
            return
        }
        let late = remoteJobs.withLock { jobs -> Bool in
            if stopped.load(ordering: .acquiring) { return true }
            jobs.append(job)
            return false
        }
        if late {
            globalConcurrentExecutor.enqueue(job)
        } else {
            _ = mc_loop_wake(pointer)
        }
    }
}
