import Foundation
import GRDB
public import Logging
import Synchronization

/// The master's authoritative mailbox list (SPEC.md §2): SQLite on disk, through GRDB, in WAL
/// mode with `synchronous = FULL`, so a write that returned is durable (reservations included);
/// and the whole list in memory (``MUpdateIndex``), so FIND, LIST and UPDATE never touch SQLite.
///
///     let store = try await MUpdateStore.open(path: "/var/lib/murder/mupdate.sqlite")
///     try await store.reserve("user.bob", at: location)        // .done
///     try await store.activate("user.bob", at: location, acl: acl)
///     store.find("user.bob")                                   // MUpdateRecord, ACTIVE
///
/// Every committed change gets the next ``sequence`` and goes to the change log and to every
/// subscriber (``subscribe(servers:since:queueLimit:)``), in commit order, from inside the
/// commit's serial section and without waiting for any subscriber. The store's ``epoch`` is a
/// random id made when the database is created; with the sequence it names a point of the
/// list's history (SPEC.md §3.5). The log keeps at least ``Retention/minimumChanges`` changes
/// or ``Retention/minimumAge`` of them, whichever is more; older ones are trimmed every
/// ``Retention/trimInterval`` commits.
///
/// Writes run on GRDB's writer queue, one at a time: each decides against the in-memory list,
/// commits, then applies and publishes; so decisions, commits, sequence numbers and published
/// order all agree.
///
/// - SeeAlso: [RFC 3656 §4](https://www.rfc-editor.org/rfc/rfc3656#section-4)
public final class MUpdateStore: Sendable {
    /// How much of the change log to keep (SPEC.md §3.5).
    public struct Retention: Sendable, Hashable {
        public var minimumChanges: UInt64
        public var minimumAge: Duration
        /// Commits between two trims.
        public var trimInterval: Int

        public init(
            minimumChanges: UInt64 = 1_000_000, minimumAge: Duration = .seconds(7 * 24 * 3600),
            trimInterval: Int = 10_000
        ) {
            self.minimumChanges = minimumChanges
            self.minimumAge = minimumAge
            self.trimInterval = max(1, trimInterval)
        }
    }

    /// A point in the list's history: `UPDATE SINCE "<epoch>" "<seq>"`.
    public struct Position: Sendable, Hashable, CustomStringConvertible {
        public var epoch: String
        public var sequence: UInt64

        public init(epoch: String, sequence: UInt64) {
            self.epoch = epoch
            self.sequence = sequence
        }

        public var description: String { "\(epoch)/\(sequence)" }
    }

    struct State {
        var index: MUpdateIndex
        var sequence: UInt64
        /// Every change numbered above this is in the log.
        var logFloor: UInt64
        var subscribers: [UInt64: MUpdateSubscription] = [:]
        var nextSubscriber: UInt64 = 1
        var commitsSinceTrim = 0
    }

    public let path: String
    /// The random id of this store, fixed when the database was created.
    public let epoch: String
    public let retention: Retention
    let database: DatabasePool
    let state: Mutex<State>
    let logger: Logger

    init(path: String, epoch: String, retention: Retention, database: DatabasePool, state: State, logger: Logger) {
        self.path = path
        self.epoch = epoch
        self.retention = retention
        self.database = database
        self.state = Mutex(state)
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path` and loads the list into memory.
    public static func open(
        path: String, retention: Retention = Retention(),
        logger: Logger = Logger(label: "murder.mupdate.store")
    ) async throws(MUpdateStoreError) -> MUpdateStore {
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            let database = try DatabasePool(path: path, configuration: config)
            // After opening: a pool sets its writer to `synchronous = NORMAL`; FULL syncs the WAL
            // at every commit, so an acknowledged change survives a power loss.
            try await database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try await database.write { db in try migrate(db) }
            let started = ContinuousClock.now
            let (epoch, state) = try await database.read { db -> (String, State) in
                let epoch = try meta(db, "epoch") ?? ""
                let sequence = UInt64(try meta(db, "sequence") ?? "0") ?? 0
                var floor = UInt64(try meta(db, "logFloor") ?? "0") ?? 0
                if let first = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM change"), first > 0 {
                    floor = max(floor, UInt64(first) - 1)
                } else {
                    floor = sequence
                }
                return (epoch, State(index: try load(db), sequence: sequence, logFloor: floor))
            }
            logger.info(
                "mailbox list loaded",
                metadata: [
                    "records": "\(state.index.count)", "sequence": "\(state.sequence)", "epoch": "\(epoch)",
                    "elapsed": "\(ContinuousClock.now - started)",
                ])
            return MUpdateStore(
                path: path, epoch: epoch, retention: retention, database: database, state: state, logger: logger)
        } catch let error as MUpdateStoreError {
            throw error
        } catch {
            throw MUpdateStoreError("cannot open the mailbox list \(path)", cause: error)
        }
    }

    // MARK: Reading

    /// The number of the last committed change.
    public var sequence: UInt64 { state.withLock { $0.sequence } }

    /// Where the list stands now.
    public var position: Position { Position(epoch: epoch, sequence: sequence) }

    /// How many records the list holds.
    public var count: Int { state.withLock { $0.index.count } }

    /// A consistent copy of the whole list, in O(1).
    public func snapshot() -> MUpdateIndex { state.withLock { $0.index } }

    /// `FIND name` (SPEC.md §3.3).
    public func find(_ name: InternalMailboxName) -> MUpdateRecord? { snapshot().record(named: name) }

    /// `LIST [prefix]`: every record whose location text starts with `prefix`, in dump order.
    public func list(prefix: String?) -> [MUpdateRecord] {
        let index = snapshot()
        let matches = prefix.map { index.locations.matching(prefix: Array($0.utf8)) }
        var out: [MUpdateRecord] = []
        var cursor = index.makeCursor()
        while let entry = cursor.next() {
            if let matches, !matches[Int(entry.location)] { continue }
            out.append(index.record(for: entry))
        }
        return out
    }

    /// How many subscribers are registered (for tests and metrics).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
