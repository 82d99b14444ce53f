import Foundation
import GRDB
import Logging
import Synchronization

extension MUpdateStore {
    /// What one write does to the list, decided against the in-memory list.
    enum Plan: Sendable {
        case unchanged(MUpdateWriteOutcome)
        case put(MUpdateIndex.Entry)
        case remove([UInt8])
    }

    /// `RESERVE name location` (RFC 3656 §4.9, SPEC.md §3.3): an absent name becomes RESERVED;
    /// a name held at another location is refused; the same location changes nothing (a backend
    /// and its replica may both reserve).
    ///
    ///     C: X1 RESERVE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default
    ///     S: X1 OK "done"
    public func reserve(
        _ name: InternalMailboxName, at location: MailboxLocation
    ) async throws(MUpdateStoreError) -> MUpdateWriteOutcome {
        let key = try Self.checkedKey(name)
        return try await commit { index in
            if let existing = index.entry(forKey: key) {
                return index.locations[existing.location].location == location
                    ? .unchanged(.done) : .unchanged(.alreadyExists)
            }
            return .put(
                MUpdateIndex.Entry(key: key, state: .reserved, location: index.locations.id(for: location), acl: []))
        }
    }

    /// `ACTIVATE name location acl` (RFC 3656 §4.1): the record becomes ACTIVE there with that
    /// ACL, whether or not it existed.
    ///
    ///     C: X2 ACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t
    ///     S: X2 OK "done"
    public func activate(
        _ name: InternalMailboxName, at location: MailboxLocation, acl: CyrusACL
    ) async throws(MUpdateStoreError) -> MUpdateWriteOutcome {
        let key = try Self.checkedKey(name)
        let aclBytes = acl.bytes
        return try await commit { index in
            let entry = MUpdateIndex.Entry(
                key: key, state: .active, location: index.locations.id(for: location), acl: aclBytes)
            return index.entry(forKey: key) == entry ? .unchanged(.done) : .put(entry)
        }
    }

    /// `DEACTIVATE name location` (RFC 3656 §4.3): an ACTIVE record becomes RESERVED at
    /// `location` (its ACL goes); anything else is refused.
    ///
    ///     C: X3 DEACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default
    ///     S: X3 OK "done"
    public func deactivate(
        _ name: InternalMailboxName, at location: MailboxLocation
    ) async throws(MUpdateStoreError) -> MUpdateWriteOutcome {
        let key = try Self.checkedKey(name)
        return try await commit { index in
            guard let existing = index.entry(forKey: key), existing.state == .active else {
                return .unchanged(.notActive)
            }
            return .put(
                MUpdateIndex.Entry(key: key, state: .reserved, location: index.locations.id(for: location), acl: []))
        }
    }

    /// `DELETE name` (RFC 3656 §4.4); an unknown name is ``MUpdateWriteOutcome/doesNotExist``.
    ///
    ///     C: X4 DELETE {8+}\r\nuser.bob
    ///     S: X4 OK "done"
    public func delete(_ name: InternalMailboxName) async throws(MUpdateStoreError) -> MUpdateWriteOutcome {
        let key = try Self.checkedKey(name)
        return try await commit { index in
            index.entry(forKey: key) == nil ? .unchanged(.doesNotExist) : .remove(key)
        }
    }

    static func checkedKey(_ name: InternalMailboxName) throws(MUpdateStoreError) -> [UInt8] {
        guard name.isWellFormed else { throw MUpdateStoreError("not a well-formed mailbox name: \(name)") }
        return MUpdateKey.key(for: name)
    }

    /// Decides, commits durably, then applies and publishes, all on the writer queue.
    func commit(
        _ decide: @escaping @Sendable (inout MUpdateIndex) -> Plan
    ) async throws(MUpdateStoreError) -> MUpdateWriteOutcome {
        do {
            return try await database.writeWithoutTransaction { db in
                let (plan, sequence, locationText) = self.state.withLock { s -> (Plan, UInt64, String?) in
                    let plan = decide(&s.index)
                    var text: String?
                    if case .put(let entry) = plan { text = s.index.locations[entry.location].location.description }
                    return (plan, s.sequence + 1, text)
                }
                let key: [UInt8]
                switch plan {
                case .unchanged(let outcome): return outcome
                case .put(let entry): key = entry.key
                case .remove(let k): key = k
                }
                let now = Int64(Date().timeIntervalSince1970)
                try db.inTransaction {
                    switch plan {
                    case .put(let entry):
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO location (id, text) VALUES (?, ?)")
                            .execute(arguments: [Int64(entry.location), locationText])
                        try db.cachedStatement(
                            sql: "INSERT OR REPLACE INTO mailbox (key, state, location, acl) VALUES (?, ?, ?, ?)"
                        ).execute(arguments: [
                            Data(entry.key), Self.stateCode(entry.state), Int64(entry.location), Data(entry.acl),
                        ])
                    case .remove(let key):
                        try db.cachedStatement(sql: "DELETE FROM mailbox WHERE key = ?").execute(arguments: [Data(key)])
                    case .unchanged:
                        break
                    }
                    try db.cachedStatement(sql: "INSERT INTO change (seq, key, time) VALUES (?, ?, ?)")
                        .execute(arguments: [Int64(bitPattern: sequence), Data(key), now])
                    try Self.setMeta(db, "sequence", String(sequence))
                    return .commit
                }
                self.apply([plan], sequence: sequence)
                try self.trimIfDue(db)
                return .done
            }
        } catch let error as MUpdateStoreError {
            throw error
        } catch {
            logger.error("mailbox list write failed", metadata: ["error": "\(error)"])
            throw MUpdateStoreError("cannot write the mailbox list", cause: error)
        }
    }

