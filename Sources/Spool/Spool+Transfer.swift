import Foundation
import GRDB
import Synchronization

/// Moving a whole owner (a user with every folder, subscription, seen state, quota and
/// metadata; or a top-level shared tree) to another backend: the XFER of SPEC.md §7.5. The
/// owner's index and message files move as they are, so UIDs, UIDVALIDITY, uniqueids, modseqs,
/// flags and dates are kept.
///
/// Source side: ``ownerFiles(_:)`` lists what to copy (repeatedly, as new messages arrive),
/// ``freeze(owner:)`` stops every write, ``snapshotIndex(owner:to:)`` takes a consistent copy of
/// the index, and once the destination has it, ``removeOwner(_:)`` forgets the owner here.
/// Destination side: ``stageTransferFile(owner:path:bytes:)`` stores each file under
/// `<root>/xfer/<owner>/`, ``commitTransfer(owner:)`` checks and installs it,
/// ``abortTransfer(owner:)`` drops it.
extension Spool {
    /// One file of an owner, relative to its folder (`mbox/<uniqueid>/<uid>.eml`), and its size.
    public struct OwnerFile: Sendable, Hashable {
        public var path: String
        public var size: Int64

        public init(path: String, size: Int64) {
            self.path = path
            self.size = size
        }
    }

    /// Most owners a backend stages at once (each an XFER into this backend).
    public static let maxStagedTransfers = 16

    // MARK: Source

    /// The mailboxes of one owner, by name.
    public func mailboxes(ofOwner owner: String) -> [MailboxRecord] {
        catalog.withLock { $0.values.filter { $0.owner == owner } }.sorted { $0.name < $1.name }
    }

    /// Every message file in the owner's folder now (including files of messages expunged
    /// within the grace period); files are written once, so a path names its content.
    public func ownerFiles(_ owner: String) -> [OwnerFile] {
        let folder = ownerFolder(owner)
        var files: [OwnerFile] = []
        for uniqueID in FileIO.list(folder + "/mbox").sorted() where Self.isTransferComponent(uniqueID) {
            for file in FileIO.list(folder + "/mbox/" + uniqueID) where Self.isMessageFileName(file) {
                let path = "mbox/\(uniqueID)/\(file)"
                if let size = FileIO.size(folder + "/" + path) { files.append(OwnerFile(path: path, size: size)) }
            }
        }
        return files
    }

    /// The absolute path of one of the owner's files.
    public func ownerFilePath(_ owner: String, _ relative: String) -> String {
        ownerFolder(owner) + "/" + relative
    }

    /// Stops every write to the owner (they fail with ``SpoolError/Code/moving``) and returns
    /// once the writes already running have committed, so a snapshot taken after it is final.
    public func freeze(owner: String) throws(SpoolError) {
        let store = try openOwner(owner)
        store.frozen.store(true, ordering: .releasing)
        do {
            // A barrier: the writer runs transactions one at a time, so this one starts only
            // after every write that began before the flag was set has finished.
            try store.db.write { _ in }
        } catch {
            store.frozen.store(false, ordering: .releasing)
            throw Self.spoolError(error, "cannot freeze \(owner)")
        }
    }

    /// Lets writes to the owner through again (an XFER that failed).
    public func unfreeze(owner: String) {
        owners.withLock { $0[owner] }?.frozen.store(false, ordering: .releasing)
    }

    /// Whether writes to the owner are refused because it is being moved.
    public func isFrozen(owner: String) -> Bool {
        owners.withLock { $0[owner] }?.frozen.load(ordering: .acquiring) ?? false
    }

