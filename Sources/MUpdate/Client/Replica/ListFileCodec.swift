/// The byte forms of the replica's files (``MUpdateListStore``): little-endian integers,
/// length-prefixed fields, FNV-1a checksums. Reading is bounds-checked: a torn or damaged file
/// reads as `nil`, never as a crash.
struct ListFileWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: Int) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func field(_ b: [UInt8]) {
        u16(b.count)
        bytes.append(contentsOf: b)
    }

    /// Op 1: a record (name, location text, state, ACL text).
    mutating func record(_ record: MUpdateRecord) {
        u8(ListFileOp.record.rawValue)
        recordBody(record)
    }

    mutating func recordBody(_ record: MUpdateRecord) {
        field(record.name.bytes)
        field(Array(record.location.description.utf8))
        field(record.acl.bytes)
        u8(record.state == .active ? 1 : 0)
    }

    mutating func delete(_ name: InternalMailboxName) {
        u8(ListFileOp.delete.rawValue)
        field(name.bytes)
    }

    mutating func position(_ position: MUpdateStreamPosition) {
        u8(ListFileOp.position.rawValue)
        positionBody(position)
    }

    mutating func positionBody(_ position: MUpdateStreamPosition) {
        field(Array(position.epoch.utf8))
        u64(position.sequence)
        u64(UInt64(bitPattern: position.recordedAt))
    }
}

enum ListFileOp: UInt8 {
    case record = 1
    case delete = 2
    case position = 3
}

struct ListFileReader {
    let bytes: [UInt8]
    var index: Int

    init(_ bytes: [UInt8], at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var remaining: Int { bytes.count - index }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func u16() -> Int? {
        guard remaining >= 2 else { return nil }
        defer { index += 2 }
        return Int(bytes[index]) | Int(bytes[index + 1]) << 8
    }
    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[index + i]) << (8 * i) }
        index += 4
        return v
    }
    mutating func u64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[index + i]) << (8 * i) }
        index += 8
        return v
    }
    mutating func field() -> [UInt8]? {
        guard let n = u16(), remaining >= n else { return nil }
        defer { index += n }
        return Array(bytes[index..<(index + n)])
    }

    mutating func recordBody() -> MUpdateRecord? {
        guard let name = field(), !name.isEmpty, let location = field().flatMap(MailboxLocation.init),
            let aclBytes = field(), let state = u8(), let acl = try? CyrusACL(parsing: aclBytes)
        else { return nil }
        return MUpdateRecord(name: InternalMailboxName(name), state: state == 1 ? .active : .reserved,
            location: location, acl: acl)
    }

    mutating func positionBody() -> MUpdateStreamPosition? {
        guard let epoch = field(), let sequence = u64(), let at = u64() else { return nil }
        return MUpdateStreamPosition(
            epoch: String(decoding: epoch, as: UTF8.self), sequence: sequence, recordedAt: Int64(bitPattern: at))
    }
}

enum ListFileChecksum {
    static func fnv64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBufferPointer { buffer in
            for b in buffer {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        return h
    }
}
