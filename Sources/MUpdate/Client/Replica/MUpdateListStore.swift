import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The list replica's copy of the list on disk, so that a restarted frontend serves at once
/// (SPEC.md §7.6): a snapshot written after each full dump, and an append-only log of the
/// changes since, both under one folder:
///
///     <folder>/list.snapshot    "MULS" v1, generation, position, locations, packed entries, FNV-64
///     <folder>/list.log         "MULL" v1, generation, then frames: u32 length, op, FNV-64
///
/// Writes never hold up the stream: callers queue bytes and a background task writes them every
/// `flushInterval` (a new snapshot supersedes whatever was queued before it). The log is not
/// synced: losing its tail only loses changes that the next UPDATE SINCE sends again, because
/// a position is logged after the changes it covers. A damaged snapshot is ignored (the replica
/// then starts empty and asks for a full dump); a torn log frame ends the log there.
final class MUpdateListStore: Sendable {
    struct Loaded: Sendable {
        var map = MUpdateListMap()
        var position: MUpdateStreamPosition?
        /// False when there was no usable snapshot.
        var found = false
    }

    enum Job: Sendable {
        case log([UInt8])
        case snapshot(MUpdateListMap, MUpdateStreamPosition?)
    }

    struct State: Sendable {
        var jobs: [Job] = []
        var generation: UInt64 = 0
        var logFD: Int32 = -1
    }

    let folder: String
    let logger: Logger
    private let state = Mutex(State())

    var snapshotPath: String { folder + "/list.snapshot" }
    var logPath: String { folder + "/list.log" }

    static let snapshotMagic = Array("MULS".utf8) + [1]
    static let logMagic = Array("MULL".utf8) + [1]
    /// The largest log frame read back (far above any record).
    static let maxFrame = 1 << 20

    init(folder: String, logger: Logger) {
        self.folder = folder
        self.logger = logger
    }

    deinit {
        state.withLock { if $0.logFD >= 0 { _ = Glibc.close($0.logFD) } }
    }

    // MARK: Loading

    /// Reads the snapshot and the log, and opens the log for appending.
    func load() -> Loaded {
        _ = mkdir(folder, 0o750)
        var loaded = Loaded()
        var generation = UInt64.random(in: 1...UInt64.max)
        if let bytes = Self.readFile(snapshotPath), let snapshot = Self.parseSnapshot(bytes) {
            loaded.map = snapshot.map
            loaded.position = snapshot.position
            loaded.found = true
            generation = snapshot.generation
            let validLength = replayLog(generation: generation, into: &loaded)
            openLog(generation: generation, keeping: validLength)
        } else {
            if Self.readFile(snapshotPath) != nil {
                logger.warning("mupdate list copy damaged: starting empty", metadata: ["file": "\(snapshotPath)"])
            }
            openLog(generation: generation, keeping: nil)
        }
        state.withLock { $0.generation = generation }
        return loaded
    }

    static func parseSnapshot(_ bytes: [UInt8]) -> (generation: UInt64, position: MUpdateStreamPosition?, map: MUpdateListMap)? {
        guard bytes.count >= snapshotMagic.count + 8, bytes.starts(with: snapshotMagic) else { return nil }
        let body = bytes[0..<(bytes.count - 8)]
        var tail = ListFileReader(bytes, at: bytes.count - 8)
        guard tail.u64() == ListFileChecksum.fnv64(body) else { return nil }
        var reader = ListFileReader(bytes, at: snapshotMagic.count)
        guard let generation = reader.u64(), let hasPosition = reader.u8() else { return nil }
        var position: MUpdateStreamPosition?
        if hasPosition == 1 {
            guard let p = reader.positionBody() else { return nil }
            position = p
        }
        guard let locationCount = reader.u32(), locationCount <= 1 << 20 else { return nil }
        var locations: [MailboxLocation] = []
        for _ in 0..<locationCount {
            guard let location = reader.field().flatMap(MailboxLocation.init) else { return nil }
            locations.append(location)
        }
        guard let count = reader.u64(), let arenaLength = reader.u64(), count <= UInt64(Int32.max),
            arenaLength == UInt64(reader.remaining - 8)
        else { return nil }
        let arena = Array(bytes[reader.index..<(bytes.count - 8)])
        guard let map = MUpdateListMap(locations: locations, arena: arena, count: Int(count)) else { return nil }
        return (generation, position, map)
    }

    /// Applies the log's frames; returns the length of its valid part (nil: not this snapshot's log).
    private func replayLog(generation: UInt64, into loaded: inout Loaded) -> Int? {
        guard let bytes = Self.readFile(logPath), bytes.starts(with: Self.logMagic) else { return nil }
        var reader = ListFileReader(bytes, at: Self.logMagic.count)
        guard reader.u64() == generation else { return nil }
        var valid = reader.index
        while reader.remaining > 0 {
            guard let length = reader.u32().map(Int.init), length > 0, length <= Self.maxFrame,
                reader.remaining >= length + 8
            else { break }
            let payload = bytes[reader.index..<(reader.index + length)]
            reader.index += length
            guard reader.u64() == ListFileChecksum.fnv64(payload) else { break }
            var frame = ListFileReader(Array(payload))
            while frame.remaining > 0 {
                switch frame.u8().flatMap(ListFileOp.init(rawValue:)) {
                case .record:
                    guard let record = frame.recordBody() else { frame.index = frame.bytes.count; break }
                    loaded.map.upsert(record)
                case .delete:
                    guard let name = frame.field() else { frame.index = frame.bytes.count; break }
                    loaded.map.remove(InternalMailboxName(name))
                case .position:
                    loaded.position = frame.positionBody()
                case nil:
                    frame.index = frame.bytes.count
                }
            }
            valid = reader.index
        }
        if valid < bytes.count {
            logger.notice("mupdate list log: torn tail dropped", metadata: ["file": "\(logPath)", "kept": "\(valid)"])
        }
        return valid
    }

