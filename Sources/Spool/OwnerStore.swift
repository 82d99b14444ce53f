import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One owner's index (a user with all their folders, or one top-level shared mailbox tree):
/// an SQLite database in WAL mode with full synchronous commits, beside the owner's message
/// files. Writes are serialised by the database's writer, which is also what makes UID
/// allocation race-free.
///
///     <root>/owners/<owner>/index.sqlite
///     <root>/owners/<owner>/tmp/                   staged messages
///     <root>/owners/<owner>/mbox/<uniqueid>/<uid>.eml
///     <root>/owners/<owner>/mbox/<uniqueid>/mailbox.name   the mailbox's name (for reconstruct)
final class OwnerStore: Sendable {
    let key: String
    let folder: String
    let db: DatabasePool
    /// Set while the owner is being moved to another backend (XFER): every write fails with
    /// ``SpoolError/Code/moving``.
    let frozen = Atomic<Bool>(false)

    static let schemaVersion = 1

    /// A write transaction, refused while the owner is frozen. The check runs inside the
    /// transaction, so once ``Spool/freeze(owner:)`` has passed its barrier no write can commit.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try db.write { db in
            if frozen.load(ordering: .acquiring) { throw SpoolError(.moving, "mailbox is being moved") }
            return try updates(db)
        }
    }

    init(key: String, folder: String) throws(SpoolError) {
        self.key = key
        self.folder = folder
        try FileIO.makeDirectories(folder + "/tmp")
        try FileIO.makeDirectories(folder + "/mbox")
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            db = try DatabasePool(path: folder + "/index.sqlite", configuration: config)
            // After opening: a pool switches its writer to WAL with `synchronous = NORMAL`, which
            // leaves the last commits to the next checkpoint's sync. FULL syncs the WAL at every
            // commit, so an acknowledged APPEND survives a power loss. Only the writer commits.
            try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try db.write { db in try Self.migrate(db) }
        } catch {
            throw SpoolError(.io, "cannot open the index of \(key)", cause: error)
        }
    }

    func mailboxFolder(_ uniqueID: String) -> String { folder + "/mbox/" + uniqueID }
    func messagePath(_ uniqueID: String, _ uid: UInt32) -> String { folder + "/mbox/\(uniqueID)/\(uid).eml" }

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS mailbox (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    uniqueid TEXT NOT NULL UNIQUE,
                    uidvalidity INTEGER NOT NULL,
                    uidnext INTEGER NOT NULL,
                    highestmodseq INTEGER NOT NULL,
                    recentuid INTEGER NOT NULL DEFAULT 0,
                    acl TEXT NOT NULL,
                    specialuse TEXT NOT NULL DEFAULT '',
                    partition TEXT NOT NULL DEFAULT 'default'
                );
                CREATE TABLE IF NOT EXISTS message (
                    mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                    uid INTEGER NOT NULL,
                    modseq INTEGER NOT NULL,
                    flags TEXT NOT NULL,
                    internaldate INTEGER NOT NULL,
                    zone INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    guid TEXT NOT NULL,
                    savedate INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, uid)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS message_modseq ON message(mailbox, modseq);
                CREATE TABLE IF NOT EXISTS expunged (
                    mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                    uid INTEGER NOT NULL,
                    modseq INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    removed INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (mailbox, uid)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS expunged_modseq ON expunged(mailbox, modseq);
                CREATE TABLE IF NOT EXISTS seen (
                    mailbox INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                    user TEXT NOT NULL,
                    uid INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, user, uid)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS subscription (
                    user TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (user, name)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS quota (
                    root TEXT PRIMARY KEY,
                    storage INTEGER,
                    messages INTEGER
                );
                CREATE TABLE IF NOT EXISTS metadata (
                    mailbox TEXT NOT NULL,
                    user TEXT NOT NULL,
                    entry TEXT NOT NULL,
                    value BLOB NOT NULL,
                    PRIMARY KEY (mailbox, user, entry)
                ) WITHOUT ROWID;
                PRAGMA user_version = 1;
                """
        )
        try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
}

// MARK: - Rows

extension MailboxRecord {
    init(row: Row, owner: String) {
        let special: String = row["specialuse"]
        self.init(
            name: row["name"], uniqueID: row["uniqueid"],
            uidValidity: UInt32(truncatingIfNeeded: row["uidvalidity"] as Int64),
            uidNext: UInt32(truncatingIfNeeded: row["uidnext"] as Int64),
            highestModSeq: UInt64(row["highestmodseq"] as Int64),
            acl: row["acl"], specialUse: special.split(separator: " ").map(String.init),
            partition: row["partition"], owner: owner
        )
    }
}

extension MessageRecord {
    /// The columns ``init(columns:)`` reads, in its order.
    static let columns = "uid, modseq, flags, internaldate, zone, size, guid, savedate"

    /// From a row of ``columns``, by position (faster than by name for large mailboxes).
    init(columns row: Row) {
        let flags: String = row[2]
        self.init(
            uid: UInt32(truncatingIfNeeded: row[0] as Int64), modSeq: UInt64(row[1] as Int64),
            flags: flags.isEmpty ? [] : flags.split(separator: " ").map(String.init),
            internalDate: row[3], zoneMinutes: row[4], size: row[5], guid: row[6], savedDate: row[7]
        )
    }

    init(row: Row) {
        let flags: String = row["flags"]
        self.init(
            uid: UInt32(truncatingIfNeeded: row["uid"] as Int64),
            modSeq: UInt64(row["modseq"] as Int64),
            flags: flags.isEmpty ? [] : flags.split(separator: " ").map(String.init),
            internalDate: row["internaldate"], zoneMinutes: row["zone"], size: row["size"],
            guid: row["guid"], savedDate: row["savedate"]
        )
    }
}

/// Flags are stored as one space-separated string in a canonical order: system flags first,
/// then keywords as given (case kept), without duplicates (compared case-insensitively).
enum FlagSet {
    static let system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]

    static func canonical(_ flags: [String]) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for s in system where flags.contains(where: { $0.caseInsensitiveEquals(s) }) {
            out.append(s)
            seen.insert(s.lowercased())
        }
        for f in flags where !f.hasPrefix("\\") {
            if seen.insert(f.lowercased()).inserted { out.append(f) }
        }
        return out
    }

    static func contains(_ flags: [String], _ flag: String) -> Bool {
        flags.contains { $0.caseInsensitiveEquals(flag) }
    }

    static func apply(_ op: FlagOperation, _ given: [String], to current: [String]) -> [String] {
        switch op {
        case .replace: return canonical(given)
        case .add: return canonical(current + given)
        case .remove: return canonical(current.filter { c in !given.contains { $0.caseInsensitiveEquals(c) } })
        }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}

extension Spool {
    /// A mailbox's index row, or `nonexistent`.
    ///
    /// The hot statements of the spool are cached per database connection
    /// (`cachedStatement`): compiling one again at every command cost more CPU than running it.
    static func mailboxRow(_ db: Database, _ name: String) throws -> Row {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM mailbox WHERE name = ?"), arguments: [name]
        ) else {
            throw SpoolError(.nonexistent, "mailbox does not exist")
        }
        return row
    }
}

extension Spool {
    /// Adds a message's index entry; every path that creates one (APPEND, COPY, a move between
    /// owners, reconstruct) goes through here.
    static func insertMessage(_ db: Database, mailbox id: Int64, _ m: MessageRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO message (mailbox, uid, modseq, flags, internaldate, zone, size, guid, savedate)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                id, Int64(m.uid), Int64(m.modSeq), m.flags.joined(separator: " "), m.internalDate, m.zoneMinutes, m.size,
                m.guid, m.savedDate,
            ]
        )
    }
}
