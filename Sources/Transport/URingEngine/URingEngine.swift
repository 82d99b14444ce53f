internal import CMurderCore
public import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The io_uring engine: the C core's loops (ring.c) behind the same ``Engine`` and
/// ``Connection`` protocols as ``NIOEngine``, so every role runs on either.
///
/// One loop per thread (default: one per core); an accepted connection is pinned to a loop
/// round-robin, and the connections a session opens (a frontend's backends) go to the loop of
/// the connection that session serves, so a relay keeps both sides on one thread. Listeners
/// with implicit TLS, and connections that start TLS, run on the NIO engine this one carries.
///
/// - SeeAlso: DESIGN.md, "The seam that matters: Engine and Connection".
public final class URingEngine: Engine, @unchecked Sendable {
    public let name = "uring"
    let loops: [URingLoop]
    /// Where TLS connections go (see the type's summary).
    public let nio: NIOEngine
    private let next: Atomic<Int>

    /// The loop of the connection the current task serves; connect() opens there.
    @TaskLocal static var preferredLoop: URingLoop?

    /// Loop settings, DESIGN.md's measured choices.
    public struct Settings: Sendable {
        public var loops: Int
        public var maxConnectionsPerLoop: Int = 65_536
        public var bufferSize: Int = 64 * 1024
        public var bufferCount: Int = 256
        /// Capacity asked for the pipe of a relay that splices (opened at its first splice):
        /// 1 MiB, the most an unprivileged process may ask (`fs.pipe-max-size`). Against
        /// 64 KiB, measured through the frontend (bench/RESULTS.md): 10 MB bodies 0.35 → 0.27
        /// s/GB on one connection and 0.44 → 0.24 on 16, 100 KB × 10 0.74 → 0.66 and 0.80 →
        /// 0.70. Where the kernel refuses it (a user's pipes past `fs.pipe-user-pages-soft`)
        /// the pipe keeps its default 64 KiB. It holds pages only while bytes are in it.
        public var pipeSize: Int = 1024 * 1024
        /// Response literal bodies at least this long are spliced, shorter ones copied.
        public var spliceMin: Int = 64 * 1024
        /// What a relay's read from a backend asks between literals: 4 KiB, so that a body
        /// after its response line is spliced from near its start instead of from past the
        /// first 64 KiB buffer; a read that comes back full doubles the next. Measured through
        /// the frontend (bench/RESULTS.md), 100 KB × 10 on one connection, s/GB against
        /// nginx's in the same run: 0 (whole buffers) 0.79–0.95 against 0.66–0.93, 16 KiB
        /// 0.66–0.72 against 0.65–0.79, 4 KiB 0.61–0.64 against 0.70–0.79.
        public var headRead: Int = 4 * 1024

        public init(loops: Int = URingEngine.defaultLoops) {
            self.loops = max(1, loops)
        }
    }

    /// One loop per core.
    public static var defaultLoops: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Why this process cannot run the engine (nil: it can). `force` makes the probe fail, for
    /// tests of the fallback.
    public static func unavailability(force: Bool = false) -> String? {
        var why = [CChar](repeating: 0, count: 256)
        let rc = mc_ring_probe(force ? UInt32(MC_PROBE_FORCE_FAIL) : 0, &why, why.count)
        guard rc != 0 else { return nil }
        return String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts the loops; throws when a ring cannot be set up (check ``unavailability(force:)``
    /// first to say why).
    public init(settings: Settings = Settings(), nio: NIOEngine = NIOEngine()) throws {
        // The loops are made by a static function, and every stored property is assigned after
        // it: swift-frontend 6.3.1 crashes (CopyPropagation, release builds) on a throwing
        // init that initialises an Atomic before a throwing call.
        let loops = try Self.makeLoops(settings)
        self.loops = loops
        self.nio = nio
        self.next = Atomic(0)
        for loop in loops { loop.start() }
    }

    private static func makeLoops(_ settings: Settings) throws -> [URingLoop] {
        var config = mc_loop_config()
        config.entries = 4096
        config.max_conns = UInt32(settings.maxConnectionsPerLoop)
        config.buf_size = UInt32(settings.bufferSize)
        config.buf_count = UInt32(settings.bufferCount)
        config.pipe_size = UInt32(settings.pipeSize)
        config.splice_min = UInt32(settings.spliceMin)
        config.head_read = UInt32(settings.headRead)
        var loops: [URingLoop] = []
        for i in 0..<settings.loops { loops.append(try URingLoop(index: i, config: config)) }
        return loops
    }

    /// Stops the loops' threads (connections still open are closed by ring.c).
    public func shutdown() {
        for loop in loops { loop.stop() }
    }

    /// The next loop, round-robin.
    func nextLoop() -> URingLoop {
        loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    // MARK: Engine

    public func listen(
        host: String,
        port: Int,
        limits: ListenerLimits,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener {
        let action = "listen on \(host):\(port)"
        let addresses = try SocketAddresses.resolve(host: host, port: port, passive: true, action: action)
        guard let address = addresses.first else { throw ConnectionError(.invalidArgument, "\(action): no address") }
        let fd = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(.io(errno: errno), action) }
        var one: CInt = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<CInt>.size))
        let bound = address.bytes.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw ConnectionError(.io(errno: code), action)
        }
        let listener = URingListener(engine: self, descriptor: fd, limits: limits, loop: loops[0])
        var logger = logger
        logger[metadataKey: "listener"] = "\(listener.localAddress)"
        logger.info("listening", metadata: ["engine": "uring"])
        listener.start(logger: logger, handler: handler)
        return listener
    }