    // MARK: Writing

    /// Queues log entries (see ``ListFileWriter``).
    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        state.withLock { state in
            if case .log(var pending) = state.jobs.last {
                pending.append(contentsOf: bytes)
                state.jobs[state.jobs.count - 1] = .log(pending)
            } else {
                state.jobs.append(.log(bytes))
            }
        }
    }

    /// Queues a new snapshot; whatever was queued before is contained in it.
    func snapshot(_ map: MUpdateListMap, position: MUpdateStreamPosition?) {
        state.withLock { $0.jobs = [.snapshot(map, position)] }
    }

    /// Writes everything queued; called by the replica's flush task and at stop.
    func flush() {
        let jobs = state.withLock { state in
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in jobs {
            switch job {
            case .log(let entries): writeLogFrame(entries)
            case .snapshot(let map, let position): writeSnapshot(map, position: position)
            }
        }
    }

    private func writeLogFrame(_ payload: [UInt8]) {
        var writer = ListFileWriter()
        writer.u32(UInt32(truncatingIfNeeded: payload.count))
        writer.bytes.append(contentsOf: payload)
        writer.u64(ListFileChecksum.fnv64(payload[...]))
        let fd = state.withLock { $0.logFD }
        guard fd >= 0, Self.writeAll(fd, writer.bytes) else {
            logger.warning("mupdate list log: write failed", metadata: ["file": "\(logPath)", "errno": "\(errno)"])
            return
        }
    }

    private func writeSnapshot(_ map: MUpdateListMap, position: MUpdateStreamPosition?) {
        let generation = UInt64.random(in: 1...UInt64.max)
        let (locations, arena) = map.packed()
        var writer = ListFileWriter()
        writer.bytes.reserveCapacity(arena.count + 4096)
        writer.bytes.append(contentsOf: Self.snapshotMagic)
        writer.u64(generation)
        if let position {
            writer.u8(1)
            writer.positionBody(position)
        } else {
            writer.u8(0)
        }
        writer.u32(UInt32(locations.count))
        for location in locations { writer.field(Array(location.description.utf8)) }
        writer.u64(UInt64(map.count))
        writer.u64(UInt64(arena.count))
        writer.bytes.append(contentsOf: arena)
        writer.u64(ListFileChecksum.fnv64(writer.bytes[...]))
        let temporary = snapshotPath + ".tmp"
        guard Self.writeFile(temporary, writer.bytes, sync: true) else {
            logger.warning("mupdate list snapshot: write failed", metadata: ["file": "\(temporary)", "errno": "\(errno)"])
            return
        }
        // The new log goes in place after the snapshot: a crash in between leaves the old log,
        // whose generation no longer matches, so it is ignored.
        guard Glibc.rename(temporary, snapshotPath) == 0 else {
            logger.warning("mupdate list snapshot: rename failed", metadata: ["file": "\(snapshotPath)", "errno": "\(errno)"])
            return
        }
        Self.syncFolder(folder)
        openLog(generation: generation, keeping: nil)
        state.withLock { $0.generation = generation }
    }

    /// Opens the log for appending: truncated to `keeping` bytes, or new with `generation`.
    private func openLog(generation: UInt64, keeping: Int?) {
        let old = state.withLock { state in
            defer { state.logFD = -1 }
            return state.logFD
        }
        if old >= 0 { _ = Glibc.close(old) }
        let fd: Int32
        if let keeping {
            fd = Glibc.open(logPath, O_WRONLY | O_CLOEXEC)
            guard fd >= 0, ftruncate(fd, off_t(keeping)) == 0, lseek(fd, 0, SEEK_END) >= 0 else {
                if fd >= 0 { _ = Glibc.close(fd) }
                logger.warning("mupdate list log: cannot reopen", metadata: ["file": "\(logPath)", "errno": "\(errno)"])
                return
            }
        } else {
            var header = ListFileWriter()
            header.bytes = Self.logMagic
            header.u64(generation)
            let temporary = logPath + ".tmp"
            guard Self.writeFile(temporary, header.bytes, sync: true), Glibc.rename(temporary, logPath) == 0 else {
                logger.warning("mupdate list log: cannot create", metadata: ["file": "\(logPath)", "errno": "\(errno)"])
                return
            }
            fd = Glibc.open(logPath, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { return }
        }
        state.withLock { $0.logFD = fd }
    }

    // MARK: File helpers

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? out : nil }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8], sync: Bool) -> Bool {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return false }
        defer { _ = Glibc.close(fd) }
        guard writeAll(fd, bytes) else { return false }
        return !sync || fsync(fd) == 0
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    static func syncFolder(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = Glibc.close(fd)
    }
}
