import Foundation
import GRDB
import Synchronization

/// How an UPDATE stream starts: what to send before the live changes.
public struct MUpdateStreamStart: Sendable {
    /// Receives every change committed after ``snapshot`` (and nothing before it).
    public let subscription: MUpdateSubscription
    /// The list as it stood when the subscription was registered.
    public let snapshot: MUpdateIndex
    /// Where ``snapshot`` stands.
    public let position: MUpdateStore.Position
    /// For `UPDATE SINCE` served from the log: the keys changed since the client's position, in
    /// the order of their last change, to be sent as their state in ``snapshot`` (or DELETE).
    /// nil means a full dump of ``snapshot``.
    public let backlog: [[UInt8]]?

    public init(
        subscription: MUpdateSubscription, snapshot: MUpdateIndex, position: MUpdateStore.Position, backlog: [[UInt8]]?
    ) {
        self.subscription = subscription
        self.snapshot = snapshot
        self.position = position
        self.backlog = backlog
    }
}

extension MUpdateStore {
    /// Registers a subscriber and takes a snapshot in one step, so that no change is lost or
    /// sent twice between the dump and the stream (SPEC.md §3.4).
    ///
    /// - Parameters:
    ///   - servers: PARTIAL-UPDATE server names (empty: every record); compared with the server
    ///     part of locations, ignoring ASCII case.
    ///   - since: `UPDATE SINCE`'s position: when it is this store's epoch and the log still
    ///     holds every later change, the start carries a backlog instead of a full dump.
    ///   - queueLimit: the subscriber's queue bound in bytes (see ``MUpdateSubscription``).
    public func subscribe(
        servers: [String] = [], since: Position? = nil, queueLimit: Int
    ) async throws(MUpdateStoreError) -> MUpdateStreamStart {
        let filter = servers.isEmpty ? nil : Set(servers.map { Array($0.utf8).map(MUpdateLocations.Info.lower) })
        let (subscription, snapshot, sequence, floor) = state.withLock { s in
            let subscription = MUpdateSubscription(id: s.nextSubscriber, limit: queueLimit, servers: filter)
            s.nextSubscriber += 1
            s.subscribers[subscription.id] = subscription
            return (subscription, s.index, s.sequence, s.logFloor)
        }
        let position = Position(epoch: epoch, sequence: sequence)
        let full = MUpdateStreamStart(subscription: subscription, snapshot: snapshot, position: position, backlog: nil)
        guard let since, let from = coverable(since, sequence: sequence, floor: floor, count: snapshot.count) else {
            return full
        }
        do {
            let keys = try await changedKeys(after: from, through: sequence)
            // The log may have been trimmed meanwhile.
            guard state.withLock({ $0.logFloor }) <= from else { return full }
            return MUpdateStreamStart(subscription: subscription, snapshot: snapshot, position: position, backlog: keys)
        } catch {
            unsubscribe(subscription)
            throw error
        }
    }

    /// Forgets `subscription` and closes it.
    public func unsubscribe(_ subscription: MUpdateSubscription) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        subscription.close()
    }

    /// Every change after `since`, each as the record's current state, in the order of the
    /// last change to each name; nil when the epoch differs or the log no longer holds
    /// `since.sequence + 1` (the caller then needs a full dump).
    public func changes(since: Position) async throws(MUpdateStoreError) -> [MUpdateChange]? {
        let (snapshot, sequence, floor) = state.withLock { ($0.index, $0.sequence, $0.logFloor) }
        guard let from = coverable(since, sequence: sequence, floor: floor, count: Int.max) else { return nil }
        let keys = try await changedKeys(after: from, through: sequence)
        guard state.withLock({ $0.logFloor }) <= from else { return nil }
        return keys.map { key in
            guard let entry = snapshot.entry(forKey: key) else {
                return MUpdateChange(
                    sequence: sequence, key: key, state: nil, location: nil, acl: [], previousServer: nil)
            }
            return MUpdateChange(
                sequence: sequence, key: key, state: entry.state, location: snapshot.locations[entry.location],
                acl: entry.acl, previousServer: nil)
        }
    }

    /// The sequence to resume after, when the log can serve `since`; nil for a full dump
    /// (another epoch, a trimmed log, a position from the future, or more changes than records).
    func coverable(_ since: Position, sequence: UInt64, floor: UInt64, count: Int) -> UInt64? {
        guard since.epoch == epoch, since.sequence >= floor, since.sequence <= sequence else { return nil }
        guard sequence - since.sequence <= UInt64(count) + 1024 else { return nil }
        return since.sequence
    }

    func changedKeys(after from: UInt64, through to: UInt64) async throws(MUpdateStoreError) -> [[UInt8]] {
        guard from < to else { return [] }
        do {
            return try await database.read { db in
                let rows = try Row.fetchCursor(
                    db,
                    sql:
                        "SELECT key, MAX(seq) AS last FROM change WHERE seq > ? AND seq <= ? GROUP BY key ORDER BY last",
                    arguments: [Int64(bitPattern: from), Int64(bitPattern: to)])
                var keys: [[UInt8]] = []
                while let row = try rows.next() {
                    keys.append(try row.withUnsafeData(atIndex: 0) { $0.map { [UInt8]($0) } ?? [] })
                }
                return keys
            }
        } catch {
            throw MUpdateStoreError("cannot read the change log", cause: error)
        }
    }
}
