public import Logging
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A backend's store: every owner's index and message files under one root folder, and an
/// in-memory catalog of all mailboxes (name → owner, uniqueid, ACL) built at start-up.
///
/// The spool knows nothing of IMAP sessions. Names are internal names (`user.alice.Sent`);
/// flags are strings; ACLs are Cyrus's text form. Every change is durable before the call
/// returns: message files are fsynced and renamed into place, their folder fsynced, and the
/// index committed with `synchronous = FULL`.
public final class Spool: Sendable {
    public struct Options: Sendable {
        /// Largest message accepted (APPENDLIMIT).
        public var maxMessageSize: Int64 = 64 << 20
        /// Files of expunged messages are kept this long so sessions that still show the
        /// message can fetch it (RFC 2180 §4.1), then removed.
        public var expungedFileGrace: Int64 = 600
        public var partition = "default"
        public init() {}
    }

    public let root: String
    public let options: Options
    let logger: Logger
    let owners = Mutex<[String: OwnerStore]>([:])
    let catalog = Mutex<[String: MailboxRecord]>([:])
    let hub = ChangeHub()
    /// Owners moved to another backend by an XFER since start-up: their names answer
    /// ``SpoolError/Code/moving`` instead of being created here again.
    let movedAway = Mutex<Set<String>>([])
    /// Entries of large mailboxes by uniqueid, with the modseq they were read at.
    let snapshots = Mutex<[String: (modSeq: UInt64, messages: [MessageRecord])]>([:])

    /// Opens (creating if needed) the spool at `root` and runs start-up recovery on every owner.
    public init(root: String, options: Options = Options(), logger: Logger = Logger(label: "murder.spool")) throws {
        self.root = root
        self.options = options
        self.logger = logger
        try FileIO.makeDirectories(root + "/owners")
        // Copies staged by an XFER that never committed: the source still has everything.
        FileIO.removeTree(root + "/xfer")
        for dir in FileIO.list(root + "/owners").sorted() {
            guard let key = Self.ownerKey(folder: dir) else { continue }
            // Without its index an owner's folders would all look uncommitted and recovery
            // would remove them: rebuild the index from the files instead.
            guard FileIO.exists(ownerFolder(key) + "/index.sqlite") else {
                logger.error("index of \(key) is missing, rebuilding it from the message files")
                _ = try reconstruct(owner: key)
                continue
            }
            let store = try openOwner(key)
            try recover(store)
            reloadCatalog(store)
        }
    }

    // MARK: Owners

    /// The owner key of an internal name: `user.alice` for `user.alice.Sent` (with a virtual
    /// domain prefix kept: `example.com!user.alice`), the first component otherwise.
    public static func owner(of name: String) -> String {
        let (domain, local) = splitDomain(name)
        let parts = local.split(separator: ".", omittingEmptySubsequences: false)
        let key = parts.first == "user" && parts.count >= 2 ? "user." + parts[1] : String(parts.first ?? "")
        return domain.map { $0 + "!" + key } ?? key
    }

    static func splitDomain(_ name: String) -> (String?, Substring) {
        if let bang = name.firstIndex(of: "!") {
            return (String(name[..<bang]), name[name.index(after: bang)...])
        }
        return (nil, name[...])
    }

    /// Folder names are the owner key with everything outside `[A-Za-z0-9._@!^-]` percent-encoded.
    static func folderName(_ key: String) -> String {
        var out = ""
        for b in key.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "@"),
                UInt8(ascii: "!"), UInt8(ascii: "^"), UInt8(ascii: "-"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out.hasPrefix(".") ? "%2E" + out.dropFirst() : out
    }

