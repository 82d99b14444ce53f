import Foundation
public import Logging
import Synchronization
public import Transport

/// A frontend's copy of the mailbox list, fed by an UPDATE stream from the master
/// (SPEC.md §4.2).
///
///     C: U01 UPDATE                                 (or UPDATE SINCE "<epoch>" "<seq>")
///     S: U01 MAILBOX {10+} … U01 RESERVE {12+} …    the dump, into a fresh map
///     S: U01 OK "streaming starts"                  the fresh map replaces the list at once
///     S: U01 DELETE {15+} …                         changes, applied as they come
///     C: N02 NOOP                                   heartbeat / freshness barrier
///     S: N02 OK "Noop done"
///
/// Lookups (``record(_:)``, ``records(withNamePrefix:)``, ``count``) are synchronous, cheap and
/// thread-safe, and keep answering from the last known list while the master is away. With a
/// folder, the list is kept on disk (``MUpdateListStore``) and served at once after a restart;
/// the replica then resumes with `UPDATE SINCE` when the master offers `X-UPDATE-SINCE`.
///
/// - SeeAlso: [RFC 3656 §4.11](https://www.rfc-editor.org/rfc/rfc3656#section-4.11)
public final class MUpdateListReplica: Sendable {
    public struct Settings: Sendable {
        public var client: MUpdateClientConfiguration
        /// Where the list is kept between runs; nil keeps it in memory only.
        public var folder: String?
        /// PARTIAL-UPDATE: only these servers' records (empty = all).
        public var servers: [String]
        /// A NOOP goes out this long after the previous one (SPEC.md §4.2: 20 s).
        public var heartbeatInterval: Duration
        /// No OK to a heartbeat (or no byte during a dump) within this: reconnect.
        public var heartbeatTimeout: Duration
        public var backoff: MUpdateBackoff
        /// How often queued changes are written to disk.
        public var flushInterval: Duration
        /// A persisted position older than this is not resumed (the master keeps 7 days of log).
        public var maxPositionAge: Duration

        public init(
            client: MUpdateClientConfiguration, folder: String? = nil, servers: [String] = [],
            heartbeatInterval: Duration = .seconds(20), heartbeatTimeout: Duration = .seconds(20),
            backoff: MUpdateBackoff = MUpdateBackoff(), flushInterval: Duration = .milliseconds(250),
            maxPositionAge: Duration = .seconds(6 * 86_400)
        ) {
            self.client = client
            self.folder = folder
            self.servers = servers
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatTimeout = heartbeatTimeout
            self.backoff = backoff
            self.flushInterval = flushInterval
            self.maxPositionAge = maxPositionAge
        }
    }

    struct Barrier {
        var continuation: CheckedContinuation<Bool, Never>
        var timeout: Task<Void, Never>?
    }

    struct State {
        var map: MUpdateListMap
        var position: MUpdateStreamPosition?
        /// A list is there to serve (from disk or from the master).
        var hasList: Bool
        /// The stream is past a complete dump and connected.
        var synced = false
        /// Completed dumps in this run (a reconnect that got this far resets the backoff).
        var dumps = 0
        var connection: MUpdateClientConnection?
        var barriers: [String: Barrier] = [:]
        var syncWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var observers: [Int: AsyncStream<MUpdateListChange>.Continuation] = [:]
        var nextID = 0
        var tasks: [Task<Void, Never>] = []
        var stopped = false
    }

    public let settings: Settings
    let engine: any Engine
    let logger: Logger
    let store: MUpdateListStore?
    let state: Mutex<State>

    /// Loads the persisted list (if `settings.folder` holds one) so that lookups answer at once;
    /// ``start()`` then connects.
    public init(settings: Settings, engine: any Engine, logger: Logger = Logger(label: "murder.mupdate.replica")) {
        self.settings = settings
        self.engine = engine
        self.logger = logger
        if let folder = settings.folder {
            let store = MUpdateListStore(folder: folder, logger: logger)
            let loaded = store.load()
            self.store = store
            state = Mutex(State(map: loaded.map, position: loaded.position, hasList: loaded.found))
            if loaded.found {
                logger.info(
                    "mupdate list loaded from disk",
                    metadata: ["records": "\(loaded.map.count)", "position": "\(loaded.position?.description ?? "-")"])
            }
        } else {
            store = nil
            state = Mutex(State(map: MUpdateListMap(), position: nil, hasList: false))
        }
    }

    // MARK: - Lifecycle

    /// Starts following the master (and writing the list to disk); returns at once.
    public func start() {
        state.withLock { state in
            guard state.tasks.isEmpty, !state.stopped else { return }
            state.tasks.append(Task { await self.run() })
            if store != nil { state.tasks.append(Task { await self.flushLoop() }) }
        }
    }

