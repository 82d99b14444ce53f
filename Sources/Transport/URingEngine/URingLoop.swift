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
    private let stopping = Atomic<Bool>(false)
    private var thread: pthread_t?

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

    /// Runs `work` on the loop thread, soon. Any thread.
    func submit(_ work: @escaping @Sendable (URingLoop) -> Void) {
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

        while true {
            let work = queue.withLock { queued -> [@Sendable (URingLoop) -> Void] in
                let taken = queued
                queued.removeAll(keepingCapacity: true)
                return taken
            }
            for item in work { item(self) }
            if stopping.load(ordering: .acquiring), work.isEmpty { break }
            let n = mc_loop_poll(pointer, events, UInt32(Self.batch), work.isEmpty ? -1 : 0)
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
    }
}
