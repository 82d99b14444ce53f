/// The whole mailbox list in memory, in dump order, as a value: a copy is a snapshot, taken in
/// O(1) and never disturbed by later changes. FIND, LIST and UPDATE dumps read it; SQLite is
/// only written.
///
/// Layout (an LSM tree of two levels): `base` is an array of entries sorted by key (see
/// ``MUpdateKey``); recent changes sit in `overlay`, a small map from key to the new entry or a
/// tombstone. An ordered walk merges the two (sorting only the overlay), a lookup checks the
/// overlay then binary-searches the base, and when the overlay grows past 1/16 of the base it
/// is merged in, in one linear pass. No dump ever sorts the million names.
///
/// An entry is 24 bytes plus its key and ACL bytes; locations are interned (``MUpdateLocations``).
public struct MUpdateIndex: Sendable {
    /// One record in compact form.
    public struct Entry: Sendable, Hashable {
        /// The name's ``MUpdateKey``.
        public var key: [UInt8]
        public var location: UInt32
        public var state: MUpdateRecord.State
        /// The ACL's TAB form (empty for a reserved record).
        public var acl: [UInt8]

        public init(key: [UInt8], state: MUpdateRecord.State, location: UInt32, acl: [UInt8]) {
            self.key = key
            self.state = state
            self.location = location
            self.acl = acl
        }
    }

    enum Slot: Sendable {
        case present(Entry)
        case removed
    }

    var base: [Entry] = []
    var overlay: [[UInt8]: Slot] = [:]
    public var locations = MUpdateLocations()
    public private(set) var count = 0

    /// The overlay size that triggers a merge.
    var mergeThreshold: Int { max(1024, base.count / 16) }

    public init() {}

    /// An index over `entries`, which must be sorted by key without duplicates.
    public init(sorted entries: [Entry], locations: MUpdateLocations) {
        base = entries
        self.locations = locations
        count = entries.count
    }

    // MARK: Reading

    /// The entry stored under `key`.
    public func entry(forKey key: [UInt8]) -> Entry? {
        if let slot = overlay[key] {
            switch slot {
            case .present(let entry): return entry
            case .removed: return nil
            }
        }
        guard let i = baseIndex(of: key) else { return nil }
        return base[i]
    }

    /// The record named `name`.
    public func record(named name: InternalMailboxName) -> MUpdateRecord? {
        entry(forKey: MUpdateKey.key(for: name)).map(record(for:))
    }

    /// The full record of `entry`.
    public func record(for entry: Entry) -> MUpdateRecord {
        let acl = entry.acl.isEmpty ? CyrusACL.empty : ((try? CyrusACL(parsing: entry.acl)) ?? .empty)
        return MUpdateRecord(
            name: MUpdateKey.name(for: entry.key), state: entry.state, location: locations[entry.location].location,
            acl: acl)
    }

    func baseIndex(of key: [UInt8]) -> Int? {
        var lo = 0
        var hi = base.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = MUpdateKey.compare(base[mid].key, key)
            if c == 0 { return mid }
            if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Walks every entry in dump order.
    public func makeCursor() -> Cursor { Cursor(self) }

    /// Every record, in dump order (for tests and small lists; dumps use ``makeCursor()``).
    public var records: [MUpdateRecord] {
        var out: [MUpdateRecord] = []
        out.reserveCapacity(count)
        var cursor = makeCursor()
        while let entry = cursor.next() { out.append(record(for: entry)) }
        return out
    }

    /// An ordered walk over a snapshot: the base merged with the sorted overlay.
    public struct Cursor: Sendable {
        let base: [Entry]
        let overlay: [([UInt8], Slot)]
        var i = 0
        var j = 0

        init(_ index: MUpdateIndex) {
            base = index.base
            overlay = index.overlay.sorted { MUpdateKey.less($0.key, $1.key) }.map { ($0.key, $0.value) }
        }

        public mutating func next() -> Entry? {
            while true {
                if j < overlay.count {
                    let c = i < base.count ? MUpdateKey.compare(base[i].key, overlay[j].0) : 1
                    if c < 0 {
                        i += 1
                        return base[i - 1]
                    }
                    if c == 0 { i += 1 }
                    j += 1
                    if case .present(let entry) = overlay[j - 1].1 { return entry }
                    continue
                }
                guard i < base.count else { return nil }
                i += 1
                return base[i - 1]
            }
        }
    }

    // MARK: Writing

    /// Stores `entry`, replacing any entry under its key; returns the previous one.
    @discardableResult
    public mutating func set(_ entry: Entry) -> Entry? {
        let previous = self.entry(forKey: entry.key)
        overlay[entry.key] = .present(entry)
        if previous == nil { count += 1 }
        mergeIfNeeded()
        return previous
    }

    /// Removes the entry under `key`; returns it.
    @discardableResult
    public mutating func remove(key: [UInt8]) -> Entry? {
        guard let previous = self.entry(forKey: key) else { return nil }
        if baseIndex(of: key) != nil {
            overlay[key] = .removed
        } else {
            overlay[key] = nil
        }
        count -= 1
        mergeIfNeeded()
        return previous
    }

    mutating func mergeIfNeeded() {
        if overlay.count > mergeThreshold { merge() }
    }

    /// Folds the overlay into the base in one linear pass.
    public mutating func merge() {
        guard !overlay.isEmpty else { return }
        var merged: [Entry] = []
        merged.reserveCapacity(count)
        var cursor = makeCursor()
        while let entry = cursor.next() { merged.append(entry) }
        base = merged
        overlay = [:]
    }
}
