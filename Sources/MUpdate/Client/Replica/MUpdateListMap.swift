#if canImport(Glibc)
import Glibc
#endif

/// The mailbox list of a list replica in compact form: every record packed in one byte arena,
/// found through an open-addressing hash table of arena offsets. No object per record, so a
/// million records cost roughly their bytes plus 8 bytes of index each.
///
/// An entry in the arena:
///
///     u16 name length | u16 ACL length | u32 location id | u8 state | name | ACL text
///
/// Locations are interned (a murder has few of them). A replaced or removed entry leaves its
/// bytes behind as garbage, reclaimed by compaction when garbage outweighs live bytes.
struct MUpdateListMap: Sendable {
    private(set) var arena: [UInt8] = []
    /// Arena offset + 1 of the entry in each slot; 0 = empty.
    private var slots: [UInt32] = Array(repeating: 0, count: 16)
    /// The hash of each slot's name, to skip most comparisons.
    private var hashes: [UInt32] = Array(repeating: 0, count: 16)
    private(set) var locations: [MailboxLocation] = []
    private var locationIDs: [MailboxLocation: UInt32] = [:]
    private(set) var count = 0
    private var garbage = 0

    static let headerSize = 9
    /// Names and ACLs longer than this cannot be stored (far above the wire's bounds).
    static let maxFieldLength = Int(UInt16.max)

