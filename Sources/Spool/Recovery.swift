import CMurderSystem
import Foundation
import GRDB
import Logging
import Synchronization

/// What start-up recovery or `murder admin reconstruct` found and did.
public struct ReconstructReport: Sendable, CustomStringConvertible {
    public var owner: String
    public var mailboxes = 0
    public var messages = 0
    /// Files written but never committed (a crash between rename and commit): removed.
    public var orphanFilesRemoved = 0
    /// Index entries whose file is gone: turned into expunges, and logged as errors.
    public var missingFiles = 0
    /// Files found without an index entry and adopted (reconstruct only).
    public var filesAdopted = 0
    /// Mailbox folders without an index row: adopted (reconstruct) or removed (recovery).
    public var foldersAdopted = 0
    public var foldersRemoved = 0
    public var stagedRemoved = 0

    public var description: String {
        "\(owner): \(mailboxes) mailboxes, \(messages) messages; adopted \(filesAdopted) files and \(foldersAdopted) folders; "
            + "removed \(orphanFilesRemoved) uncommitted files, \(stagedRemoved) staged files, \(foldersRemoved) folders; "
            + "\(missingFiles) entries without a file"
    }
}

extension Spool {
    /// Start-up recovery of one owner: what a crash can leave behind is removed, so the index
    /// and the files agree. A message that got its OK is in the index and its file is in place;
    /// anything else (staged files, files renamed but not committed, folders of mailboxes
    /// whose creation or deletion did not complete) was never acknowledged.
    @discardableResult
    func recover(_ store: OwnerStore) throws(SpoolError) -> ReconstructReport {
        try reconcile(store, adopt: false)
    }

    /// Rebuilds an owner's index from its files: keeps the entries whose files exist, adopts
    /// files and mailbox folders the index does not know (flags empty, internal date from the
    /// file), and fixes UIDNEXT. If the index cannot be opened it is moved aside and rebuilt.
    public func reconstruct(owner key: String) throws(SpoolError) -> ReconstructReport {
        let folder = ownerFolder(key)
        guard FileIO.exists(folder) else { throw SpoolError(.nonexistent, "no owner \(key) in this spool") }
        // An index deleted under a running spool: the open store still reads the deleted file,
        // so close it and start a new index.
        if !FileIO.exists(folder + "/index.sqlite"), let stale = owners.withLock({ $0.removeValue(forKey: key) }) {
            try? stale.db.close()
            catalog.withLock { cat in cat = cat.filter { $0.value.owner != key } }
        }
        let store: OwnerStore
        do {
            store = try openOwner(key)
        } catch {
            logger.error("index of \(key) unreadable, rebuilding: \(error)")
            for suffix in ["", "-wal", "-shm"] {
                try? FileIO.rename(folder + "/index.sqlite" + suffix, folder + "/index.sqlite.broken" + suffix)
            }
            store = try openOwner(key)
        }
        let report = try reconcile(store, adopt: true)
        reloadCatalog(store)
        return report
    }

    private func reconcile(_ store: OwnerStore, adopt: Bool) throws(SpoolError) -> ReconstructReport {
        var report = ReconstructReport(owner: store.key)
        for name in FileIO.list(store.folder + "/tmp") {
            FileIO.remove(store.folder + "/tmp/" + name)
            report.stagedRemoved += 1
        }
        do {
            try store.db.write { db in
                var known: [String: Row] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM mailbox") { known[row["uniqueid"]] = row }
                for uniqueID in FileIO.list(store.folder + "/mbox") {
                    let folder = store.mailboxFolder(uniqueID)
                    var row = known[uniqueID]
                    if row == nil {
                        let name = (try? FileIO.read(folder + "/mailbox.name", limit: 4096))
                            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
                        guard adopt, let name, !name.isEmpty, Spool.owner(of: name) == store.key,
                            try Row.fetchOne(db, sql: "SELECT 1 FROM mailbox WHERE name = ?", arguments: [name]) == nil
                        else {
                            FileIO.removeTree(folder)
                            report.foldersRemoved += 1
                            continue
                        }
                        let owner = name.split(separator: ".").dropFirst().first.map(String.init)
                        let acl = name.hasPrefix("user.") && owner != nil ? "\(owner!)\tlrswipkxtecdan\t" : "anyone\tlrs\t"
                        try db.execute(
                            sql: """
                                INSERT INTO mailbox (name, uniqueid, uidvalidity, uidnext, highestmodseq, acl)
                                VALUES (?, ?, ?, 1, 1, ?)
                                """,
                            arguments: [name, uniqueID, Int64(nextUIDValidity()), acl]
                        )
                        row = try Row.fetchOne(db, sql: "SELECT * FROM mailbox WHERE uniqueid = ?", arguments: [uniqueID])
                        report.foldersAdopted += 1
                    }
                    guard let row else { continue }
                    known[uniqueID] = nil
                    try reconcileMailbox(db, store, row, folder, adopt: adopt, &report)
                }
                // Rows whose folder vanished entirely.
                for (_, row) in known {
                    let id: Int64 = row["id"]
                    let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE mailbox = ?", arguments: [id]) ?? 0
                    if count > 0 {
                        logger.error("mailbox \(row["name"] as String) of \(store.key) lost its folder with \(count) messages")
                        report.missingFiles += count
                        _ = try expungeInTransaction(db, row["name"], uids: try Int64.fetchAll(
                            db, sql: "SELECT uid FROM message WHERE mailbox = ?", arguments: [id]
                        ).map { UInt32(truncatingIfNeeded: $0) })
                    }
                    try FileIO.makeDirectories(store.mailboxFolder(row["uniqueid"]))
                    report.mailboxes += 1
                }
            }
        } catch {
            throw Self.spoolError(error, "cannot reconcile \(store.key)")
        }
        if report.orphanFilesRemoved + report.missingFiles + report.foldersRemoved + report.filesAdopted > 0 {
            logger.notice("recovery: \(report)")
        }
        return report
    }

