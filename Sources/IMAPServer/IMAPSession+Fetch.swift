import MUpdate
import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import MIME
import Spool

extension IMAPSession {
    /// The (sequence number, UID) pairs a set names, in ascending order. Sequence sets name
    /// sequence numbers; UID sets name UIDs (`*` is the last one; UIDs not present are skipped).
    func resolveSet(_ view: SelectedMailbox, _ set: SequenceSet, uid: Bool) -> [(Int, UInt32)]? {
        let set = set.isSavedResult ? SequenceSet.of(savedSearch) : set
        if uid {
            let maxUID = view.lastUID
            var out: [(Int, UInt32)] = []
            for range in set.normalized(max: maxUID) {
                // Walk the view's UIDs in the range (bounded by the mailbox, not by the range).
                var lo = 0
                var hi = view.uids.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if view.uids[mid] < range.lowerBound { lo = mid + 1 } else { hi = mid }
                }
                var i = lo
                while i < view.uids.count && view.uids[i] <= range.upperBound {
                    out.append((i + 1, view.uids[i]))
                    i += 1
                }
            }
            return out
        }
        let count = UInt32(view.count)
        guard count > 0 else { return [] }
        var out: [(Int, UInt32)] = []
        for range in set.normalized(max: count) {
            guard range.upperBound <= count, range.lowerBound >= 1 else { return nil }
            for seq in range { out.append((Int(seq), view.uids[Int(seq) - 1])) }
        }
        return out
    }

    func fetch(_ tag: String, _ command: FetchCommand, uid: Bool) async {
        guard let view = selected else { return bad(tag, "No mailbox selected") }
        guard let targets = resolveSet(view, command.set, uid: uid) else {
            return bad(tag, "Invalid message sequence number")
        }
        var attributes = command.attributes.expanded
        var changedSince: UInt64? = nil
        var vanished = false
        for m in command.modifiers {
            switch m {
            case .changedSince(let n):
                changedSince = n
                enabled.insert("CONDSTORE")
            case .vanished:
                guard uid, qresync else { return bad(tag, "VANISHED needs UID FETCH and QRESYNC") }
                vanished = true
            case .other: return bad(tag, "Unknown FETCH modifier")
            }
        }
        if vanished && changedSince == nil { return bad(tag, "VANISHED needs CHANGEDSINCE") }
        if uid && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        if (changedSince != nil || condstore) && !attributes.contains(.modSeq) && changedSince != nil {
            attributes.append(.modSeq)
        }
        if vanished, let since = changedSince,
            let changes = try? ctx.spool.changes(view.record.name, since: since, user: user)
        {
            let asked = changes.expunged.filter { u in command.set.contains(u, max: view.lastUID) }
            if !asked.isEmpty { untagged(.vanished(earlier: true, uids: SequenceSet.of(asked))) }
        }
        // Fetching a body without PEEK sets \Seen (RFC 3501 §6.4.5).
        let setsSeen = !view.readOnly && rights(view.record).has("s") && attributes.contains { a in
            switch a {
            case .rfc822, .rfc822Text: return true
            case .bodySection(_, _, let peek), .binary(_, _, let peek): return !peek
            default: return false
            }
        }
        if setsSeen {
            let unseen = targets.map(\.1).filter { !(view.messages[$0]?.flags.contains("\\Seen") ?? true) }
            let (spool, name, user) = (ctx.spool, view.record.name, user)
            if !unseen.isEmpty,
                let result = try? await BlockingWork.run({ try spool.store(name, uids: unseen, .add, ["\\Seen"], user: user) })
            {
                for rec in result.updated { view.messages[rec.uid] = rec }
                if !attributes.contains(.flags) { attributes.append(.flags) }
            }
        }
        for (seq, messageUID) in targets {
            guard let record = view.messages[messageUID] else { continue }
            if let since = changedSince, record.modSeq <= since { continue }
            await fetchOne(view, seq, record, attributes)
            if done { return }
            if out.bytes.count > 512 * 1024 { await flush() }
        }
        ok(tag, "Completed")
    }

    /// One `* n FETCH (…)` line. A whole message body is sent from its file without being read
    /// into memory (a zero-copy file write on engines that have it).
    func fetchOne(_ view: SelectedMailbox, _ seq: Int, _ record: MessageRecord, _ attributes: [FetchAttribute]) async {
        let path = ctx.spool.messagePath(view.record, uid: record.uid)
        var bytes: [UInt8]? = nil
        var mime: MIMEMessage? = nil
        func load() -> [UInt8] {
            if let bytes { return bytes }
            let b = (try? ctx.spool.messageBytes(view.record, uid: record.uid)) ?? []
            bytes = b
            return b
        }
        func parsed() -> MIMEMessage {
            if let mime { return mime }
            let m = MIMEMessage(load())
            mime = m
            return m
        }
        out.writeRaw("* \(seq) FETCH (")
        var first = true
        for a in attributes {
            if !first { out.writeRaw(" ") }
            first = false
            switch a {
            case .uid: out.writeMessageAttribute(.uid(record.uid))
            case .flags: out.writeMessageAttribute(.flags(view.flags(record.uid).map(Flag.init)))
            case .internalDate: out.writeMessageAttribute(.internalDate(Self.internalDate(record)))
            case .rfc822Size: out.writeMessageAttribute(.rfc822Size(UInt64(record.size)))
            case .modSeq: out.writeMessageAttribute(.modSeq(record.modSeq))
            case .emailID: out.writeMessageAttribute(.emailID(record.emailID))
            case .threadID: out.writeMessageAttribute(.threadID(nil))
            case .envelope: out.writeMessageAttribute(.envelope(parsed().envelope))
            case .body: out.writeMessageAttribute(.body(parsed().bodyStructure(extended: false)))
            case .bodyStructure: out.writeMessageAttribute(.bodyStructure(parsed().bodyStructure(extended: true)))
            case .rfc822, .rfc822Peek:
                out.writeRaw("RFC822 ")
                await writeWholeMessage(view, path, record, loaded: bytes)
            case .rfc822Header: out.writeMessageAttribute(.rfc822Header(parsed().section(SectionSpecifier(text: .header)) ?? []))
            case .rfc822Text: out.writeMessageAttribute(.rfc822Text(parsed().section(SectionSpecifier(text: .text)) ?? []))
            case .bodySection(let section, let partial, _):
                if section == .complete && partial == nil {
                    out.writeRaw("BODY[] ")
                    await writeWholeMessage(view, path, record, loaded: bytes)
                    continue
                }
                var data = section == .complete ? load() : (parsed().section(section) ?? [])
                var origin: UInt32? = nil
                if let partial {
                    data = MIMEMessage.partial(data, partial)
                    origin = UInt32(truncatingIfNeeded: partial.offset)
                }
                out.writeMessageAttribute(.bodySection(section, origin: origin, data: data))
            case .binary(let part, let partial, _):
                switch parsed().binarySection(part) {
                case .content(var data):
                    if let partial { data = MIMEMessage.partial(data, partial) }
                    out.writeMessageAttribute(.binary(section: part, data: data))
                case .notFound: out.writeMessageAttribute(.binary(section: part, data: nil))
                case .unknownEncoding: out.writeMessageAttribute(.binary(section: part, data: nil))
                }
            case .binarySize(let part):
                if case .content(let data) = parsed().binarySection(part) {
                    out.writeMessageAttribute(.binarySize(section: part, size: UInt32(truncatingIfNeeded: data.count)))
                } else {
                    out.writeMessageAttribute(.binarySize(section: part, size: 0))
                }
            }
        }
        out.writeRaw(")\r\n")
    }

    /// Bodies below this size are read into the response; larger ones go from the file.
    /// DESIGN.md measured zero-copy paying off from 64 KiB for one transfer, but a body sent
    /// from its file costs two round trips to the socket's loop (flush, then the file) and
    /// FETCH 1:* of 2,000 × 100 KB bodies spent its time in those wake-ups: read into the
    /// response they share one write per 512 KiB (measured in bench/RESULTS.md).
    static let bodyFromFileMin: Int64 = 512 << 10

    /// `{size}` CRLF and the message's bytes: from memory when already loaded or below
    /// ``bodyFromFileMin``, else straight from the file (sendfile on the io_uring engine, a
    /// `FileRegion` on NIO: the body never enters this process).
    func writeWholeMessage(_ view: SelectedMailbox, _ path: String, _ record: MessageRecord, loaded: [UInt8]?) async {
        if let loaded {
            out.writeLiteral(loaded)
            return
        }
        let size = ctx.spool.messageSize(view.record, uid: record.uid) ?? -1
        guard size >= 0 else {
            // The file is gone (expunged long ago by another session): an empty literal.
            out.writeRaw("{0}\r\n")
            return
        }
        if size < Self.bodyFromFileMin, let data = try? ctx.spool.messageBytes(view.record, uid: record.uid) {
            out.writeLiteral(data)
            return
        }
        out.writeRaw("{\(size)}\r\n")
        await flush()
        do {
            try await conn.writeFile(path: path, offset: 0, length: size)
        } catch {
            logger.info("sending \(path) failed: \(error)")
            done = true
        }
    }

    static func internalDate(_ record: MessageRecord) -> InternalDate {
        civilDate(record.internalDate, zoneMinutes: record.zoneMinutes)
    }

    /// An instant as IMAP writes it, 1-Jan-1970 for one outside the dates IMAP can hold.
    static func civilDate(_ seconds: Int64, zoneMinutes: Int) -> InternalDate {
        InternalDate(secondsSinceEpoch: seconds, zoneMinutes: zoneMinutes)
            ?? InternalDate(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, zoneMinutes: 0)!
    }
}