    public func connect(host: String, port: Int, timeout: Duration) async throws -> any Connection {
        let action = "connect to \(host):\(port)"
        let addresses = try SocketAddresses.resolve(host: host, port: port, passive: false, action: action)
        let deadline = ContinuousClock.now + timeout
        var last: ConnectionError = ConnectionError(.refused, action)
        for address in addresses {
            let left = deadline - .now
            guard left > .zero else { throw ConnectionError(.timedOut, action) }
            do {
                return try await connect(to: address, timeout: left, action: action)
            } catch let error as ConnectionError {
                if error.code == .timedOut { throw error }
                last = error
            }
        }
        throw last
    }

    private func connect(to address: SocketAddresses.Resolved, timeout: Duration, action: String) async throws -> URingConnection {
        let fd = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(.io(errno: errno), action) }
        Self.tuneSocket(fd)
        let loop = Self.preferredLoop ?? nextLoop()
        let nanoseconds = timeout.clampedNanoseconds
        let slot: Int32 = try await withCheckedThrowingContinuation { continuation in
            loop.submit { loop in
                let slot = mc_loop_attach(loop.pointer, fd)
                guard slot >= 0 else {
                    _ = Glibc.close(fd)
                    return continuation.resume(throwing: Self.error(-slot, action))
                }
                let token = loop.register { event in
                    if event.result == 0 { return continuation.resume(returning: slot) }
                    let token = loop.register { _ in }
                    if mc_loop_close(loop.pointer, slot, token) < 0 { loop.unregister(token) }
                    switch -event.result {
                    case ECONNREFUSED: continuation.resume(throwing: ConnectionError(.refused, action))
                    case ETIME, ETIMEDOUT, ECANCELED: continuation.resume(throwing: ConnectionError(.timedOut, action))
                    default: continuation.resume(throwing: Self.error(-event.result, action))
                    }
                }
                let rc = address.bytes.withUnsafeBytes { raw in
                    mc_loop_connect(loop.pointer, slot, raw.baseAddress, UInt32(raw.count), nanoseconds, token)
                }
                if rc < 0 {
                    loop.unregister(token)
                    let closeToken = loop.register { _ in }
                    if mc_loop_close(loop.pointer, slot, closeToken) < 0 { loop.unregister(closeToken) }
                    continuation.resume(throwing: Self.error(-rc, action))
                }
            }
        }
        return URingConnection(engine: self, loop: loop, slot: slot, descriptor: fd)
    }

    // MARK: Helpers

    /// TCP_NODELAY, as the NIO engine sets.
    static func tuneSocket(_ fd: CInt) {
        var one: CInt = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size))
    }

    /// An errno from ring.c as a ``ConnectionError``. EBADF and EFAULT are bugs of this
    /// process, never the peer's doing (STYLE.md).
    static func error(_ code: Int32, _ action: String) -> ConnectionError {
        precondition(code != EBADF && code != EFAULT, "\(action): ring.c returned \(code == EBADF ? "EBADF" : "EFAULT")")
        switch code {
        case ECONNREFUSED: return ConnectionError(.refused, action)
        case ETIME, ETIMEDOUT: return ConnectionError(.timedOut, action)
        case EPIPE, ECONNRESET, ENOTCONN, ESHUTDOWN: return ConnectionError(.closed, action)
        default: return ConnectionError(.io(errno: code), action)
        }
    }
}
