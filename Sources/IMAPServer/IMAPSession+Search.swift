import MUpdate
import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import MIME
import Spool

extension IMAPSession {
    static let charsets = ["UTF-8", "US-ASCII"]

    /// The candidates matching a key, in sequence order.
    func searchMatches(_ view: SelectedMailbox, _ key: SearchKey) -> [SearchEvaluator.Candidate] {
        let evaluator = SearchEvaluator(view: view, savedSearch: savedSearch)
        var out: [SearchEvaluator.Candidate] = []
        for (i, uid) in view.uids.enumerated() {
            guard let record = view.messages[uid] else { continue }
            let mailbox = view.record
            let spool = ctx.spool
            let c = SearchEvaluator.Candidate(
                seq: i + 1, uid: uid, record: record, flags: view.flags(uid),
                load: { (try? spool.messageBytes(mailbox, uid: uid)) ?? [] }
            )
            if evaluator.matches(key, c) { out.append(c) }
        }
        return out
    }

    func checkCharset(_ tag: String, _ charset: String?) -> Bool {
        guard let charset, !Self.charsets.contains(charset.uppercased()) else { return true }
        no(tag, "Unsupported charset", code: .badCharset(Self.charsets))
        return false
    }

    /// SEARCH / UID SEARCH, with ESEARCH return options (RFC 4731) and SAVE (RFC 5182).
    func search(_ tag: String, _ command: SearchCommand, uid: Bool) {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard checkCharset(tag, command.charset) else { return }
        let found = searchMatches(view, command.key)
        let numbers = found.map { uid ? $0.uid : UInt32($0.seq) }
        let modSeq: UInt64? = SearchEvaluator.mentionsModSeq(command.key) && !found.isEmpty
            ? found.map(\.record.modSeq).max() : nil
        if SearchEvaluator.mentionsModSeq(command.key) { enabled.insert("CONDSTORE") }
        guard let options = command.returnOptions else {
            untagged(.search(numbers, modSeq: modSeq))
            return ok(tag, "Completed (\(numbers.count) msgs)")
        }
        let opts = options.isEmpty ? [SearchReturnOption.all] : options
        if opts.contains(.save) { savedSearch = found.map(\.uid) }
        var data: [ESearchReturnData] = []
        let onlySave = opts == [.save]
        if !numbers.isEmpty || opts.contains(.count) {
            for o in opts {
                switch o {
                case .min: if let m = numbers.min() { data.append(.min(m)) }
                case .max: if let m = numbers.max() { data.append(.max(m)) }
                case .all: if !numbers.isEmpty { data.append(.all(SequenceSet.of(numbers.sorted()))) }
                case .count: data.append(.count(UInt32(numbers.count)))
                case .save: break
                }
            }
        }
        if let modSeq, !data.isEmpty { data.append(.modSeq(modSeq)) }
        if !onlySave {
            untagged(.esearch(ESearchResponse(correlator: tag, uid: uid, returnData: data)))
        }
        ok(tag, "Completed")
    }

    /// SORT / UID SORT (RFC 5256).
    func sort(_ tag: String, _ command: SortCommand, uid: Bool) {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard checkCharset(tag, command.charset) else { return }
        let found = searchMatches(view, command.key)
        func compare(_ a: SearchEvaluator.Candidate, _ b: SearchEvaluator.Candidate) -> Bool {
            for c in command.criteria {
                let r = Self.sortOrder(c.key, a, b)
                if r != .orderedSame { return c.reverse ? r == .orderedDescending : r == .orderedAscending }
            }
            return a.seq < b.seq
        }
        let sorted = found.sorted(by: compare)
        untagged(.sort(sorted.map { uid ? $0.uid : UInt32($0.seq) }, modSeq: nil))
        ok(tag, "Completed")
    }

    static func sortOrder(_ key: SortCriterion.Key, _ a: SearchEvaluator.Candidate, _ b: SearchEvaluator.Candidate)
        -> ComparisonResult
    {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult {
            x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        }
        switch key {
        case .arrival: return cmp(a.record.internalDate, b.record.internalDate)
        case .size: return cmp(a.record.size, b.record.size)
        case .date:
            let da = a.mime.sentDate.map { Int64($0.timeIntervalSince1970) } ?? a.record.internalDate
            let db = b.mime.sentDate.map { Int64($0.timeIntervalSince1970) } ?? b.record.internalDate
            return cmp(da, db)
        case .subject:
            let x = SearchText.fold(Array(a.mime.baseSubject.utf8))
            let y = SearchText.fold(Array(b.mime.baseSubject.utf8))
            return x == y ? .orderedSame : x.lexicographicallyPrecedes(y) ? .orderedAscending : .orderedDescending
        case .from: return cmp(a.mime.sortAddress("From"), b.mime.sortAddress("From"))
        case .to: return cmp(a.mime.sortAddress("To"), b.mime.sortAddress("To"))
        case .cc: return cmp(a.mime.sortAddress("Cc"), b.mime.sortAddress("Cc"))
        case .displayFrom: return cmp(a.mime.sortDisplay("From"), b.mime.sortDisplay("From"))
        case .displayTo: return cmp(a.mime.sortDisplay("To"), b.mime.sortDisplay("To"))
        }
    }

    /// THREAD / UID THREAD: ORDEREDSUBJECT and REFERENCES (RFC 5256 §3).
    func thread(_ tag: String, _ command: ThreadCommand, uid: Bool) {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard checkCharset(tag, command.charset) else { return }
        let found = searchMatches(view, command.key)
        let inputs = found.map { c -> ThreadInput in
            let m = c.mime
            let subject = m.subjectKey
            return ThreadInput(
                id: uid ? c.uid : UInt32(c.seq), baseSubject: subject.text, isReplyOrForward: subject.isReplyOrForward,
                sentDate: m.sentDate ?? Date(timeIntervalSince1970: TimeInterval(c.record.internalDate)),
                messageID: m.messageID, inReplyTo: m.inReplyTo, references: m.references
            )
        }
        switch command.algorithm {
        case .orderedSubject: untagged(.thread(ThreadAlgorithms.orderedSubject(inputs)))
        case .references: untagged(.thread(ThreadAlgorithms.references(inputs)))
        case .other: return no(tag, "Unsupported THREAD algorithm", code: .cannot)
        }
        ok(tag, "Completed")
    }
}
