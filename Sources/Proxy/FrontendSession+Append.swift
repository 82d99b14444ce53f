import IMAPWire
import Logging
import MUpdate
import Transport

/// An APPEND (or MULTIAPPEND, RFC 3502) on its way to the mailbox's backend: the message
/// literals are streamed as they arrive, never held whole.
struct ProxiedAppend {
    var tag: String
    /// The backend receiving it; nil when the command was refused before reaching one.
    var link: BackendLink?
    /// The answer of a refused APPEND, sent instead of the message's `+` (or after its bytes
    /// when they come unasked).
    var refusal: ResponseState?
}

extension FrontendSession {
    func appendStart(_ start: AppendStart) async {
        var state = ProxiedAppend(tag: start.tag, link: nil, refusal: nil)
        defer { append = state }
        guard identity != nil else {
            state.refusal = .bad(ResponseText(text: "Please log in first"))
            return
        }
        if case .localAppend = start.kind {
            state.refusal = .bad(ResponseText(text: "LOCALAPPEND is for frontends talking to backends"))
            return
        }
        guard let record = await record(for: start.mailbox) else {
            state.refusal = .no(ResponseText(code: .tryCreate, text: "Mailbox does not exist"))
            return
        }
        guard record.state == .active else {
            state.refusal = .no(ResponseText(code: .unavailable, text: "Mailbox is being moved"))
            return
        }
        let server = record.location.server.description
        do {
            let link = try await link(for: server)
            var buffer = EncodeBuffer(.clientLiteralPlus)
            buffer.writeRaw("\(start.tag) APPEND ")
            buffer.writeMailbox(start.mailbox)
            link.pending += buffer.bytes
            link.busy = true
            state.link = link
        } catch {
            logger.info("\(error)")
            state.refusal = .no(ResponseText(code: .unavailable, text: "Backend \(server) is unavailable"))
        }
    }

    func appendMessage(_ header: AppendMessageHeader) {
        guard let link = append?.link else { return }
        var buffer = EncodeBuffer(.clientLiteralPlus)
        var forwarded = header
        forwarded.isNonSynchronizing = true
        buffer.writeAppendMessageHeader(forwarded)
        link.pending += buffer.bytes
    }

    func appendBytes(_ bytes: ArraySlice<UInt8>) async {
        guard let link = append?.link else { return }
        link.pending += bytes
        if link.pending.count >= 256 * 1024 { await flush(link) }
    }

    /// The client announced a synchronising literal for the message: go on, or refuse.
    func appendLiteralRequested() -> Bool {
        guard let state = append, let refusal = state.refusal else { return true }
        append = nil
        decoder.refuseLiteral()
        tagged(state.tag, refusal)
        return false
    }

    func appendEnd() async {
        guard let state = append else { return }
        append = nil
        if let refusal = state.refusal { return tagged(state.tag, refusal) }
        guard let link = state.link else { return }
        link.pending += [0x0D, 0x0A]
        await flush(link)
        do {
            let (_, answer) = try await readAnswer(link, tag: state.tag, untagged: .forward)
            write(answer.bytes)
            link.busy = false
            // What came after the answer (updates of the selected mailbox) goes out now.
            await pumpUnsolicited(link)
        } catch {
            link.busy = false
            await backendFailed(state.tag, link, error)
        }
    }

    /// A MULTIAPPEND whose next message the client's decoder refused (a bad header, a literal
    /// over APPENDLIMIT): the backend is between two messages, so the command is ended there
    /// with bytes that cannot continue it; the backend answers BAD and keeps none of it
    /// (RFC 3502 §6), and its connection stays usable.
    func refuseAppend() async {
        guard let state = append else { return }
        guard let link = state.link else {
            append = nil
            return
        }
        append = nil
        link.pending += Array(" )\r\n".utf8)
        await flush(link)
        do {
            _ = try await readAnswer(link, tag: state.tag, untagged: .forward)
            link.busy = false
            await pumpUnsolicited(link)
        } catch {
            link.busy = false
            await backendFailed(state.tag, link, error)
        }
    }

    /// An APPEND that cannot finish because the client is gone (maybe mid-literal): its
    /// backend connection is cut mid-command, so the backend keeps none of it.
    func abandonAppend() async {
        guard let state = append else { return }
        append = nil
        guard let link = state.link else { return }
        link.busy = false
        if selected?.server == link.server {
            await selectedBackendFailed(link, BackendUnavailable(server: link.server, reason: "APPEND abandoned"))
        } else {
            await drop(link)
        }
    }
}
