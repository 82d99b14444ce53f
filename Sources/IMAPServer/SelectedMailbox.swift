import Spool

/// A session's view of its selected mailbox: the sequence-number map, the flags it has
/// reported, and expunges it learnt of but may not report yet (RFC 3501 §7.4.1).
final class SelectedMailbox {
    var record: MailboxRecord
    let readOnly: Bool
    /// UIDs in sequence order (sequence number = index + 1).
    var uids: [UInt32]
    var messages: [UInt32: MessageRecord]
    /// The highest modseq this view has caught up with.
    var modSeq: UInt64
    var recent: Set<UInt32>
    var pendingExpunges: Set<UInt32> = []
    /// Keywords announced in `* FLAGS` so far.
    var keywords: Set<String>

    init(record: MailboxRecord, messages: [MessageRecord], readOnly: Bool, recentAbove: UInt32) {
        self.record = record
        self.readOnly = readOnly
        uids = messages.map(\.uid)
        self.messages = Dictionary(uniqueKeysWithValues: messages.map { ($0.uid, $0) })
        modSeq = record.highestModSeq
        recent = Set(uids.filter { $0 > recentAbove })
        keywords = Set(messages.flatMap { $0.flags.filter { !$0.hasPrefix("\\") } })
    }

    var count: Int { uids.count }
    var lastUID: UInt32 { uids.last ?? 0 }

    /// The sequence number of a UID, if the view has it.
    func sequence(of uid: UInt32) -> Int? {
        var lo = 0
        var hi = uids.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if uids[mid] == uid { return mid + 1 }
            if uids[mid] < uid { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
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