    init() {}

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        hashes = Array(repeating: 0, count: size)
    }

    // MARK: Lookup

    func record(_ name: InternalMailboxName) -> MUpdateRecord? {
        guard let slot = find(name.bytes, hash: Self.hash(name.bytes)) else { return nil }
        return decode(at: Int(slots[slot] - 1))
    }

    func contains(_ name: InternalMailboxName) -> Bool { find(name.bytes, hash: Self.hash(name.bytes)) != nil }

    /// Every record, in no particular order.
    func forEach(_ body: (MUpdateRecord) throws -> Void) rethrows {
        for slot in slots where slot != 0 {
            if let record = decode(at: Int(slot - 1)) { try body(record) }
        }
    }

    /// The records whose name starts with `prefix`.
    func records(withNamePrefix prefix: [UInt8]) -> [MUpdateRecord] {
        var out: [MUpdateRecord] = []
        arena.withUnsafeBufferPointer { a in
            for slot in slots where slot != 0 {
                let offset = Int(slot - 1)
                let nameLength = Int(a[offset]) | Int(a[offset + 1]) << 8
                guard nameLength >= prefix.count else { continue }
                let start = offset + Self.headerSize
                if prefix.isEmpty || a[start..<(start + prefix.count)].elementsEqual(prefix) {
                    if let record = decode(at: offset) { out.append(record) }
                }
            }
        }
        return out
    }

    // MARK: Changes

    /// Inserts or replaces the record of `record.name`; false when it cannot be stored.
    @discardableResult
    mutating func upsert(_ record: MUpdateRecord) -> Bool {
        let name = record.name.bytes
        let acl = record.acl.bytes
        guard name.count <= Self.maxFieldLength, acl.count <= Self.maxFieldLength,
            arena.count + Self.headerSize + name.count + acl.count < Int(UInt32.max) - 1
        else { return false }
        let hash = Self.hash(name)
        let location = intern(record.location)
        if let slot = find(name, hash: hash) {
            let old = Int(slots[slot] - 1)
            garbage += entrySize(at: old)
            slots[slot] = append(name: name, acl: acl, location: location, state: record.state)
        } else {
            if (count + 1) * 2 > slots.count { grow() }
            var slot = Int(hash) & (slots.count - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = append(name: name, acl: acl, location: location, state: record.state)
            hashes[slot] = hash
            count += 1
        }
        compactIfNeeded()
        return true
    }

    /// Removes the record of `name`; false when there was none.
    @discardableResult
    mutating func remove(_ name: InternalMailboxName) -> Bool {
        guard var hole = find(name.bytes, hash: Self.hash(name.bytes)) else { return false }
        garbage += entrySize(at: Int(slots[hole] - 1))
        count -= 1
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        let mask = slots.count - 1
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let ideal = Int(hashes[next]) & mask
            let distanceToNext = (next - ideal) & mask
            let distanceToHole = (hole - ideal) & mask
            if distanceToHole <= distanceToNext {
                slots[hole] = slots[next]
                hashes[hole] = hashes[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        hashes[hole] = 0
        compactIfNeeded()
        return true
    }

    // MARK: Internals

    static func hash(_ bytes: [UInt8]) -> UInt32 {
        // FNV-1a
        var h: UInt32 = 2_166_136_261
        bytes.withUnsafeBufferPointer { buffer in
            for b in buffer {
                h ^= UInt32(b)
                h = h &* 16_777_619
            }
        }
        return h
    }

    private func find(_ name: [UInt8], hash: UInt32) -> Int? {
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        return arena.withUnsafeBufferPointer { a -> Int? in
            name.withUnsafeBufferPointer { n -> Int? in
                while slots[slot] != 0 {
                    if hashes[slot] == hash {
                        let offset = Int(slots[slot] - 1)
                        let length = Int(a[offset]) | Int(a[offset + 1]) << 8
                        if length == n.count {
                            let start = offset + Self.headerSize
                            if n.count == 0
                                || memcmp(a.baseAddress! + start, n.baseAddress!, n.count) == 0
                            {
                                return slot
                            }
                        }
                    }
                    slot = (slot + 1) & mask
                }
                return nil
            }
        }
    }

    private func entrySize(at offset: Int) -> Int {
        let nameLength = Int(arena[offset]) | Int(arena[offset + 1]) << 8
        let aclLength = Int(arena[offset + 2]) | Int(arena[offset + 3]) << 8
        return Self.headerSize + nameLength + aclLength
    }

    private func decode(at offset: Int) -> MUpdateRecord? {
        let nameLength = Int(arena[offset]) | Int(arena[offset + 1]) << 8
        let aclLength = Int(arena[offset + 2]) | Int(arena[offset + 3]) << 8
        let location = Int(arena[offset + 4]) | Int(arena[offset + 5]) << 8 | Int(arena[offset + 6]) << 16
            | Int(arena[offset + 7]) << 24
        let state: MUpdateRecord.State = arena[offset + 8] == 1 ? .active : .reserved
        let nameStart = offset + Self.headerSize
        let name = Array(arena[nameStart..<(nameStart + nameLength)])
        let aclBytes = Array(arena[(nameStart + nameLength)..<(nameStart + nameLength + aclLength)])
        guard location < locations.count, let acl = try? CyrusACL(parsing: aclBytes) else { return nil }
        return MUpdateRecord(name: InternalMailboxName(name), state: state, location: locations[location], acl: acl)
    }

    private mutating func intern(_ location: MailboxLocation) -> UInt32 {
        if let id = locationIDs[location] { return id }
        let id = UInt32(locations.count)
        locations.append(location)
        locationIDs[location] = id
        return id
    }

    /// Appends an entry and returns its slot value (offset + 1).
    private mutating func append(name: [UInt8], acl: [UInt8], location: UInt32, state: MUpdateRecord.State) -> UInt32 {
        let offset = arena.count
        arena.append(UInt8(truncatingIfNeeded: name.count))
        arena.append(UInt8(truncatingIfNeeded: name.count >> 8))
        arena.append(UInt8(truncatingIfNeeded: acl.count))
        arena.append(UInt8(truncatingIfNeeded: acl.count >> 8))
        arena.append(UInt8(truncatingIfNeeded: location))
        arena.append(UInt8(truncatingIfNeeded: location >> 8))
        arena.append(UInt8(truncatingIfNeeded: location >> 16))
        arena.append(UInt8(truncatingIfNeeded: location >> 24))
        arena.append(state == .active ? 1 : 0)
        arena.append(contentsOf: name)
        arena.append(contentsOf: acl)
        return UInt32(offset + 1)
    }

    private mutating func grow() {
        let oldSlots = slots
        let oldHashes = hashes
        slots = Array(repeating: 0, count: oldSlots.count * 2)
        hashes = Array(repeating: 0, count: oldSlots.count * 2)
        let mask = slots.count - 1
        for i in 0..<oldSlots.count where oldSlots[i] != 0 {
            var slot = Int(oldHashes[i]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = oldSlots[i]
            hashes[slot] = oldHashes[i]
        }
    }

    /// Rewrites the arena with live entries only, when garbage is over half of it.
    private mutating func compactIfNeeded() {
        guard garbage > 1 << 16, garbage * 2 > arena.count else { return }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(arena.count - garbage)
        for i in 0..<slots.count where slots[i] != 0 {
            let offset = Int(slots[i] - 1)
            let size = entrySize(at: offset)
            slots[i] = UInt32(fresh.count + 1)
            fresh.append(contentsOf: arena[offset..<(offset + size)])
        }
        arena = fresh
        garbage = 0
    }
}

// MARK: - Snapshots

extension MUpdateListMap {
    /// The live entries packed end to end (garbage dropped), with the location table their ids
    /// point into: what a snapshot file stores.
    func packed() -> (locations: [MailboxLocation], arena: [UInt8]) {
        var out: [UInt8] = []
        out.reserveCapacity(arena.count - garbage)
        for slot in slots where slot != 0 {
            let offset = Int(slot - 1)
            out.append(contentsOf: arena[offset..<(offset + entrySize(at: offset))])
        }
        return (locations, out)
    }

    /// Rebuilds a map from ``packed()``'s output; nil when the bytes are damaged (a length
    /// running past the end, an unknown location, a name twice).
    init?(locations: [MailboxLocation], arena: [UInt8], count: Int) {
        self.init(capacity: count)
        self.locations = locations
        for (i, location) in locations.enumerated() { locationIDs[location] = UInt32(i) }
        guard arena.count < Int(UInt32.max) - 1 else { return nil }
        self.arena = arena
        var offset = 0
        var seen = 0
        let mask = slots.count - 1
        while offset < arena.count {
            guard arena.count - offset >= Self.headerSize else { return nil }
            let size = entrySize(at: offset)
            let location = Int(arena[offset + 4]) | Int(arena[offset + 5]) << 8 | Int(arena[offset + 6]) << 16
                | Int(arena[offset + 7]) << 24
            let nameLength = Int(arena[offset]) | Int(arena[offset + 1]) << 8
            guard nameLength > 0, arena.count - offset >= size, location < locations.count, seen < count else {
                return nil
            }
            let name = Array(arena[(offset + Self.headerSize)..<(offset + Self.headerSize + nameLength)])
            let hash = Self.hash(name)
            guard find(name, hash: hash) == nil else { return nil }
            var slot = Int(hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(offset + 1)
            hashes[slot] = hash
            seen += 1
            offset += size
        }
        guard seen == count else { return nil }
        self.count = count
    }
}
