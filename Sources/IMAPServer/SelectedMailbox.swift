import MUpdate
import Spool

/// A session's view of its selected mailbox: the sequence-number map, the flags it has
/// reported, and expunges it learnt of but may not report yet (RFC 3501 §7.4.1).
final class SelectedMailbox {
    var record: MailboxRecord
    let readOnly: Bool
    /// The entries in sequence order (sequence number = index + 1), addressed by UID.
    var messages: ViewEntries
    /// UIDs in sequence order.
    var uids: [UInt32] { messages.uids }
    /// The highest modseq this view has caught up with.
    var modSeq: UInt64
    var recent: Set<UInt32>
    var pendingExpunges: Set<UInt32> = []
    /// Keywords announced in `* FLAGS` so far.
    var keywords: Set<String>

    init(record: MailboxRecord, messages: [MessageRecord], readOnly: Bool, recentAbove: UInt32) {
        self.record = record
        self.readOnly = readOnly
        self.messages = ViewEntries(messages)
        modSeq = record.highestModSeq
        var recent = Set<UInt32>()
        var keywords = Set<String>()
        for m in messages {
            if m.uid > recentAbove { recent.insert(m.uid) }
            for f in m.flags where f.utf8.first != UInt8(ascii: "\\") { keywords.insert(f) }
        }
        self.recent = recent
        self.keywords = keywords
    }

    var count: Int { uids.count }
    var lastUID: UInt32 { uids.last ?? 0 }

    /// The sequence number of a UID, if the view has it.
    func sequence(of uid: UInt32) -> Int? {
        messages.index(of: uid).map { $0 + 1 }
    }

    /// Flags as the client sees them, \Recent included.
    func flags(_ uid: UInt32) -> [String] {
        var f = messages[uid]?.flags ?? []
        if recent.contains(uid) { f.append("\\Recent") }
        return f
    }

    var flagList: [String] {
        ["\\Answered", "\\Flagged", "\\Draft", "\\Deleted", "\\Seen"] + keywords.sorted()
    }
}

/// Entries kept in UID order in two parallel arrays: building it for a 100,000-message mailbox
/// costs two array copies, not 100,000 hash insertions. Lookups by UID are binary searches.
struct ViewEntries {
    private(set) var uids: [UInt32]
    private(set) var records: [MessageRecord]

    init(_ records: [MessageRecord]) {
        self.records = records
        uids = records.map(\.uid)
    }

    func index(of uid: UInt32) -> Int? {
        var lo = 0
        var hi = uids.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if uids[mid] == uid { return mid }
            if uids[mid] < uid { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// Reading gives the entry; writing replaces it, appends a UID above the last, or (nil)
    /// removes it.
    subscript(uid: UInt32) -> MessageRecord? {
        get { index(of: uid).map { records[$0] } }
        set {
            if let i = index(of: uid) {
                if let newValue {
                    records[i] = newValue
                } else {
                    records.remove(at: i)
                    uids.remove(at: i)
                }
            } else if let newValue, uid > (uids.last ?? 0) {
                uids.append(uid)
                records.append(newValue)
            }
        }
    }
}
