import Foundation
import GRDB
import Synchronization

extension Spool {
    /// The owner key of a user's own mailboxes (`alice` → `user.alice`,
    /// `alice@example.com` → `example.com!user.alice`), with `.` in the id stored as `^`.
    public static func userOwnerKey(_ user: String) -> String {
        if let at = user.lastIndex(of: "@") {
            let local = user[..<at].replacingOccurrences(of: ".", with: "^")
            return String(user[user.index(after: at)...]) + "!user." + local
        }
        return "user." + user.replacingOccurrences(of: ".", with: "^")
    }

    /// The user whose \Seen an owner's message flags hold, the inverse of ``userOwnerKey(_:)``
    /// (`user.al^ice` → `al.ice`, `example.com!user.bob` → `bob@example.com`); nil for shared owners.
    public static func ownerUser(_ key: String) -> String? {
        let (domain, local) = splitDomain(key)
        guard local.hasPrefix("user."), local.count > 5 else { return nil }
        let id = local.dropFirst(5).replacingOccurrences(of: "^", with: ".")
        return domain.map { id + "@" + $0 } ?? id
    }

    /// Whether `user`'s \Seen lives in the message flags (their own mailbox) or in the
    /// per-user seen table (anyone else's, and shared mailboxes).
    func seenInFlags(_ user: String?, _ record: MailboxRecord) -> Bool {
        guard let user else { return true }
        return Self.userOwnerKey(user) == record.owner
    }

    // MARK: Staging and APPEND

    /// A temporary file for a message that will be appended to `mailbox`.
    public func stage(for mailbox: String) throws(SpoolError) -> StagedMessage {
        let (store, _) = try locate(mailbox)
        let path = store.folder + "/tmp/" + UUID().uuidString.lowercased() + ".tmp"
        return try StagedMessage(path: path, ownerKey: store.key, limit: options.maxMessageSize)
    }

    /// Appends sealed staged messages to a mailbox in one transaction (MULTIAPPEND is atomic):
    /// files are renamed into place, then the files and their folder are fsynced together, then
    /// the index commits. A crash before the commit leaves only files the index does not name,
    /// which start-up recovery removes; nothing reaches a client before the commit.
    ///
    /// - Throws: `nonexistent`, `overQuota`, `io`. On error nothing is visible and the staged
    ///   files are removed.
    public func append(_ mailbox: String, _ items: [AppendItem], user: String?) throws(SpoolError) -> AppendResult {
        let (store, record) = try locate(mailbox)
        if items.contains(where: { $0.staged.ownerKey != store.key || $0.staged.guid.isEmpty }) {
            for item in items { item.staged.discard() }
            throw SpoolError(.io, "message was not staged for \(mailbox) or not sealed")
        }
        let folder = store.mailboxFolder(record.uniqueID)
        let ownSeen = seenInFlags(user, record)
        var renamed: [String] = []
        do {
            let result = try store.write { db -> (AppendResult, UInt64) in
                let row = try Self.mailboxRow(db, mailbox)
                let id: Int64 = row["id"]
                var uid = UInt32(truncatingIfNeeded: row["uidnext"] as Int64)
                let modseq = UInt64(row["highestmodseq"] as Int64) + 1
                try checkQuota(db, store, adding: items.reduce(0) { $0 + $1.staged.size }, messages: items.count)
                let now = Int64(Date().timeIntervalSince1970)
                var uids: [UInt32] = []
                for item in items {
                    let path = folder + "/\(uid).eml"
                    try FileIO.rename(item.staged.path, path)
                    renamed.append(path)
                    var flags = FlagSet.canonical(item.flags)
                    let seen = FlagSet.contains(flags, "\\Seen")
                    if !ownSeen { flags.removeAll { $0 == "\\Seen" } }
                    let date = item.internalDate.map { Int64($0.timeIntervalSince1970) } ?? now
                    try Self.insertMessage(
                        db, mailbox: id,
                        MessageRecord(
                            uid: uid, modSeq: modseq, flags: flags, internalDate: date, zoneMinutes: item.zoneMinutes ?? 0,
                            size: item.staged.size, guid: item.staged.guid, savedDate: now
                        )
                    )
                    if seen, !ownSeen, let user {
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO seen (mailbox, user, uid) VALUES (?, ?, ?)")
                            .execute(arguments: [id, user, Int64(uid)])
                    }
                    uids.append(uid)
                    uid += 1
                }
                try FileIO.syncAll(files: renamed, folders: [folder])
                try db.cachedStatement(sql: "UPDATE mailbox SET uidnext = ?, highestmodseq = ? WHERE id = ?")
                    .execute(arguments: [Int64(uid), Int64(modseq), id])
                return (AppendResult(uidValidity: record.uidValidity, uids: uids), modseq)
            }
            for item in items { item.staged.adopted() }
            advanceCatalog(mailbox, uniqueID: record.uniqueID, uidNext: (result.0.uids.last ?? 0) + 1, highestModSeq: result.1)
            hub.post(record.uniqueID, result.1)
            return result.0
        } catch {
            // The transaction rolled back: take back the files renamed into place.
            for path in renamed { FileIO.remove(path) }
            for item in items { item.staged.discard() }
            throw Self.spoolError(error, "cannot append to \(mailbox)")
        }
    }