    static func ownerKey(folder: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(folder.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else {
                    return nil
                }
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    func ownerFolder(_ key: String) -> String { root + "/owners/" + Self.folderName(key) }

    /// The owner's store, opened on first use.
    func openOwner(_ key: String) throws(SpoolError) -> OwnerStore {
        if let store = owners.withLock({ $0[key] }) { return store }
        if movedAway.withLock({ $0.contains(key) }) {
            throw SpoolError(.moving, "\(key) was moved to another server")
        }
        let store = try OwnerStore(key: key, folder: ownerFolder(key))
        let records: [MailboxRecord]
        do {
            records = try store.db.read { db in
                try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM mailbox")
                ).map { MailboxRecord(row: $0, owner: key) }
            }
        } catch {
            throw SpoolError(.io, "cannot read the mailboxes of \(key)", cause: error)
        }
        return owners.withLock { owners in
            if let existing = owners[key] { return existing }
            owners[key] = store
            catalog.withLock { cat in for r in records { cat[r.name] = r } }
            return store
        }
    }

    func store(for name: String) throws(SpoolError) -> OwnerStore { try openOwner(Self.owner(of: name)) }

    /// The store and the mailbox's database id, or `nonexistent`.
    func locate(_ name: String) throws(SpoolError) -> (OwnerStore, MailboxRecord) {
        guard let record = catalog.withLock({ $0[name] }) else {
            throw SpoolError(.nonexistent, "mailbox does not exist")
        }
        return (try openOwner(record.owner), record)
    }

    // MARK: Catalog

    /// Every mailbox, sorted by name.
    public func mailboxes() -> [MailboxRecord] {
        catalog.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    public func mailbox(named name: String) -> MailboxRecord? {
        catalog.withLock { $0[name] }
    }

    /// Refreshes a mailbox's catalog entry from its index after a change.
    func refreshCatalog(_ store: OwnerStore, _ names: [String]) {
        let rows = (try? store.db.read { db in
            try names.compactMap { name in
                try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM mailbox WHERE name = ?"), arguments: [name])
            }.map { MailboxRecord(row: $0, owner: store.key) }
        }) ?? []
        catalog.withLock { cat in
            for name in names { cat[name] = nil }
            for r in rows { cat[r.name] = r }
        }
    }

    /// Moves a catalog entry's UIDNEXT and HIGHESTMODSEQ forward after a commit that changed only
    /// those (an APPEND), without reading the row back. Never moves them back: a later commit's
    /// values may have been written first.
    func advanceCatalog(_ name: String, uniqueID: String, uidNext: UInt32, highestModSeq: UInt64) {
        catalog.withLock { cat in
            guard var record = cat[name], record.uniqueID == uniqueID else { return }
            record.uidNext = max(record.uidNext, uidNext)
            record.highestModSeq = max(record.highestModSeq, highestModSeq)
            cat[name] = record
        }
    }

    /// Replaces the catalog entries of an owner with what its index holds.
    func reloadCatalog(_ store: OwnerStore) {
        let names = (try? store.db.read { db in try String.fetchAll(
            db.cachedStatement(sql: "SELECT name FROM mailbox")
        ) }) ?? []
        catalog.withLock { cat in cat = cat.filter { $0.value.owner != store.key } }
        refreshCatalog(store, names)
    }

    // MARK: Notifications

    /// A stream that yields the mailbox's highest modseq after every committed change to it
    /// (by any session). Sessions use it for IDLE and to catch up at the points RFC 3501 §7
    /// allows. The stream ends when the mailbox is deleted or renamed.
    public func observe(uniqueID: String) -> AsyncStream<UInt64> {
        hub.subscribe(uniqueID)
    }

    /// True when nothing has been committed to the mailbox after `modSeq`, known without reading
    /// the index; false when something was, or when that is not known here (ask ``changes(_:since:user:)``).
    /// Known while the mailbox is observed.
    public func unchanged(uniqueID: String, since modSeq: UInt64) -> Bool {
        guard let highest = hub.highestModSeq(uniqueID) else { return false }
        return highest <= modSeq
    }

    // MARK: Names

    /// Checks an internal name: non-empty components, no control characters, bounded length.
    public static func validate(_ name: String) throws(SpoolError) {
        guard !name.isEmpty, name.utf8.count <= 490 else { throw SpoolError(.badName, "mailbox name too long or empty") }
        let (_, local) = splitDomain(name)
        for part in local.split(separator: ".", omittingEmptySubsequences: false) where part.isEmpty {
            throw SpoolError(.badName, "empty hierarchy level in mailbox name")
        }
        for b in name.utf8 where b < 0x20 || b == 0x7f {
            throw SpoolError(.badName, "control character in mailbox name")
        }
    }
}

/// Per-mailbox subscriber lists; `post` wakes every observer of a mailbox.
///
/// While a mailbox has observers (it is selected somewhere), the hub also knows the highest
/// modseq committed to it: every commit that raises it posts before its command is answered,
/// and every index read of the mailbox row notes what it saw. A session that asks whether
/// anything changed after the modseq it has seen then gets its answer without a database read
/// (the common case at every command completion).
final class ChangeHub: Sendable {
    private struct Entry {
        var observers: [UInt64: AsyncStream<UInt64>.Continuation] = [:]
        var highestModSeq: UInt64?

        mutating func saw(_ modSeq: UInt64) { highestModSeq = max(highestModSeq ?? 0, modSeq) }
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let counter = Atomic<UInt64>(0)

    func subscribe(_ uniqueID: String) -> AsyncStream<UInt64> {
        let id = counter.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<UInt64>.makeStream(bufferingPolicy: .bufferingNewest(1))
        entries.withLock { $0[uniqueID, default: Entry()].observers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.entries.withLock { all in
                all[uniqueID]?.observers[id] = nil
                if all[uniqueID]?.observers.isEmpty == true { all[uniqueID] = nil }
            }
        }
        return stream
    }

    func post(_ uniqueID: String, _ modSeq: UInt64) {
        let list = entries.withLock { all -> [AsyncStream<UInt64>.Continuation] in
            all[uniqueID]?.saw(modSeq)
            return all[uniqueID].map { Array($0.observers.values) } ?? []
        }
        for c in list { c.yield(modSeq) }
    }

    /// An index read saw the mailbox at `modSeq` (kept only while it has observers).
    func note(_ uniqueID: String, _ modSeq: UInt64) {
        entries.withLock { $0[uniqueID]?.saw(modSeq) }
    }

    /// The highest modseq known to be committed, nil when the hub does not know it.
    func highestModSeq(_ uniqueID: String) -> UInt64? {
        entries.withLock { $0[uniqueID]?.highestModSeq }
    }

    func finish(_ uniqueID: String) {
        let list = entries.withLock { $0.removeValue(forKey: uniqueID).map { Array($0.observers.values) } ?? [] }
        for c in list { c.finish() }
    }
}

extension Spool {
    /// The mailboxes of the spool at `root`, read without opening it for writing and without
    /// start-up recovery, so it is safe while a node serves that spool (for `murder admin
    /// check`). Owners whose index cannot be read are skipped and named in `unreadable`.
    public static func readMailboxes(root: String) -> (mailboxes: [MailboxRecord], unreadable: [String]) {
        var all: [MailboxRecord] = []
        var unreadable: [String] = []
        for dir in FileIO.list(root + "/owners").sorted() {
            guard let key = ownerKey(folder: dir) else { continue }
            var config = Configuration()
            config.readonly = true
            do {
                let db = try DatabaseQueue(path: root + "/owners/" + dir + "/index.sqlite", configuration: config)
                let records = try db.read { db in
                    try Row.fetchAll(
                        db.cachedStatement(sql: "SELECT * FROM mailbox")
                    ).map { MailboxRecord(row: $0, owner: key) }
                }
                all += records
            } catch {
                unreadable.append(key)
            }
        }
        return (all.sorted { $0.name < $1.name }, unreadable)
    }
}
