import MUpdate
import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import MIME
import Spool

/// Evaluates RFC 3501/9051 search keys against one message of a session's view. Message
/// content is read and parsed only when a key needs it.
struct SearchEvaluator {
    let view: SelectedMailbox
    let savedSearch: [UInt32]

    final class Candidate {
        let seq: Int
        let uid: UInt32
        let record: MessageRecord
        let flags: [String]
        private let load: () -> [UInt8]
        private var cached: MIMEMessage?

        init(seq: Int, uid: UInt32, record: MessageRecord, flags: [String], load: @escaping () -> [UInt8]) {
            self.seq = seq
            self.uid = uid
            self.record = record
            self.flags = flags
            self.load = load
        }

        var mime: MIMEMessage {
            if let cached { return cached }
            let m = MIMEMessage(load())
            cached = m
            return m
        }

        func has(_ flag: String) -> Bool { flags.contains { $0.lowercased() == flag.lowercased() } }
    }

    func matches(_ key: SearchKey, _ c: Candidate) -> Bool {
        switch key {
        case .all: return true
        case .answered: return c.has("\\Answered")
        case .deleted: return c.has("\\Deleted")
        case .draft: return c.has("\\Draft")
        case .flagged: return c.has("\\Flagged")
        case .seen: return c.has("\\Seen")
        case .unanswered: return !c.has("\\Answered")
        case .undeleted: return !c.has("\\Deleted")
        case .undraft: return !c.has("\\Draft")
        case .unflagged: return !c.has("\\Flagged")
        case .unseen: return !c.has("\\Seen")
        case .recent: return c.has("\\Recent")
        case .new: return c.has("\\Recent") && !c.has("\\Seen")
        case .old: return !c.has("\\Recent")
        case .keyword(let f): return c.has(f.name)
        case .unkeyword(let f): return !c.has(f.name)
        case .bcc(let s): return c.mime.headerContains("Bcc", s)
        case .cc(let s): return c.mime.headerContains("Cc", s)
        case .from(let s): return c.mime.headerContains("From", s)
        case .to(let s): return c.mime.headerContains("To", s)
        case .subject(let s): return c.mime.headerContains("Subject", s)
        case .header(let field, let s): return c.mime.headerContains(field, s)
        case .body(let s): return c.mime.bodyContains(s)
        case .text(let s): return c.mime.textContains(s)
        case .before(let d): return Self.day(of: c.record) < d
        case .on(let d): return Self.day(of: c.record) == d
        case .since(let d): return Self.day(of: c.record) >= d
        case .sentBefore(let d): return Self.sentDay(c).map { $0 < d } ?? false
        case .sentOn(let d): return Self.sentDay(c).map { $0 == d } ?? false
        case .sentSince(let d): return Self.sentDay(c).map { $0 >= d } ?? false
        case .older(let secs): return c.record.internalDate <= Int64(Date().timeIntervalSince1970) - Int64(secs)
        case .younger(let secs): return c.record.internalDate >= Int64(Date().timeIntervalSince1970) - Int64(secs)
        case .larger(let n): return UInt64(c.record.size) > n
        case .smaller(let n): return UInt64(c.record.size) < n
        case .sequenceSet(let set):
            if set.isSavedResult { return savedSearch.contains(c.uid) }
            return set.contains(UInt32(c.seq), max: UInt32(view.count))
        case .uid(let set):
            if set.isSavedResult { return savedSearch.contains(c.uid) }
            return set.contains(c.uid, max: view.lastUID)
        case .not(let k): return !matches(k, c)
        case .or(let a, let b): return matches(a, c) || matches(b, c)
        case .and(let keys): return keys.allSatisfy { matches($0, c) }
        case .modSeq(_, let n): return c.record.modSeq >= n
        case .emailID(let id): return c.record.emailID == id
        case .threadID: return false
        }
    }

    static func day(of record: MessageRecord) -> IMAPDate {
        IMAPSession.internalDate(record).date
    }

    static func sentDay(_ c: Candidate) -> IMAPDate? {
        guard let date = c.mime.sentDate else { return nil }
        return IMAPSession.civilDate(Int64(date.timeIntervalSince1970), zoneMinutes: 0).date
    }

    /// Whether the key needs MODSEQ in the result (RFC 7162 §3.1.5).
    static func mentionsModSeq(_ key: SearchKey) -> Bool {
        switch key {
        case .modSeq: return true
        case .not(let k): return mentionsModSeq(k)
        case .or(let a, let b): return mentionsModSeq(a) || mentionsModSeq(b)
        case .and(let keys): return keys.contains(where: mentionsModSeq)
        default: return false
        }
    }
}