    /// Applies committed plans to the in-memory list and publishes them, in order.
    func apply(_ plans: [Plan], sequence: UInt64) {
        state.withLock { s in
            var changes: [MUpdateChange] = []
            changes.reserveCapacity(plans.count)
            for plan in plans {
                switch plan {
                case .put(let entry):
                    let previous = s.index.set(entry)
                    changes.append(
                        MUpdateChange(
                            sequence: sequence, key: entry.key, state: entry.state,
                            location: s.index.locations[entry.location], acl: entry.acl,
                            previousServer: previous.map { s.index.locations[$0.location].server }))
                case .remove(let key):
                    let previous = s.index.remove(key: key)
                    changes.append(
                        MUpdateChange(
                            sequence: sequence, key: key, state: nil, location: nil, acl: [],
                            previousServer: previous.map { s.index.locations[$0.location].server }))
                case .unchanged:
                    break
                }
            }
            s.sequence = sequence
            guard !s.subscribers.isEmpty else { return }
            var dropped: [UInt64] = []
            for (id, subscriber) in s.subscribers {
                for change in changes where !subscriber.publish(change) {
                    dropped.append(id)
                    break
                }
            }
            for id in dropped { s.subscribers[id] = nil }
        }
    }

    /// Trims the change log every ``Retention/trimInterval`` commits: changes that are both
    /// more than ``Retention/minimumChanges`` behind and older than ``Retention/minimumAge``.
    func trimIfDue(_ db: Database) throws {
        let due = state.withLock { s -> UInt64? in
            s.commitsSinceTrim += 1
            guard s.commitsSinceTrim >= retention.trimInterval else { return nil }
            s.commitsSinceTrim = 0
            return s.sequence
        }
        guard let sequence = due, sequence > retention.minimumChanges else { return }
        let cutoff = Int64(Date().timeIntervalSince1970) - retention.minimumAge.components.seconds
        try db.execute(
            sql: "DELETE FROM change WHERE seq <= ? AND time <= ?",
            arguments: [Int64(bitPattern: sequence - retention.minimumChanges), cutoff])
        let first = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM change")
        let floor = first.map { UInt64($0) - 1 } ?? sequence
        state.withLock { $0.logFloor = max($0.logFloor, floor) }
    }

    /// Stores many records in one transaction (benchmarks, tests, imports): each becomes the
    /// given record, replacing any record of that name. The batch is one change numbered with
    /// one sequence; subscribers receive every record of it; the log does not list the names,
    /// so an `UPDATE SINCE` from before the batch gets a full dump.
    public func load(_ records: [MUpdateRecord]) async throws(MUpdateStoreError) {
        for record in records where !record.name.isWellFormed {
            throw MUpdateStoreError("not a well-formed mailbox name: \(record.name)")
        }
        do {
            try await database.writeWithoutTransaction { db in
                let (entries, texts, sequence) = self.state.withLock {
                    s -> ([MUpdateIndex.Entry], [(Int64, String)], UInt64) in
                    let before = s.index.locations.count
                    let entries = records.map { r in
                        MUpdateIndex.Entry(
                            key: MUpdateKey.key(for: r.name), state: r.state,
                            location: s.index.locations.id(for: r.location), acl: r.state == .active ? r.acl.bytes : [])
                    }
                    let texts = s.index.locations.infos[before...].enumerated().map {
                        (Int64(before + $0.offset), $0.element.location.description)
                    }
                    return (entries, texts, s.sequence + 1)
                }
                try db.inTransaction {
                    for (id, text) in texts {
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO location (id, text) VALUES (?, ?)")
                            .execute(arguments: [id, text])
                    }
                    let insert = try db.cachedStatement(
                        sql: "INSERT OR REPLACE INTO mailbox (key, state, location, acl) VALUES (?, ?, ?, ?)")
                    for entry in entries {
                        try insert.execute(arguments: [
                            Data(entry.key), Self.stateCode(entry.state), Int64(entry.location), Data(entry.acl),
                        ])
                    }
                    try Self.setMeta(db, "sequence", String(sequence))
                    try Self.setMeta(db, "logFloor", String(sequence))
                    return .commit
                }
                // A first load takes the sorted entries as they are instead of merging them in.
                let sorted = Self.lastOfEachKey(entries.sorted { MUpdateKey.less($0.key, $1.key) }, original: entries)
                let replaced = self.state.withLock { s -> Bool in
                    guard s.index.count == 0, s.subscribers.isEmpty else { return false }
                    s.index = MUpdateIndex(sorted: sorted, locations: s.index.locations)
                    s.sequence = sequence
                    s.logFloor = sequence
                    return true
                }
                if !replaced {
                    self.apply(entries.map { .put($0) }, sequence: sequence)
                    self.state.withLock { s in
                        s.index.merge()
                        s.logFloor = sequence
                    }
                }
            }
        } catch let error as MUpdateStoreError {
            throw error
        } catch {
            throw MUpdateStoreError("cannot load records into the mailbox list", cause: error)
        }
    }

    /// `sorted` without duplicate keys; where `original` names a key twice, its last entry wins.
    static func lastOfEachKey(_ sorted: [MUpdateIndex.Entry], original: [MUpdateIndex.Entry]) -> [MUpdateIndex.Entry] {
        var hasDuplicates = false
        for i in sorted.indices.dropFirst() where sorted[i].key == sorted[i - 1].key {
            hasDuplicates = true
            break
        }
        guard hasDuplicates else { return sorted }
        var last: [[UInt8]: MUpdateIndex.Entry] = [:]
        for entry in original { last[entry.key] = entry }
        return last.values.sorted { MUpdateKey.less($0.key, $1.key) }
    }
}