    /// Stops following, closes the connection and writes what is queued.
    public func stop() async {
        let (tasks, connection) = state.withLock { state in
            state.stopped = true
            defer { state.tasks = [] }
            return (state.tasks, state.connection)
        }
        for task in tasks { task.cancel() }
        await connection?.close()
        for task in tasks { await task.value }
        disconnected()
        store?.flush()
        let observers = state.withLock { state in
            defer { state.observers = [:] }
            return state.observers
        }
        for observer in observers.values { observer.finish() }
    }

    // MARK: - Lookups

    /// The record of `name`, from the last known list.
    public func record(_ name: InternalMailboxName) -> MUpdateRecord? {
        state.withLock { $0.map.record(name) }
    }

    /// The records whose internal name starts with `prefix` (all for an empty prefix), unordered
    /// (``MUpdateOrder`` sorts them).
    public func records(withNamePrefix prefix: [UInt8]) -> [MUpdateRecord] {
        state.withLock { $0.map.records(withNamePrefix: prefix) }
    }

    public func records(withNamePrefix prefix: String) -> [MUpdateRecord] { records(withNamePrefix: Array(prefix.utf8)) }

    /// Calls `body` with every record of a consistent copy of the list, outside the lock.
    public func forEachRecord(_ body: (MUpdateRecord) throws -> Void) rethrows {
        let map = state.withLock { $0.map }
        try map.forEach(body)
    }

    public var count: Int { state.withLock { $0.map.count } }

    /// True while connected and past a complete dump: lookups reflect the master (within the
    /// stream's delay).
    public var isSynced: Bool { state.withLock { $0.synced } }

    /// True when there is a list to serve: loaded from disk, or received from the master.
    public var hasList: Bool { state.withLock { $0.hasList } }

    /// The last `X-SEQ` applied.
    public var position: MUpdateStreamPosition? { state.withLock { $0.position } }

    /// Waits until ``isSynced`` (true) or `timeout` (false).
    public func waitUntilSynced(timeout: Duration) async -> Bool {
        let id = state.withLock { state -> Int? in
            guard !state.synced else { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return true }
        return await withCheckedContinuation { continuation in
            let registered = state.withLock { state -> Bool in
                guard !state.synced else { return false }
                state.syncWaiters[id] = continuation
                return true
            }
            guard registered else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: timeout)
                self.state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
    }

    /// The list's changes from now on. A reader that falls more than `bufferSize` changes
    /// behind loses the oldest.
    public func changes(bufferSize: Int = 10_000) -> AsyncStream<MUpdateListChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MUpdateListChange.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state -> Int? in
            guard !state.stopped else { return nil }
            state.nextID += 1
            state.observers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.observers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: - Freshness barrier

    /// Sends NOOP on the stream and returns true once its OK arrived, which means every change
    /// the master committed before it has been applied (SPEC.md §4.2); false when disconnected or
    /// after `timeout`. Call it before answering "no such mailbox".
    ///
    ///     C: N07 NOOP
    ///     S: U01 MAILBOX {10+} …        (applied first)
    ///     S: N07 OK "Noop done"         barrier() returns true
    ///
    /// - SeeAlso: [RFC 3656 §4.8](https://www.rfc-editor.org/rfc/rfc3656#section-4.8)
    public func barrier(timeout: Duration = .seconds(2)) async -> Bool {
        guard let connection = state.withLock({ $0.connection }) else { return false }
        let tag = await connection.makeTag(prefix: "N")
        return await withCheckedContinuation { continuation in
            let registered = state.withLock { state -> Bool in
                guard state.connection === connection else { return false }
                state.barriers[tag] = Barrier(continuation: continuation)
                return true
            }
            guard registered else { return continuation.resume(returning: false) }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                self.resolveBarrier(tag, false)
            }
            state.withLock { $0.barriers[tag]?.timeout = timer }
            Task {
                do {
                    try await connection.sendNoop(tag: tag)
                } catch {
                    self.resolveBarrier(tag, false)
                }
            }
        }
    }

    func resolveBarrier(_ tag: String, _ result: Bool) {
        guard let barrier = state.withLock({ $0.barriers.removeValue(forKey: tag) }) else { return }
        barrier.timeout?.cancel()
        barrier.continuation.resume(returning: result)
    }

    // MARK: - Internals

    func emit(_ changes: [MUpdateListChange]) {
        guard !changes.isEmpty else { return }
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers {
            for change in changes { observer.yield(change) }
        }
    }

    /// Forgets the connection: not synced, every pending barrier answers false.
    func disconnected() {
        let barriers = state.withLock { state in
            state.connection = nil
            state.synced = false
            defer { state.barriers = [:] }
            return state.barriers
        }
        for barrier in barriers.values {
            barrier.timeout?.cancel()
            barrier.continuation.resume(returning: false)
        }
    }

    func flushLoop() async {
        guard let store else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.flushInterval)
            store.flush()
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