    static func spoolError(_ error: any Error, _ message: String) -> SpoolError {
        if let e = error as? SpoolError { return e }
        return SpoolError(.io, message, cause: error)
    }

    // MARK: Reading

    /// Every message of a mailbox with the flags `user` sees, by UID, and the mailbox record.
    public func messages(_ mailbox: String, user: String?) throws(SpoolError) -> (MailboxRecord, [MessageRecord]) {
        let (store, _) = try locate(mailbox)
        do {
            return try store.db.read { db in
                let row = try Self.mailboxRow(db, mailbox)
                let record = MailboxRecord(row: row, owner: store.key)
                let id: Int64 = row["id"]
                var messages = try snapshot(db, id, record)
                if !seenInFlags(user, record), let user {
                    try mergeSeen(db, id, user, &messages)
                }
                return (record, messages)
            }
        } catch {
            throw Self.spoolError(error, "cannot read \(mailbox)")
        }
    }

    /// Every entry of a mailbox, by UID. Large mailboxes are kept in memory keyed by their
    /// highest modseq (any change to an entry raises it), so selecting a 100,000-message mailbox
    /// again costs no index scan.
    func snapshot(_ db: Database, _ id: Int64, _ record: MailboxRecord) throws -> [MessageRecord] {
        if let hit = snapshots.withLock({ $0[record.uniqueID] }), hit.modSeq == record.highestModSeq {
            return hit.messages
        }
        var messages: [MessageRecord] = []
        let cursor = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT \(MessageRecord.columns) FROM message WHERE mailbox = ? ORDER BY uid"), arguments: [id]
        )
        while let row = try cursor.next() { messages.append(MessageRecord(columns: row)) }
        if messages.count >= Self.snapshotThreshold {
            snapshots.withLock { cache in
                if cache.count >= Self.snapshotLimit, let victim = cache.keys.first { cache[victim] = nil }
                cache[record.uniqueID] = (record.highestModSeq, messages)
            }
        }
        return messages
    }

    static let snapshotThreshold = 2000
    static let snapshotLimit = 16

    func mergeSeen(_ db: Database, _ id: Int64, _ user: String, _ messages: inout [MessageRecord]) throws {
        let seen = Set(
            try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT uid FROM seen WHERE mailbox = ? AND user = ?"), arguments: [id, user]
            )
                .map { UInt32(truncatingIfNeeded: $0) }
        )
        for i in messages.indices {
            messages[i].flags.removeAll { $0 == "\\Seen" }
            if seen.contains(messages[i].uid) { messages[i].flags = FlagSet.canonical(messages[i].flags + ["\\Seen"]) }
        }
    }

    /// Changes since `modSeq`: entries with a higher modseq and UIDs expunged after it.
    public func changes(_ mailbox: String, since modSeq: UInt64, user: String?) throws(SpoolError) -> MailboxChanges {
        let (store, _) = try locate(mailbox)
        do {
            return try store.db.read { db in
                let row = try Self.mailboxRow(db, mailbox)
                let record = MailboxRecord(row: row, owner: store.key)
                let id: Int64 = row["id"]
                hub.note(record.uniqueID, record.highestModSeq)
                // Nothing changed: the common case at every command completion.
                if record.highestModSeq <= modSeq {
                    return MailboxChanges(
                        highestModSeq: record.highestModSeq, uidNext: record.uidNext, changed: [], expunged: []
                    )
                }
                // By the modseq index, sorted here: with ORDER BY uid SQLite walks the whole
                // mailbox by its primary key instead.
                var changed = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM message INDEXED BY message_modseq WHERE mailbox = ? AND modseq > ?"),
                    arguments: [id, Int64(modSeq)]
                ).map(MessageRecord.init(row:)).sorted { $0.uid < $1.uid }
                if !seenInFlags(user, record), let user { try mergeSeen(db, id, user, &changed) }
                let expunged = try Int64.fetchAll(
                    db.cachedStatement(sql: "SELECT uid FROM expunged INDEXED BY expunged_modseq WHERE mailbox = ? AND modseq > ?"),
                    arguments: [id, Int64(modSeq)]
                ).map { UInt32(truncatingIfNeeded: $0) }.sorted()
                return MailboxChanges(
                    highestModSeq: record.highestModSeq, uidNext: record.uidNext, changed: changed, expunged: expunged
                )
            }
        } catch {
            throw Self.spoolError(error, "cannot read \(mailbox)")
        }
    }

    /// The path of a message's file (read it, or send it with a zero-copy file write).
    public func messagePath(_ record: MailboxRecord, uid: UInt32) -> String {
        ownerFolder(record.owner) + "/mbox/\(record.uniqueID)/\(uid).eml"
    }

    /// A message's bytes.
    public func messageBytes(_ record: MailboxRecord, uid: UInt32) throws(SpoolError) -> [UInt8] {
        try FileIO.read(messagePath(record, uid: uid))
    }

    /// STATUS counts for `user`.
    public func status(_ mailbox: String, user: String?) throws(SpoolError) -> MailboxStatus {
        let (record, messages) = try messages(mailbox, user: user)
        let (_, recentUID) = try recentState(mailbox)
        return MailboxStatus(
            messages: messages.count,
            recent: messages.filter { $0.uid > recentUID }.count,
            unseen: messages.filter { !$0.flags.contains("\\Seen") }.count,
            deleted: messages.filter { $0.flags.contains("\\Deleted") }.count,
            uidNext: record.uidNext, uidValidity: record.uidValidity, highestModSeq: record.highestModSeq,
            size: messages.reduce(0) { $0 + UInt64($1.size) }, mailboxID: record.uniqueID
        )
    }

    func recentState(_ mailbox: String) throws(SpoolError) -> (Int64, UInt32) {
        let (store, _) = try locate(mailbox)
        do {
            return try store.db.read { db in
                guard let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, recentuid FROM mailbox WHERE name = ?"), arguments: [mailbox]
                )
                else { throw SpoolError(.nonexistent, "mailbox does not exist") }
                return (row["id"], UInt32(truncatingIfNeeded: row["recentuid"] as Int64))
            }
        } catch {
            throw Self.spoolError(error, "cannot read \(mailbox)")
        }
    }

    /// RFC 3501 \Recent: the first read-write SELECT after messages arrive claims them. Returns
    /// the highest UID that was not recent before this call (messages above it are recent
    /// for this session).
    public func claimRecent(_ mailbox: String) throws(SpoolError) -> UInt32 {
        let (store, record) = try locate(mailbox)
        // Nothing arrived since the last claim: no write (and no fsync) for a plain SELECT.
        let (_, claimed) = try recentState(mailbox)
        if claimed >= record.uidNext &- 1 { return claimed }
        // A frozen owner (being moved) is read-only: SELECT still works, claiming nothing.
        if store.frozen.load(ordering: .acquiring) { return claimed }
        do {
            return try store.write { db in
                guard let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, recentuid, uidnext FROM mailbox WHERE name = ?"), arguments: [mailbox]
                )
                else { throw SpoolError(.nonexistent, "mailbox does not exist") }
                let old = row["recentuid"] as Int64
                try db.cachedStatement(sql: "UPDATE mailbox SET recentuid = ? WHERE id = ?")
                    .execute(arguments: [(row["uidnext"] as Int64) - 1, row["id"] as Int64])
                return UInt32(truncatingIfNeeded: old)
            }
        } catch {
            throw Self.spoolError(error, "cannot update \(mailbox)")
        }
    }
}

extension Spool {
    /// The size of a message's file, nil when it is gone (expunged past its grace period).
    public func messageSize(_ record: MailboxRecord, uid: UInt32) -> Int64? {
        FileIO.size(messagePath(record, uid: uid))
    }
}