    private func reconcileMailbox(
        _ db: Database, _ store: OwnerStore, _ row: Row, _ folder: String, adopt: Bool, _ report: inout ReconstructReport
    ) throws {
        let id: Int64 = row["id"]
        let name: String = row["name"]
        report.mailboxes += 1
        var indexed: [UInt32: Int64] = [:]
        for m in try Row.fetchAll(db, sql: "SELECT uid, size FROM message WHERE mailbox = ?", arguments: [id]) {
            indexed[UInt32(truncatingIfNeeded: m["uid"] as Int64)] = m["size"]
        }
        let tombstones = Set(
            try Int64.fetchAll(db, sql: "SELECT uid FROM expunged WHERE mailbox = ? AND removed = 0", arguments: [id])
                .map { UInt32(truncatingIfNeeded: $0) }
        )
        var files: [UInt32: String] = [:]
        for file in FileIO.list(folder) where file.hasSuffix(".eml") {
            // UID 4294967295 could never be followed by a UIDNEXT: such a file is left alone.
            if let uid = UInt32(file.dropLast(4)), uid > 0, uid < UInt32.max { files[uid] = folder + "/" + file }
        }
        var uidNext = UInt32(truncatingIfNeeded: row["uidnext"] as Int64)
        var modseq = UInt64(row["highestmodseq"] as Int64)
        var removed = false
        var adopted = 0
        for (uid, path) in files.sorted(by: { $0.key < $1.key }) where indexed[uid] == nil && !tombstones.contains(uid) {
            if adopt, let bytes = try? FileIO.read(path) {
                modseq += 1
                let date = Int64(FileIO.mtime(path) ?? Int64(Date().timeIntervalSince1970))
                try Self.insertMessage(
                    db, mailbox: id,
                    MessageRecord(
                        uid: uid, modSeq: modseq, flags: [], internalDate: date, zoneMinutes: 0, size: Int64(bytes.count),
                        guid: Self.sha1Hex(bytes), savedDate: date
                    )
                )
                uidNext = max(uidNext, uid + 1)
                adopted += 1
            } else {
                FileIO.remove(path)
                removed = true
                report.orphanFilesRemoved += 1
            }
        }
        if removed { try FileIO.syncDirectory(folder) }
        var missing: [UInt32] = []
        for (uid, _) in indexed where files[uid] == nil { missing.append(uid) }
        if !missing.isEmpty {
            logger.error("\(missing.count) messages of \(name) have no file; expunging their entries")
            report.missingFiles += missing.count
        }
        report.filesAdopted += adopted
        report.messages += indexed.count - missing.count + adopted
        if let maxUID = indexed.keys.max(), maxUID >= uidNext { uidNext = maxUID + 1 }
        try db.execute(
            sql: "UPDATE mailbox SET uidnext = ?, highestmodseq = ? WHERE id = ?",
            arguments: [Int64(uidNext), Int64(modseq), id]
        )
        if !missing.isEmpty { _ = try expungeInTransaction(db, name, uids: missing) }
    }

    static func sha1Hex(_ bytes: [UInt8]) -> String {
        guard let d = mc_sys_digest_new(Int32(MC_SYS_SHA1)) else { return "" }
        defer { mc_sys_digest_free(d) }
        _ = bytes.withUnsafeBytes { mc_sys_digest_update(d, $0.baseAddress, $0.count) }
        var out = [UInt8](repeating: 0, count: 32)
        let n = out.withUnsafeMutableBytes { mc_sys_digest_final(d, $0.baseAddress, 32) }
        return hex(out.prefix(max(0, Int(n))))
    }

    /// Lower-case hex of a digest: the form of a message GUID.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}
