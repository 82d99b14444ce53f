import MUpdate
import Auth
import Transport
import Logging
import IMAPWire
import Synchronization
import Spool

extension IMAPSession {
    var condstore: Bool { enabled.contains("CONDSTORE") }
    var qresync: Bool { enabled.contains("QRESYNC") }

    /// SELECT and EXAMINE, with CONDSTORE and QRESYNC (RFC 7162 §3.2.5).
    func select(_ tag: String, _ name: MailboxName, _ params: [SelectParameter], readOnly: Bool) async {
        if selected != nil {
            deselect()
            // resp-text needs at least one character after the code (RFC 3501 §9, `text`).
            if condstore { untagged(.state(.ok(ResponseText(code: .closed, text: "Ok")))) }
        }
        guard let iname = resolve(tag, name) else { return }
        guard let record = visibleMailbox(tag, iname, need: "r") else { return }
        var qresyncParams: QResyncParameters? = nil
        for p in params {
            switch p {
            case .condStore: enabled.insert("CONDSTORE")
            case .qresync(let q):
                guard qresync else { return bad(tag, "QRESYNC is not enabled") }
                qresyncParams = q
            case .other: return bad(tag, "Unknown SELECT parameter")
            }
        }
        let r = rights(record)
        let ro = readOnly || !(r.has("s") || r.has("w") || r.has("t") || r.has("e") || r.has("i"))
        do {
            let (fresh, messages) = try ctx.spool.messages(iname, user: user)
            let recentAbove = ro ? try ctx.spool.recentUID(iname) : try ctx.spool.claimRecent(iname)
            let view = SelectedMailbox(record: fresh, messages: messages, readOnly: ro, recentAbove: recentAbove)
            selected = view
            startObserving(fresh.uniqueID)
            untagged(.flags(view.flagList.map(Flag.init)))
            let permanent = ro ? [] : view.flagList.map(Flag.init) + [Flag.wildcard]
            untagged(.state(.ok(ResponseText(code: .permanentFlags(permanent), text: "Ok"))))
            untagged(.exists(UInt32(view.count)))
            untagged(.recent(UInt32(view.recent.count)))
            if let first = view.messages.records.firstIndex(where: { !$0.flags.contains("\\Seen") }) {
                untagged(.state(.ok(ResponseText(code: .unseen(UInt32(first + 1)), text: "Ok"))))
            }
            untagged(.state(.ok(ResponseText(code: .uidValidity(fresh.uidValidity), text: "Ok"))))
            untagged(.state(.ok(ResponseText(code: .uidNext(fresh.uidNext), text: "Ok"))))
            untagged(.state(.ok(ResponseText(code: .highestModSeq(fresh.highestModSeq), text: "Ok"))))
            untagged(.state(.ok(ResponseText(code: .mailboxID(fresh.uniqueID), text: "Ok"))))
            if let q = qresyncParams, q.uidValidity == fresh.uidValidity {
                try qresyncReport(view, q)
            }
            ok(tag, "Completed", code: ro ? .readOnly : .readWrite)
        } catch {
            selected = nil
            fail(tag, error, readOnly ? "EXAMINE" : "SELECT")
        }
    }

    /// RFC 7162 §3.2.5.1: what changed since the client's modseq: VANISHED (EARLIER) and FETCH.
    func qresyncReport(_ view: SelectedMailbox, _ q: QResyncParameters) throws {
        let changes = try ctx.spool.changes(view.record.name, since: q.modSeq, user: user)
        let known = q.knownUIDs.map { set in { (uid: UInt32) in set.contains(uid, max: view.lastUID) } }
        let vanished = changes.expunged.filter { known?($0) ?? true }
        if !vanished.isEmpty { untagged(.vanished(earlier: true, uids: SequenceSet.of(vanished))) }
        for rec in changes.changed {
            guard let seq = view.sequence(of: rec.uid), known?(rec.uid) ?? true else { continue }
            untagged(.fetch(UInt32(seq), [.uid(rec.uid), .flags(view.flags(rec.uid).map(Flag.init)), .modSeq(rec.modSeq)]))
        }
    }

    func deselect() {
        selected = nil
        observer?.cancel()
        observer = nil
    }

    func startObserving(_ uniqueID: String) {
        observer?.cancel()
        let stream = ctx.spool.observe(uniqueID: uniqueID)
        observer = Task(executorPreference: conn.executor) { [sink, shared] in
            for await _ in stream {
                if !shared.changePending.exchange(true, ordering: .relaxed) { sink.yield(.mailboxChanged) }
            }
        }
    }

