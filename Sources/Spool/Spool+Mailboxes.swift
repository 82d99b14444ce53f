import Foundation
import GRDB
import Synchronization

/// UIDVALIDITY values: the current time, strictly increasing within the process so a mailbox
/// deleted and re-created within one second still gets a new value.
private let lastUIDValidity = Atomic<UInt32>(0)

func nextUIDValidity() -> UInt32 {
    let now = UInt32(truncatingIfNeeded: Int64(Date().timeIntervalSince1970))
    while true {
        let last = lastUIDValidity.load(ordering: .relaxed)
        let next = max(now, last &+ 1)
        if lastUIDValidity.compareExchange(expected: last, desired: next, ordering: .relaxed).exchanged { return next }
    }
}

extension Spool {
    /// Creates a mailbox. `acl` is in Cyrus text form.
    ///
    /// - Throws: `alreadyExists`, `badName`, `io`.
    @discardableResult
    public func createMailbox(
        _ name: String, acl: String, specialUse: [String] = [], uniqueID: String? = nil, uidValidity: UInt32? = nil
    ) throws(SpoolError) -> MailboxRecord {
        try Self.validate(name)
        let store = try store(for: name)
        if mailbox(named: name) != nil { throw SpoolError(.alreadyExists, "mailbox already exists") }
        if store.frozen.load(ordering: .acquiring) { throw SpoolError(.moving, "mailbox is being moved") }
        let uniqueID = uniqueID ?? UUID().uuidString.lowercased()
        let validity = uidValidity ?? nextUIDValidity()
        try FileIO.makeDirectories(store.mailboxFolder(uniqueID))
        try FileIO.writeAtomically(store.mailboxFolder(uniqueID) + "/mailbox.name", Array((name + "\n").utf8))
        try FileIO.syncDirectory(store.folder + "/mbox")
        do {
            try store.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO mailbox (name, uniqueid, uidvalidity, uidnext, highestmodseq, acl, specialuse, partition)
                        VALUES (?, ?, ?, 1, 1, ?, ?, ?)
                        """,
                    arguments: [name, uniqueID, Int64(validity), acl, specialUse.joined(separator: " "), options.partition]
                )
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw SpoolError(.alreadyExists, "mailbox already exists")
        } catch {
            throw Self.spoolError(error, "cannot create \(name)")
        }
        refreshCatalog(store, [name])
        guard let record = mailbox(named: name) else { throw SpoolError(.io, "created mailbox vanished") }
        return record
    }

    /// Deletes a mailbox with its messages. Children are separate mailboxes (the caller decides
    /// about them). When an owner has no mailboxes left, its folder is removed.
    public func deleteMailbox(_ name: String) throws(SpoolError) {
        let (store, record) = try locate(name)
        do {
            try store.write { db in
                try db.execute(sql: "DELETE FROM mailbox WHERE name = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM metadata WHERE mailbox = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM subscription WHERE name = ?", arguments: [name])
            }
        } catch {
            throw Self.spoolError(error, "cannot delete \(name)")
        }
        catalog.withLock { _ = $0.removeValue(forKey: name) }
        hub.finish(record.uniqueID)
        FileIO.removeTree(store.mailboxFolder(record.uniqueID))
        try? FileIO.syncDirectory(store.folder + "/mbox")
        removeOwnerIfEmpty(store)
    }

    func removeOwnerIfEmpty(_ store: OwnerStore) {
        let count = (try? store.db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mailbox") ?? 0 }) ?? 1
        guard count == 0 else { return }
        owners.withLock { _ = $0.removeValue(forKey: store.key) }
        try? store.db.close()
        FileIO.removeTree(store.folder)
        try? FileIO.syncDirectory(root + "/owners")
    }

    /// Renames a mailbox. Within one owner the index row is renamed (files stay where they are,
    /// their folder is named by uniqueid); to another owner (e.g. `user.alice.x` → `shared.x`)
    /// the messages move with their flags: files are linked into the new owner first, its index
    /// committed, then the old mailbox removed. The uniqueid is kept; UIDVALIDITY is kept too.
    public func renameMailbox(_ from: String, to: String) throws(SpoolError) {
        try Self.validate(to)
        let (store, record) = try locate(from)
        if mailbox(named: to) != nil { throw SpoolError(.alreadyExists, "mailbox already exists") }
        let target = try self.store(for: to)
        if target === store {
            do {
                try store.write { db in
                    try db.execute(sql: "UPDATE mailbox SET name = ? WHERE name = ?", arguments: [to, from])
                    try db.execute(sql: "UPDATE metadata SET mailbox = ? WHERE mailbox = ?", arguments: [to, from])
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw SpoolError(.alreadyExists, "mailbox already exists")
            } catch {
                throw Self.spoolError(error, "cannot rename \(from)")
            }
            try FileIO.writeAtomically(store.mailboxFolder(record.uniqueID) + "/mailbox.name", Array((to + "\n").utf8))
            catalog.withLock { _ = $0.removeValue(forKey: from) }
            refreshCatalog(store, [to])
            hub.finish(record.uniqueID)
            return
        }
        try moveMailbox(record, from: store, to: target, newName: to)
    }

    private func moveMailbox(_ record: MailboxRecord, from store: OwnerStore, to target: OwnerStore, newName: String)
        throws(SpoolError)
    {
        let rows: [Row]
        let seenRows: [Row]
        let metadataRows: [Row]
        do {
            (rows, seenRows, metadataRows) = try store.db.read { db in
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM mailbox WHERE name = ?", arguments: [record.name])
                else { throw SpoolError(.nonexistent, "mailbox does not exist") }
                return (
                    try Row.fetchAll(db, sql: "SELECT * FROM message WHERE mailbox = ?", arguments: [id]),
                    try Row.fetchAll(db, sql: "SELECT user, uid FROM seen WHERE mailbox = ?", arguments: [id]),
                    try Row.fetchAll(
                        db, sql: "SELECT user, entry, value FROM metadata WHERE mailbox = ?", arguments: [record.name]
                    )
                )
            }
        } catch {
            throw Self.spoolError(error, "cannot read \(record.name)")
        }
        // \Seen lives in the flags for the owning user and in the seen table for everyone else;
        // the owning user changes with the owner.
        var seenBy: [Int64: Set<String>] = [:]
        for row in seenRows { seenBy[row["uid"], default: []].insert(row["user"]) }
        let fromUser = Self.ownerUser(store.key)
        let toUser = Self.ownerUser(target.key)
        let folder = target.mailboxFolder(record.uniqueID)
        try FileIO.makeDirectories(folder)
        for row in rows {
            let uid = UInt32(truncatingIfNeeded: row["uid"] as Int64)
            try FileIO.link(store.messagePath(record.uniqueID, uid), target.messagePath(record.uniqueID, uid))
        }
        try FileIO.writeAtomically(folder + "/mailbox.name", Array((newName + "\n").utf8))
        try FileIO.syncDirectory(folder)
        try FileIO.syncDirectory(target.folder + "/mbox")
        do {
            try target.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO mailbox (name, uniqueid, uidvalidity, uidnext, highestmodseq, acl, specialuse, partition)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        newName, record.uniqueID, Int64(record.uidValidity), Int64(record.uidNext),
                        Int64(record.highestModSeq), record.acl, record.specialUse.joined(separator: " "), record.partition,
                    ]
                )
                let id = db.lastInsertedRowID
                for row in rows {
                    let uid: Int64 = row["uid"]
                    var flags = (row["flags"] as String).split(separator: " ").map(String.init)
                    var users = seenBy[uid] ?? []
                    if let fromUser, flags.contains("\\Seen") {
                        users.insert(fromUser)
                        flags.removeAll { $0 == "\\Seen" }
                    }
                    if let toUser, users.remove(toUser) != nil { flags = FlagSet.canonical(flags + ["\\Seen"]) }
                    var moved = MessageRecord(row: row)
                    moved.flags = flags
                    try Self.insertMessage(db, mailbox: id, moved)
                    for user in users.sorted() {
                        try db.execute(
                            sql: "INSERT INTO seen (mailbox, user, uid) VALUES (?, ?, ?)", arguments: [id, user, uid]
                        )
                    }
                }
                for row in metadataRows {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO metadata (mailbox, user, entry, value) VALUES (?, ?, ?, ?)",
                        arguments: [newName, row["user"], row["entry"], row["value"]]
                    )
                }
            }
        } catch {
            FileIO.removeTree(folder)
            throw Self.spoolError(error, "cannot move \(record.name) to \(newName)")
        }
        refreshCatalog(target, [newName])
        // The old copy goes last: a crash before this leaves both, never neither.
        do {
            try store.write { db in
                try db.execute(sql: "DELETE FROM mailbox WHERE name = ?", arguments: [record.name])
                try db.execute(sql: "DELETE FROM metadata WHERE mailbox = ?", arguments: [record.name])
            }
        } catch {
            throw Self.spoolError(error, "cannot remove \(record.name) after moving it")
        }
        catalog.withLock { cat in
            if cat[record.name]?.owner == store.key { cat[record.name] = nil }
        }
        hub.finish(record.uniqueID)
        FileIO.removeTree(store.mailboxFolder(record.uniqueID))
        removeOwnerIfEmpty(store)
    }

    /// Replaces a mailbox's ACL (Cyrus text form).
    public func setACL(_ name: String, _ acl: String) throws(SpoolError) {
        try updateMailbox(name, sql: "UPDATE mailbox SET acl = ? WHERE name = ?", [acl, name])
    }

    /// Replaces a mailbox's special-use attributes.
    public func setSpecialUse(_ name: String, _ uses: [String]) throws(SpoolError) {
        try updateMailbox(name, sql: "UPDATE mailbox SET specialuse = ? WHERE name = ?", [uses.joined(separator: " "), name])
    }

    private func updateMailbox(_ name: String, sql: String, _ args: StatementArguments) throws(SpoolError) {
        let (store, _) = try locate(name)
        do {
            try store.write { db in try db.execute(sql: sql, arguments: args) }
        } catch {
            throw Self.spoolError(error, "cannot update \(name)")
        }
        refreshCatalog(store, [name])
    }
}
