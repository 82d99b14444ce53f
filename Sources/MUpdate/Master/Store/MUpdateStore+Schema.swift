import Foundation
import GRDB

/// The store's tables (one SQLite file, WAL, `synchronous = FULL`):
///
///     meta      (name TEXT PRIMARY KEY, value TEXT)          epoch, sequence, logFloor
///     location  (id INTEGER PRIMARY KEY, text TEXT UNIQUE)   interned `server!partition`
///     mailbox   (key BLOB PRIMARY KEY, state, location, acl) one row per record, key = MUpdateKey
///     change    (seq INTEGER PRIMARY KEY, key BLOB, time)    the change log (SPEC.md §3.5)
///
/// `mailbox` is a WITHOUT ROWID table keyed by the dump-order key, so start-up reads it already
/// sorted. `location.id` is the in-memory ``MUpdateLocations`` number.
extension MUpdateStore {
    static let schemaVersion = "1"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS location (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS mailbox (
                    key BLOB PRIMARY KEY,
                    state INTEGER NOT NULL,
                    location INTEGER NOT NULL,
                    acl BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS change (seq INTEGER PRIMARY KEY, key BLOB NOT NULL, time INTEGER NOT NULL);
                INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', '\(schemaVersion)');
                INSERT OR IGNORE INTO meta (name, value) VALUES ('sequence', '0');
                INSERT OR IGNORE INTO meta (name, value) VALUES ('logFloor', '0');
                """)
        try db.execute(
            sql: "INSERT OR IGNORE INTO meta (name, value) VALUES ('epoch', ?)", arguments: [Self.newEpoch()])
        let schema = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'schema'")
        guard schema == schemaVersion else {
            throw MUpdateStoreError("unknown schema version \(schema ?? "nil") (expected \(schemaVersion))")
        }
    }

    /// 128 random bits as 32 hex digits.
    static func newEpoch() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next(), generator.next()] as [UInt64]
        return words.map { String(format: "%016llx", $0) }.joined()
    }

    static func meta(_ db: Database, _ name: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE name = ?", arguments: [name])
    }

    static func setMeta(_ db: Database, _ name: String, _ value: String) throws {
        try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE name = ?").execute(arguments: [value, name])
    }

    static func stateCode(_ state: MUpdateRecord.State) -> Int { state == .active ? 1 : 0 }

    /// Reads every record in key order and every location: the start-up load.
    static func load(_ db: Database) throws -> MUpdateIndex {
        var locations = MUpdateLocations()
        let rows = try Row.fetchCursor(db, sql: "SELECT id, text FROM location ORDER BY id")
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let text: String = row[1]
            guard let location = MailboxLocation(text), id == Int64(locations.count) else {
                throw MUpdateStoreError("location table damaged at id \(id) (\(text.debugDescription))")
            }
            _ = locations.id(for: location)
        }
        var entries: [MUpdateIndex.Entry] = []
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mailbox") ?? 0
        entries.reserveCapacity(count)
        let statement = try db.makeStatement(sql: "SELECT key, state, location, acl FROM mailbox ORDER BY key")
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            let key = try row.withUnsafeData(atIndex: 0) { $0.map { [UInt8]($0) } ?? [] }
            let state: Int64 = row[1]
            let location: Int64 = row[2]
            let acl = try row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } ?? [] }
            guard location >= 0, location < Int64(locations.count), !key.isEmpty else {
                throw MUpdateStoreError("mailbox row with a bad location \(location)")
            }
            entries.append(
                MUpdateIndex.Entry(
                    key: key, state: state == 1 ? .active : .reserved, location: UInt32(location), acl: acl))
        }
        return MUpdateIndex(sorted: entries, locations: locations)
    }
}

/// A failure of the store's database: the session answers `NO` and logs it.
public struct MUpdateStoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ message: String, cause: (any Error & Sendable)? = nil) {
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }
}
