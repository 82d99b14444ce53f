import MUpdate
import Auth
import Transport
import Logging
import IMAPWire
import Spool

extension IMAPSession {
    /// STORE / UID STORE with UNCHANGEDSINCE (RFC 7162 §3.1.3). Rights: `s` for \Seen, `t` for
    /// \Deleted, `w` for the rest (RFC 4314 §4).
    func store(_ tag: String, _ command: StoreCommand, uid: Bool) async {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard let targets = resolveSet(view, command.set, uid: uid) else {
            return bad(tag, "Invalid message sequence number")
        }
        guard !view.readOnly else { return no(tag, "Mailbox is read-only", code: .readOnly) }
        var unchangedSince: UInt64? = nil
        for m in command.modifiers {
            switch m {
            case .unchangedSince(let n):
                unchangedSince = n
                enabled.insert("CONDSTORE")
            case .other: return bad(tag, "Unknown STORE modifier")
            }
        }
        let r = rights(view.record)
        var flags = command.data.flags.map(\.name).filter { $0.lowercased() != "\\recent" }
        for f in flags where f.hasPrefix("\\") {
            let known = ["\\seen", "\\answered", "\\flagged", "\\deleted", "\\draft"]
            if !known.contains(f.lowercased()) { return bad(tag, "Invalid system flag \(f)") }
        }
        // Silently drop what the user may not change, as Cyrus does; refuse if nothing is left.
        let allowed = flags.filter { f in
            switch f.lowercased() {
            case "\\seen": return r.has("s")
            case "\\deleted": return r.has("t")
            default: return r.has("w")
            }
        }
        if allowed.count < flags.count && command.data.operation != .replace {
            if allowed.isEmpty && !flags.isEmpty { return no(tag, "Permission denied", code: .noPerm) }
        }
        flags = allowed
        let op: FlagOperation
        switch command.data.operation {
        case .add: op = .add
        case .remove: op = .remove
        case .replace: op = .replace
        }
        let uids = targets.map(\.1).filter { !view.pendingExpunges.contains($0) }
        do {
            let (spool, name, user, change, since) = (ctx.spool, view.record.name, user, flags, unchangedSince)
            let result = try await BlockingWork.run {
                try spool.store(name, uids: uids, op, change, user: user, unchangedSince: since)
            }
            var changed: Set<UInt32> = []
            var newKeywords = false
            for rec in result.updated {
                view.messages[rec.uid] = rec
                changed.insert(rec.uid)
                for k in rec.flags where !k.hasPrefix("\\") && view.keywords.insert(k).inserted { newKeywords = true }
            }
            // A keyword new to the mailbox changes the defined flags (RFC 3501 §7.2.6): announce
            // them before the FETCH responses that use it.
            if newKeywords {
                let flags = view.flagList.map(Flag.init)
                untagged(.flags(flags))
                untagged(.state(.ok(ResponseText(code: .permanentFlags(flags + [Flag.wildcard]), text: "Ok"))))
            }
            // Not silent: every message's flags (RFC 3501 §6.4.6). Silent with CONDSTORE: the
            // changed ones with their new MODSEQ (RFC 7162 §3.1.3).
            for (seq, u) in targets where !result.modified.contains(u) {
                guard let rec = view.messages[u] else { continue }
                if command.data.silent && !(condstore && changed.contains(u)) { continue }
                var attrs: [MessageAttribute] = []
                if uid { attrs.append(.uid(u)) }
                if !command.data.silent { attrs.append(.flags(view.flags(u).map(Flag.init))) }
                if condstore { attrs.append(.modSeq(rec.modSeq)) }
                untagged(.fetch(UInt32(seq), attrs))
            }
            if !result.modified.isEmpty {
                let numbers = uid ? result.modified : result.modified.compactMap { view.sequence(of: $0).map(UInt32.init) }
                return ok(tag, "Conditional STORE failed", code: .modified(SequenceSet.of(numbers.sorted())))
            }
            ok(tag, "Completed")
        } catch {
            fail(tag, error, "STORE")
        }
    }

    /// COPY / MOVE within the backend (files are linked). COPYUID per RFC 4315; MOVE expunges
    /// the source and reports it (RFC 6851).
    func copy(_ tag: String, _ set: SequenceSet, _ name: MailboxName, uid: Bool, move: Bool) async {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard let targets = resolveSet(view, set, uid: uid) else { return bad(tag, "Invalid message sequence number") }
        guard let iname = resolve(tag, name) else { return }
        guard let destination = ctx.spool.mailbox(named: iname) else {
            return no(tag, "Mailbox does not exist", code: .tryCreate)
        }
        let dr = rights(destination)
        guard dr.has("i") else {
            return no(tag, "Permission denied", code: dr.has("l") ? .noPerm : .tryCreate)
        }
        if move {
            guard !view.readOnly, rights(view.record).has("e") && rights(view.record).has("t") else {
                return no(tag, "Permission denied", code: .noPerm)
            }
        }
        let uids = targets.map(\.1).filter { !view.pendingExpunges.contains($0) }
        guard !uids.isEmpty else { return ok(tag, "Completed") }
        do {
            let (spool, source, user) = (ctx.spool, view.record.name, user)
            let result = try await BlockingWork.run { try spool.copy(source, uids: uids, to: iname, user: user, move: move) }
            let code = ResponseCode.copyUID(
                uidValidity: result.uidValidity, source: SequenceSet.of(result.sourceUIDs),
                destination: SequenceSet.of(result.destinationUIDs)
            )
            if move {
                untagged(.state(.ok(ResponseText(code: code, text: "Moved"))))
                expungeAllowed = true
                ok(tag, "Completed")
            } else {
                ok(tag, "Completed", code: code)
            }
        } catch {
            fail(tag, error, move ? "MOVE" : "COPY")
        }
    }
}