    /// Catches the view up with the spool: new messages (EXISTS), flag changes (FETCH), and,
    /// where allowed, expunges (EXPUNGE, or VANISHED with QRESYNC).
    func syncView(allowExpunge: Bool) {
        guard let view = selected else { return }
        // Nothing committed since the view's modseq, and no expunge waiting to be announced.
        if ctx.spool.unchanged(uniqueID: view.record.uniqueID, since: view.modSeq),
            !(allowExpunge && !view.pendingExpunges.isEmpty)
        {
            return
        }
        guard let changes = try? ctx.spool.changes(view.record.name, since: view.modSeq, user: user) else {
            if ctx.spool.mailbox(named: view.record.name) == nil {
                if ctx.spool.wasMovedAway(view.record.name) {
                    untagged(.bye(ResponseText(code: .unavailable, text: "Selected mailbox was moved to another server")))
                    done = true
                    return
                }
                untagged(.bye(ResponseText(code: .nonExistent, text: "Selected mailbox was deleted")))
                done = true
            }
            return
        }
        var added = 0
        var newKeywords = false
        for rec in changes.changed {
            if let old = view.messages[rec.uid] {
                guard old.flags != rec.flags || old.modSeq != rec.modSeq else { continue }
                view.messages[rec.uid] = rec
                if let seq = view.sequence(of: rec.uid), old.flags != rec.flags || condstore {
                    var attrs: [MessageAttribute] = [.flags(view.flags(rec.uid).map(Flag.init))]
                    if qresync || condstore { attrs.insert(.uid(rec.uid), at: 0) }
                    if condstore { attrs.append(.modSeq(rec.modSeq)) }
                    untagged(.fetch(UInt32(seq), attrs))
                }
            } else if rec.uid > view.lastUID {
                view.messages[rec.uid] = rec
                added += 1
            } else {
                continue
            }
            for k in rec.flags where !k.hasPrefix("\\") && view.keywords.insert(k).inserted { newKeywords = true }
        }
        for uid in changes.expunged where view.messages[uid] != nil { view.pendingExpunges.insert(uid) }
        if allowExpunge && !view.pendingExpunges.isEmpty {
            let gone = view.pendingExpunges.sorted()
            view.pendingExpunges = []
            if qresync {
                for uid in gone {
                    view.messages[uid] = nil
                    view.recent.remove(uid)
                }
                untagged(.vanished(earlier: false, uids: SequenceSet.of(gone)))
            } else {
                for uid in gone.reversed() {
                    guard let seq = view.sequence(of: uid) else { continue }
                    view.messages[uid] = nil
                    view.recent.remove(uid)
                    untagged(.expunge(UInt32(seq)))
                }
            }
        }
        if newKeywords {
            untagged(.flags(view.flagList.map(Flag.init)))
            if !view.readOnly {
                untagged(.state(.ok(ResponseText(code: .permanentFlags(view.flagList.map(Flag.init) + [Flag.wildcard]), text: "Ok"))))
            }
        }
        if added > 0 {
            // RFC 3501 §2.3.2: this session is the first to learn of the new messages, so they
            // are \Recent here; a read-write view claims them as SELECT does.
            if !view.readOnly, let above = try? ctx.spool.claimRecent(view.record.name) {
                for uid in view.uids.suffix(added) where uid > above { view.recent.insert(uid) }
            }
            untagged(.exists(UInt32(view.count)))
            untagged(.recent(UInt32(view.recent.count)))
        }
        view.record.uidNext = changes.uidNext
        view.record.highestModSeq = changes.highestModSeq
        view.modSeq = changes.highestModSeq
    }

    /// IDLE (RFC 2177): changes are pushed as they commit, until DONE.
    func idle(_ tag: String) {
        idleTag = tag
        decoder.mode = .lines
        continuation("idling")
        if selected != nil { syncView(allowExpunge: true) }
    }

    /// CLOSE (expunging silently when the mailbox is writable) and UNSELECT.
    func close(_ tag: String, expunge: Bool) async {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        if expunge && !view.readOnly && rights(view.record).has("e") {
            let (spool, name) = (ctx.spool, view.record.name)
            _ = try? await BlockingWork.run { try spool.expunge(name, uids: nil) }
        }
        deselect()
        ok(tag, "Completed")
    }

    /// EXPUNGE and UID EXPUNGE (RFC 4315: only the given UIDs that are \Deleted).
    func expunge(_ tag: String, uids set: SequenceSet?) async {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard !view.readOnly else { return no(tag, "Mailbox is read-only", code: .readOnly) }
        guard rights(view.record).has("e") else { return no(tag, "Permission denied", code: .noPerm) }
        do {
            var uids: [UInt32]? = nil
            if let set {
                let (_, messages) = try ctx.spool.messages(view.record.name, user: user)
                let max = messages.last?.uid ?? 0
                uids = messages.filter { set.contains($0.uid, max: max) && $0.flags.contains("\\Deleted") }.map(\.uid)
            }
            let (spool, name, chosen) = (ctx.spool, view.record.name, uids)
            _ = try await BlockingWork.run { try spool.expunge(name, uids: chosen) }
            syncView(allowExpunge: true)
            ok(tag, "Completed", code: condstore ? .highestModSeq(view.modSeq) : nil)
        } catch {
            fail(tag, error, "EXPUNGE")
        }
    }
}

extension SequenceSet {
    /// The shortest set of ranges for sorted UIDs.
    static func of(_ sorted: [UInt32]) -> SequenceSet {
        var ranges: [SequenceRange] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            ranges.append(i == j ? SequenceRange(sorted[i]) : SequenceRange(sorted[i]...sorted[j]))
            i = j + 1
        }
        return SequenceSet(ranges)
    }
}
