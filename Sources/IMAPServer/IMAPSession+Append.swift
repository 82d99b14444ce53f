import MUpdate
import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import Spool

/// An APPEND or MULTIAPPEND being received: messages are staged to disk as they stream in, and
/// appended in one transaction at the end (RFC 3502: all or none).
final class AppendState {
    let tag: String
    let mailbox: MailboxName
    var internalName: String?
    /// The first failure; the rest of the command's bytes are read and dropped.
    var failure: (text: String, code: ResponseCode?)?
    /// The command is not valid in this state: answered BAD rather than NO (RFC 3501 §6.3.11).
    var refusedAsBad = false
    var items: [AppendItem] = []
    var current: StagedMessage?
    var currentOptions: AppendOptions?

    init(tag: String, mailbox: MailboxName) {
        self.tag = tag
        self.mailbox = mailbox
    }

    func fail(_ text: String, _ code: ResponseCode?) {
        if failure == nil { failure = (text, code) }
        discardAll()
    }

    func discardAll() {
        current?.discard()
        current = nil
        for item in items { item.staged.discard() }
        items = []
    }
}

extension IMAPSession {
    func appendStart(_ start: AppendStart) {
        let state = AppendState(tag: start.tag, mailbox: start.mailbox)
        append = state
        guard identity != nil else {
            state.refusedAsBad = true
            return state.fail("Please authenticate first", nil)
        }
        var iname: String? = nil
        if case .localAppend = start.kind, let text = String(validating: start.mailbox.bytes, as: UTF8.self),
            ctx.spool.mailbox(named: text) != nil
        {
            // Cyrus frontends name the mailbox by its iname name.
            iname = text
        }
        if iname == nil, let text = String(validating: start.mailbox.bytes, as: UTF8.self) {
            iname = ns.internalName(text, user: user)
        }
        guard let iname else { return state.fail("Invalid mailbox name", .cannot) }
        guard let record = ctx.spool.mailbox(named: iname) else {
            if ctx.spool.wasMovedAway(iname) { return state.fail("Mailbox was moved to another server", .unavailable) }
            return state.fail("Mailbox does not exist", .tryCreate)
        }
        let r = rights(record)
        guard r.has("l") || r.has("r") || r.has("i") else { return state.fail("Mailbox does not exist", .tryCreate) }
        guard r.has("i") else { return state.fail("Permission denied", .noPerm) }
        state.internalName = iname
    }

    func appendMessage(_ header: AppendMessageHeader) {
        guard let state = append, state.failure == nil, let iname = state.internalName else { return }
        if ctx.settings.literalMinus && header.isNonSynchronizing && header.length > 4096 {
            // RFC 7888 §5: the bytes are on the way; they are read and dropped, then BAD.
            state.refusedAsBad = true
            return state.fail("Non-synchronising literal over 4096 bytes (LITERAL-)", nil)
        }
        guard header.length <= ctx.settings.maxLiteralBytes else {
            return state.fail("Message is larger than APPENDLIMIT \(ctx.settings.maxLiteralBytes)", .tooBig)
        }
        do {
            state.current = try ctx.spool.stage(for: iname)
            state.currentOptions = header.options
        } catch {
            if ctx.spool.wasMovedAway(iname) { return state.fail("Mailbox was moved to another server", .unavailable) }
            state.fail("Cannot store the message", .serverBug)
            logger.error("APPEND staging failed: \(error)")
        }
    }

    /// A synchronising literal of an APPEND: go ahead, or refuse now (RFC 3501 §7.5: a `NO`
    /// instead of the continuation; the client will not send the bytes).
    func appendLiteralRequested(_ request: LiteralRequest) {
        guard let state = append else { return continuation("Ready for literal data") }
        if let failure = state.failure {
            decoder.refuseLiteral()
            append = nil
            state.refusedAsBad ? bad(state.tag, failure.text) : no(state.tag, failure.text, code: failure.code)
            return
        }
        continuation("Ready for literal data")
    }

    func appendBytes(_ bytes: ArraySlice<UInt8>) {
        guard let state = append, state.failure == nil, let staged = state.current else { return }
        do {
            try staged.write(bytes)
        } catch let e as SpoolError where e.code == .tooBig {
            state.fail("Message too large", .tooBig)
        } catch {
            logger.error("APPEND write failed: \(error)")
            state.fail("Cannot store the message", .serverBug)
        }
    }

    func appendMessageEnd() async {
        guard let state = append, state.failure == nil, let staged = state.current, let options = state.currentOptions
        else { return }
        state.current = nil
        do {
            // Sealed here, synced by the spool after the rename: one round of syncs per APPEND.
            try staged.seal()
            if staged.size == 0 { return state.fail("Empty message", .cannot) }
            let flags = options.flags.map(\.name).filter { $0.lowercased() != "\\recent" }
            var date: Date? = nil
            var zone: Int? = nil
            if let d = options.internalDate {
                date = Date(timeIntervalSince1970: TimeInterval(d.secondsSinceEpoch))
                zone = d.zoneMinutes
            }
            state.items.append(AppendItem(staged: staged, flags: flags, internalDate: date, zoneMinutes: zone))
        } catch {
            logger.error("APPEND sealing failed: \(error)")
            state.fail("Cannot store the message", .serverBug)
        }
    }

    func appendEnd() async {
        guard let state = append else { return }
        append = nil
        expungeAllowed = true
        if let failure = state.failure {
            return state.refusedAsBad ? bad(state.tag, failure.text) : no(state.tag, failure.text, code: failure.code)
        }
        guard let iname = state.internalName, !state.items.isEmpty else {
            return bad(state.tag, "APPEND without a message")
        }
        do {
            let (spool, items, user) = (ctx.spool, state.items, user)
            let result = try await BlockingWork.run { try spool.append(iname, items, user: user) }
            state.items = []
            ok(
                state.tag, "Completed",
                code: .appendUID(uidValidity: result.uidValidity, uids: SequenceSet.of(result.uids))
            )
        } catch {
            state.discardAll()
            // The owner left for another backend while the message arrived (XFER).
            if ctx.spool.wasMovedAway(iname) { return no(state.tag, "Mailbox was moved to another server", code: .unavailable) }
            fail(state.tag, error, "APPEND")
        }
    }
}
