import Foundation
import GRDB
import Synchronization

extension Spool {
    /// STORE: changes flags of the given UIDs (those that exist) for `user`. With
    /// `unchangedSince`, messages whose modseq is higher are left alone and reported (RFC 7162).
    /// Each changed message gets the new modseq; messages whose flags would not change keep
    /// theirs (and are not reported), as RFC 7162 §3.2 allows.
    public func store(
        _ mailbox: String, uids: [UInt32], _ op: FlagOperation, _ flags: [String], user: String?,
        unchangedSince: UInt64? = nil
    ) throws(SpoolError) -> StoreResult {
        let (store, record) = try locate(mailbox)
        let ownSeen = seenInFlags(user, record)
        let wanted = Set(uids)
        do {
            let (result, modseq) = try store.write { db -> (StoreResult, UInt64) in
                let row = try Self.mailboxRow(db, mailbox)
                let id: Int64 = row["id"]
                let modseq = UInt64(row["highestmodseq"] as Int64) + 1
                var messages = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM message WHERE mailbox = ? ORDER BY uid"), arguments: [id]
                ).map(MessageRecord.init(row:)).filter { wanted.contains($0.uid) }
                // The owner's \Seen is in the stored flags; another user's change must keep it.
                let ownerSeen = Set(messages.filter { $0.flags.contains("\\Seen") }.map(\.uid))
                if !ownSeen, let user { try mergeSeen(db, id, user, &messages) }
                var result = StoreResult(updated: [], modified: [])
                for var m in messages {
                    if let since = unchangedSince, m.modSeq > since {
                        result.modified.append(m.uid)
                        continue
                    }
                    let new = FlagSet.apply(op, flags, to: m.flags)
                    if new == m.flags { continue }
                    if !ownSeen, let user {
                        let hadSeen = m.flags.contains("\\Seen")
                        let hasSeen = new.contains("\\Seen")
                        if hadSeen != hasSeen {
                            try db.execute(
                                sql: hasSeen
                                    ? "INSERT OR IGNORE INTO seen (mailbox, user, uid) VALUES (?, ?, ?)"
                                    : "DELETE FROM seen WHERE mailbox = ? AND user = ? AND uid = ?",
                                arguments: [id, user, Int64(m.uid)]
                            )
                        }
                    }
                    let stored =
                        ownSeen
                        ? new
                        : FlagSet.canonical(new.filter { $0 != "\\Seen" } + (ownerSeen.contains(m.uid) ? ["\\Seen"] : []))
                    try db.cachedStatement(sql: "UPDATE message SET flags = ?, modseq = ? WHERE mailbox = ? AND uid = ?")
                        .execute(arguments: [stored.joined(separator: " "), Int64(modseq), id, Int64(m.uid)])
                    m.flags = new
                    m.modSeq = modseq
                    result.updated.append(m)
                }
                if !result.updated.isEmpty {
                    try db.cachedStatement(sql: "UPDATE mailbox SET highestmodseq = ? WHERE id = ?")
                        .execute(arguments: [Int64(modseq), id])
                }
                return (result, result.updated.isEmpty ? 0 : modseq)
            }
            if modseq > 0 {
                refreshCatalog(store, [mailbox])
                hub.post(record.uniqueID, modseq)
            }
            return result
        } catch {
            throw Self.spoolError(error, "cannot store flags in \(mailbox)")
        }
    }

    /// EXPUNGE: removes the given UIDs, or every message flagged \Deleted when `uids` is nil.
    /// Tombstones keep the UIDs for QRESYNC; the files stay for a grace period.
    @discardableResult
    public func expunge(_ mailbox: String, uids: [UInt32]?) throws(SpoolError) -> [UInt32] {
        let (store, record) = try locate(mailbox)
        do {
            let (gone, modseq) = try store.write { db -> ([UInt32], UInt64) in
                let r = try expungeInTransaction(db, mailbox, uids: uids)
                return r
            }
            if !gone.isEmpty {
                refreshCatalog(store, [mailbox])
                hub.post(record.uniqueID, modseq)
            }
            return gone
        } catch {
            throw Self.spoolError(error, "cannot expunge \(mailbox)")
        }
    }

    func expungeInTransaction(_ db: Database, _ mailbox: String, uids: [UInt32]?) throws -> ([UInt32], UInt64) {
        let row = try Self.mailboxRow(db, mailbox)
        let id: Int64 = row["id"]
        let modseq = UInt64(row["highestmodseq"] as Int64) + 1
        let candidates = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT uid, flags FROM message WHERE mailbox = ?"), arguments: [id]
        )
        let wanted = uids.map(Set.init)
        var gone: [UInt32] = []
        for c in candidates {
            let uid = UInt32(truncatingIfNeeded: c["uid"] as Int64)
            let flags: String = c["flags"]
            if let wanted {
                if !wanted.contains(uid) { continue }
            } else if !flags.split(separator: " ").contains("\\Deleted") {
                continue
            }
            gone.append(uid)
        }
        gone.sort()
        guard !gone.isEmpty else { return ([], 0) }
        let now = Int64(Date().timeIntervalSince1970)
        for uid in gone {
            try db.cachedStatement(sql: "DELETE FROM message WHERE mailbox = ? AND uid = ?")
                .execute(arguments: [id, Int64(uid)])
            try db.cachedStatement(sql: "DELETE FROM seen WHERE mailbox = ? AND uid = ?")
                .execute(arguments: [id, Int64(uid)])
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO expunged (mailbox, uid, modseq, at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [id, Int64(uid), Int64(modseq), now])
        }
        try db.cachedStatement(sql: "UPDATE mailbox SET highestmodseq = ? WHERE id = ?")
            .execute(arguments: [Int64(modseq), id])
        return (gone, modseq)
    }

    /// COPY (and MOVE with `move: true`) of UIDs to another mailbox on this backend. Files are
    /// hard-linked, never copied. The destination commits before the source is expunged, so a
    /// crash in between leaves the messages in both, never in neither.
    public func copy(
        _ source: String, uids: [UInt32], to destination: String, user: String?, move: Bool = false
    ) throws(SpoolError) -> CopyResult {
        let (srcStore, srcRecord) = try locate(source)
        let (dstStore, dstRecord) = try locate(destination)
        let (_, messages) = try self.messages(source, user: user)
        let wanted = Set(uids)
        let chosen = messages.filter { wanted.contains($0.uid) }
        guard !chosen.isEmpty else {
            return CopyResult(uidValidity: dstRecord.uidValidity, sourceUIDs: [], destinationUIDs: [], expunged: [])
        }
        let ownSeen = seenInFlags(user, dstRecord)
        let folder = dstStore.mailboxFolder(dstRecord.uniqueID)
        var linked: [String] = []
        let result: CopyResult
        let dstModSeq: UInt64
        do {
            (result, dstModSeq) = try dstStore.write { db -> (CopyResult, UInt64) in
                let row = try Self.mailboxRow(db, destination)
                let id: Int64 = row["id"]
                var uid = UInt32(truncatingIfNeeded: row["uidnext"] as Int64)
                let modseq = UInt64(row["highestmodseq"] as Int64) + 1
                if srcStore !== dstStore || !move {
                    try checkQuota(db, dstStore, adding: chosen.reduce(0) { $0 + $1.size }, messages: chosen.count)
                }
                let now = Int64(Date().timeIntervalSince1970)
                var dstUIDs: [UInt32] = []
                for m in chosen {
                    let path = folder + "/\(uid).eml"
                    try FileIO.link(srcStore.messagePath(srcRecord.uniqueID, m.uid), path)
                    linked.append(path)
                    var flags = m.flags
                    if !ownSeen { flags.removeAll { $0 == "\\Seen" } }
                    var copied = m
                    (copied.uid, copied.modSeq, copied.flags, copied.savedDate) = (uid, modseq, flags, now)
                    try Self.insertMessage(db, mailbox: id, copied)
                    if !ownSeen, m.flags.contains("\\Seen"), let user {
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO seen (mailbox, user, uid) VALUES (?, ?, ?)")
                            .execute(arguments: [id, user, Int64(uid)])
                    }
                    dstUIDs.append(uid)
                    uid += 1
                }
                try FileIO.syncDirectory(folder)
                try db.cachedStatement(sql: "UPDATE mailbox SET uidnext = ?, highestmodseq = ? WHERE id = ?")
                    .execute(arguments: [Int64(uid), Int64(modseq), id])
                return (
                    CopyResult(
                        uidValidity: dstRecord.uidValidity, sourceUIDs: chosen.map(\.uid), destinationUIDs: dstUIDs,
                        expunged: []
                    ), modseq
                )
            }
        } catch {
            for path in linked { FileIO.remove(path) }
            throw Self.spoolError(error, "cannot copy to \(destination)")
        }
        refreshCatalog(dstStore, [destination])
        hub.post(dstRecord.uniqueID, dstModSeq)
        guard move else { return result }
        var moved = result
        moved.expunged = try expunge(source, uids: result.sourceUIDs)
        return moved
    }

    /// Removes files of messages expunged longer ago than the grace period.
    public func cleanExpunged(now: Int64? = nil) {
        let now = now ?? Int64(Date().timeIntervalSince1970)
        let stores = owners.withLock { Array($0.values) }
        for store in stores {
            let due = (try? store.db.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT e.mailbox AS mailbox, e.uid AS uid, b.uniqueid AS uniqueid FROM expunged e
                        JOIN mailbox b ON b.id = e.mailbox WHERE e.removed = 0 AND e.at < ?
                        """,
                    arguments: [now - options.expungedFileGrace]
                )
            }) ?? []
            guard !due.isEmpty else { continue }
            for row in due {
                FileIO.remove(store.messagePath(row["uniqueid"], UInt32(truncatingIfNeeded: row["uid"] as Int64)))
            }
            try? store.write { db in
                for row in due {
                    try db.cachedStatement(sql: "UPDATE expunged SET removed = 1 WHERE mailbox = ? AND uid = ?")
                        .execute(arguments: [row["mailbox"] as Int64, row["uid"] as Int64])
                }
            }
        }
    }
}