    /// Writes a consistent copy of the owner's index to `path` (one file, no WAL beside it).
    public func snapshotIndex(owner: String, to path: String) throws(SpoolError) {
        let store = try openOwner(owner)
        FileIO.remove(path)
        do {
            try store.db.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [path])
            }
        } catch {
            FileIO.remove(path)
            throw Self.spoolError(error, "cannot copy the index of \(owner)")
        }
    }

    /// Forgets the owner on this backend (catalog, open index, folder) after its copy was
    /// installed elsewhere; the mupdate master is not touched. Sessions that have one of its
    /// mailboxes selected see it gone; names of the owner answer ``SpoolError/Code/moving``
    /// from now on unless an XFER brings it back.
    public func removeOwner(_ owner: String) {
        movedAway.withLock { _ = $0.insert(owner) }
        dropOwner(owner)
    }

    /// Whether an XFER moved the owner away from this backend since start-up.
    public func wasMovedAway(_ name: String) -> Bool {
        let owner = Self.owner(of: name)
        return movedAway.withLock { $0.contains(owner) }
    }

    func dropOwner(_ owner: String) {
        let store = owners.withLock { $0.removeValue(forKey: owner) }
        let gone = catalog.withLock { cat -> [MailboxRecord] in
            let gone = cat.values.filter { $0.owner == owner }
            for r in gone { cat[r.name] = nil }
            return gone
        }
        for r in gone {
            snapshots.withLock { _ = $0.removeValue(forKey: r.uniqueID) }
            hub.finish(r.uniqueID)
        }
        try? store?.db.close()
        FileIO.removeTree(ownerFolder(owner))
        try? FileIO.syncDirectory(root + "/owners")
    }

    // MARK: Destination

    func stagingFolder(_ owner: String) -> String { root + "/xfer/" + Self.folderName(owner) }

    /// Checks that `owner` is an owner key (what ``owner(of:)`` gives for its own name).
    static func validateTransferOwner(_ owner: String) throws(SpoolError) {
        try validate(owner)
        guard Self.owner(of: owner) == owner, !owner.hasPrefix("%") else {
            throw SpoolError(.badName, "\(owner) is not a mailbox owner")
        }
    }

    /// A uniqueid folder name: 1–64 of `[A-Za-z0-9_-]`.
    static func isTransferComponent(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64
            && s.utf8.allSatisfy { $0.isASCIIAlnum || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// `<uid>.eml` with a UID in 1..<2^32-1 written without leading zeros.
    static func isMessageFileName(_ s: String) -> Bool {
        guard s.hasSuffix(".eml") else { return false }
        let digits = s.dropLast(4)
        guard let uid = UInt32(digits), uid > 0, uid < UInt32.max, String(uid) == digits else { return false }
        return true
    }

    /// Checks a path an XFERPUT names: `index.sqlite` or `mbox/<uniqueid>/<uid>.eml`, nothing else.
    static func validateTransferPath(_ path: String) throws(SpoolError) {
        if path == "index.sqlite" { return }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "mbox", isTransferComponent(parts[1]), isMessageFileName(parts[2]) else {
            throw SpoolError(.badName, "\(path) is not index.sqlite or mbox/<uniqueid>/<uid>.eml")
        }
    }

    /// Stores one file of an owner's incoming copy, durably (temp file, fsync, rename, fsync).
    /// A file sent again replaces the earlier copy.
    ///
    /// - Throws: `badName` for an owner or path outside the rules, `alreadyExists` when the
    ///   owner already lives here, `inUse` when too many owners are being staged, `io`.
    public func stageTransferFile(owner: String, path: String, bytes: [UInt8]) throws(SpoolError) {
        try Self.validateTransferOwner(owner)
        try Self.validateTransferPath(path)
        if catalog.withLock({ $0.values.contains { $0.owner == owner } }) || FileIO.exists(ownerFolder(owner)) {
            throw SpoolError(.alreadyExists, "\(owner) already has mailboxes on this server")
        }
        let folder = stagingFolder(owner)
        if !FileIO.exists(folder), FileIO.list(root + "/xfer").count >= Self.maxStagedTransfers {
            throw SpoolError(.inUse, "too many mailbox moves in progress")
        }
        let target = folder + "/" + path
        try FileIO.makeDirectories(String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]))
        try FileIO.writeAtomically(target, bytes)
    }

    /// Drops an owner's incoming copy (nothing happens when there is none).
    public func abortTransfer(owner: String) throws(SpoolError) {
        try Self.validateTransferOwner(owner)
        FileIO.removeTree(stagingFolder(owner))
        try? FileIO.syncDirectory(root + "/xfer")
    }

    /// Checks the staged copy of `owner` (its index opens, every message it lists has its file
    /// with the right size, every mailbox belongs to the owner) and installs it as the owner's
    /// folder; returns the owner's mailboxes, now in the catalog.
    ///
    /// - Throws: `nonexistent` when nothing was staged, `alreadyExists` when the owner already
    ///   lives here, `io` (with the reason) when the copy is incomplete; the staging stays
    ///   until ``abortTransfer(owner:)``.
    public func commitTransfer(owner: String) throws(SpoolError) -> [MailboxRecord] {
        try Self.validateTransferOwner(owner)
        let staging = stagingFolder(owner)
        guard FileIO.exists(staging + "/index.sqlite") else {
            throw SpoolError(.nonexistent, "nothing staged for \(owner)")
        }
        if catalog.withLock({ $0.values.contains { $0.owner == owner } }) || FileIO.exists(ownerFolder(owner)) {
            throw SpoolError(.alreadyExists, "\(owner) already has mailboxes on this server")
        }
        let staged = try checkStaged(owner, staging)
        for (name, uniqueID) in staged {
            try FileIO.makeDirectories(staging + "/mbox/" + uniqueID)
            try FileIO.writeAtomically(staging + "/mbox/\(uniqueID)/mailbox.name", Array((name + "\n").utf8))
        }
        try FileIO.makeDirectories(staging + "/tmp")
        try FileIO.syncDirectory(staging)
        try FileIO.rename(staging, ownerFolder(owner))
        try FileIO.syncDirectory(root + "/owners")
        try? FileIO.syncDirectory(root + "/xfer")
        movedAway.withLock { _ = $0.remove(owner) }
        let store = try openOwner(owner)
        try recover(store)
        reloadCatalog(store)
        return mailboxes(ofOwner: owner)
    }

    /// Uninstalls an owner that ``commitTransfer(owner:)`` installed, when its mailboxes could
    /// not be registered: the source keeps the mailboxes.
    public func uninstallTransfer(owner: String) {
        dropOwner(owner)
    }

    /// The staged index's mailboxes (name, uniqueid), after checking it against the files.
    private func checkStaged(_ owner: String, _ staging: String) throws(SpoolError) -> [(String, String)] {
        var config = Configuration()
        config.readonly = true
        let rows: (mailboxes: [Row], messages: [Row])
        do {
            let db = try DatabaseQueue(path: staging + "/index.sqlite", configuration: config)
            rows = try db.read { db in
                (
                    try Row.fetchAll(db, sql: "SELECT id, name, uniqueid FROM mailbox"),
                    try Row.fetchAll(
                        db,
                        sql: "SELECT b.uniqueid AS uniqueid, m.uid AS uid, m.size AS size FROM message m JOIN mailbox b ON b.id = m.mailbox"
                    )
                )
            }
            try db.close()
        } catch {
            throw SpoolError(.io, "the staged index of \(owner) cannot be read", cause: error)
        }
        var mailboxes: [(String, String)] = []
        for row in rows.mailboxes {
            let name: String = row["name"]
            let uniqueID: String = row["uniqueid"]
            guard Self.owner(of: name) == owner, Self.isTransferComponent(uniqueID) else {
                throw SpoolError(.io, "the staged index of \(owner) holds \(name), which is not its own")
            }
            mailboxes.append((name, uniqueID))
        }
        guard !mailboxes.isEmpty else { throw SpoolError(.io, "the staged index of \(owner) holds no mailbox") }
        for row in rows.messages {
            let uniqueID: String = row["uniqueid"]
            let uid: Int64 = row["uid"]
            let size: Int64 = row["size"]
            let path = "mbox/\(uniqueID)/\(uid).eml"
            guard let found = FileIO.size(staging + "/" + path) else {
                throw SpoolError(.io, "the staged copy of \(owner) lacks \(path)")
            }
            guard found == size else {
                throw SpoolError(.io, "the staged \(path) of \(owner) has \(found) bytes, not \(size)")
            }
        }
        return mailboxes
    }
}

extension UInt8 {
    var isASCIIAlnum: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
