import Foundation
import GRDB
import Synchronization

extension Spool {
    /// The quota root of a mailbox: its owner (a user, or a top-level shared mailbox).
    public static func quotaRoot(of name: String) -> String { owner(of: name) }

    func checkQuota(_ db: Database, _ store: OwnerStore, adding bytes: Int64, messages: Int) throws {
        guard let q = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT storage, messages FROM quota WHERE root = ?"), arguments: [store.key]
        )
        else { return }
        let used = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(SUM(size), 0) AS s, COUNT(*) AS n FROM message")
        )
        let usedBytes: Int64 = used?["s"] ?? 0
        let usedCount: Int64 = used?["n"] ?? 0
        if let storage = q["storage"] as Int64?, (usedBytes + bytes + 1023) / 1024 > storage {
            throw SpoolError(.overQuota, "over STORAGE quota of \(store.key)")
        }
        if let count = q["messages"] as Int64?, usedCount + Int64(messages) > count {
            throw SpoolError(.overQuota, "over MESSAGE quota of \(store.key)")
        }
    }

    /// The quota of a root, nil when the root has no limits set (and no mailboxes).
    public func quota(root: String) throws(SpoolError) -> Quota? {
        guard owners.withLock({ $0[root] }) != nil || catalog.withLock({ $0.values.contains { $0.owner == root } })
        else { return nil }
        let store = try openOwner(root)
        do {
            return try store.db.read { db in
                guard let q = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT storage, messages FROM quota WHERE root = ?"), arguments: [root]
                )
                else { return nil }
                let used = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT COALESCE(SUM(size), 0) AS s, COUNT(*) AS n FROM message")
                )
                return Quota(
                    root: root, storageLimitKiB: (q["storage"] as Int64?).map { UInt64($0) },
                    messageLimit: (q["messages"] as Int64?).map { UInt64($0) },
                    storageUsedBytes: UInt64(used?["s"] as Int64? ?? 0), messagesUsed: UInt64(used?["n"] as Int64? ?? 0)
                )
            }
        } catch {
            throw Self.spoolError(error, "cannot read quota of \(root)")
        }
    }

    /// Sets (or with both nil, removes) a root's limits. The root must own a mailbox.
    public func setQuota(root: String, storageKiB: UInt64?, messages: UInt64?) throws(SpoolError) {
        guard catalog.withLock({ $0.values.contains { $0.owner == root } }) else {
            throw SpoolError(.nonexistent, "no mailbox has quota root \(root)")
        }
        let store = try openOwner(root)
        do {
            try store.write { db in
                if storageKiB == nil && messages == nil {
                    try db.cachedStatement(sql: "DELETE FROM quota WHERE root = ?").execute(arguments: [root])
                } else {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO quota (root, storage, messages) VALUES (?, ?, ?)")
                        .execute(arguments: [root, storageKiB.map { Int64(clamping: $0) }, messages.map { Int64(clamping: $0) }])
                }
            }
        } catch {
            throw Self.spoolError(error, "cannot set quota of \(root)")
        }
    }
}

// MARK: - Subscriptions

extension Spool {
    /// A user's subscriptions, kept in their own index (empty when they have no mailboxes).
    public func subscriptions(user: String) -> [String] {
        guard let store = try? existingOwner(Self.userOwnerKey(user)) else { return [] }
        return (try? store.db.read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT name FROM subscription WHERE user = ? ORDER BY name"), arguments: [user]
            )
        }) ?? []
    }

    public func subscribe(user: String, _ name: String) throws(SpoolError) {
        try updateSubscription(user, name, sql: "INSERT OR IGNORE INTO subscription (user, name) VALUES (?, ?)")
    }

    public func unsubscribe(user: String, _ name: String) throws(SpoolError) {
        try updateSubscription(user, name, sql: "DELETE FROM subscription WHERE user = ? AND name = ?")
    }

    private func updateSubscription(_ user: String, _ name: String, sql: String) throws(SpoolError) {
        guard let store = try existingOwner(Self.userOwnerKey(user)) else {
            throw SpoolError(.nonexistent, "\(user) has no mailboxes on this server")
        }
        do {
            try store.write { db in try db.execute(sql: sql, arguments: [user, name]) }
        } catch {
            throw Self.spoolError(error, "cannot update subscriptions of \(user)")
        }
    }

    func existingOwner(_ key: String) throws(SpoolError) -> OwnerStore? {
        if let store = owners.withLock({ $0[key] }) { return store }
        guard FileIO.exists(ownerFolder(key) + "/index.sqlite") else { return nil }
        return try openOwner(key)
    }
}

// MARK: - Metadata (RFC 5464)

extension Spool {
    /// A server-wide store for entries of the empty mailbox name (server metadata).
    static let serverOwner = "%server"

    private func metadataStore(_ mailbox: String) throws(SpoolError) -> OwnerStore {
        if mailbox.isEmpty { return try openServerStore() }
        return try locate(mailbox).0
    }

    func openServerStore() throws(SpoolError) -> OwnerStore {
        let key = Self.serverOwner
        if let s = owners.withLock({ $0[key] }) { return s }
        let s = try OwnerStore(key: key, folder: root + "/server")
        return owners.withLock { owners in
            if let existing = owners[key] { return existing }
            owners[key] = s
            return s
        }
    }

    /// Entries of a mailbox ("" = the server) for `user` (private) or shared (user nil),
    /// optionally under the given prefixes (each entry and its descendants).
    public func metadata(_ mailbox: String, user: String?, entries: [String]) throws(SpoolError) -> [(String, [UInt8])] {
        let store = try metadataStore(mailbox)
        do {
            return try store.db.read { db in
                try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT entry, value FROM metadata WHERE mailbox = ? AND user = ? ORDER BY entry"),
                    arguments: [mailbox, user ?? ""]
                ).map { ($0["entry"] as String, [UInt8]($0["value"] as Data)) }
                    .filter { e in entries.isEmpty || entries.contains { Self.entry(e.0, isUnder: $0) } }
            }
        } catch {
            throw Self.spoolError(error, "cannot read metadata of \(mailbox)")
        }
    }

    /// Whether `entry` is `prefix` or one of its descendants (`/shared/a/b` under `/shared/a`,
    /// not `/shared/ab`), compared case-insensitively.
    static func entry(_ entry: String, isUnder prefix: String) -> Bool {
        let e = entry.lowercased()
        let p = prefix.lowercased()
        return e == p || e.hasPrefix(p.hasSuffix("/") ? p : p + "/")
    }

    /// Sets (value) or removes (nil) entries atomically.
    public func setMetadata(_ mailbox: String, user: String?, _ values: [(String, [UInt8]?)]) throws(SpoolError) {
        let store = try metadataStore(mailbox)
        do {
            try store.write { db in
                for (entry, value) in values {
                    if let value {
                        try db.cachedStatement(sql: "INSERT OR REPLACE INTO metadata (mailbox, user, entry, value) VALUES (?, ?, ?, ?)")
                            .execute(arguments: [mailbox, user ?? "", entry.lowercased(), Data(value)])
                    } else {
                        try db.cachedStatement(sql: "DELETE FROM metadata WHERE mailbox = ? AND user = ? AND entry = ?")
                            .execute(arguments: [mailbox, user ?? "", entry.lowercased()])
                    }
                }
            }
        } catch {
            throw Self.spoolError(error, "cannot write metadata of \(mailbox)")
        }
    }
}
