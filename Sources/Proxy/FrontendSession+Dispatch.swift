import IMAPWire
import Logging
import MUpdate
import Transport

/// The routing table of SPEC.md §6.
extension FrontendSession {
    func handle(_ event: CommandDecoder.Event) async {
        switch event {
        case .command(let tagged):
            await settle()
            guard !done else { return }
            await dispatch(tagged)
        case .passthroughLine(let bytes, let info):
            passthroughLine(bytes, info)
        case .passthroughBytes(let bytes, _):
            await passthroughBytes(bytes)
        case .literalRequest:
            // A refused APPEND does not want its message.
            if append == nil || appendLiteralRequested() { continuation("Ready for literal data") }
        case .appendStart(let start):
            await settle()
            guard !done else { return }
            await appendStart(start)
        case .appendMessage(let header):
            appendMessage(header)
        case .appendBytes(let bytes):
            await appendBytes(bytes)
        case .appendMessageEnd:
            break
        case .appendEnd:
            await appendEnd()
        case .line(let line):
            if idleTag != nil {
                relayDone(line)
            } else if let auth = authentication {
                await saslResponse(line, auth)
            } else {
                decoder.mode = .commands
            }
        case .bad(let bad):
            if append != nil { await refuseAppend() }
            let text = Self.describe(bad)
            if let frame = bad.underlying as? FrameRefused, frame.error.reason == .literalTooLarge, let tag = bad.tag {
                return no(tag, "Message larger than APPENDLIMIT \(ctx.settings.maxLiteralBytes)", code: .other(name: "TOOBIG", text: nil))
            }
            if let tag = bad.tag { self.bad(tag, text) } else { untagged(.state(.bad(ResponseText(text: text)))) }
        case .fatal(let bad):
            untagged(.bye(ResponseText(text: "Protocol error: \(Self.describe(bad)); closing connection")))
            done = true
        }
    }

    static func describe(_ bad: BadCommand) -> String {
        if let limit = bad.underlying as? LimitExceeded { return "\(limit)" }
        if let frame = bad.underlying as? FrameRefused { return "\(frame)" }
        if let parse = bad.underlying as? ParserError { return "\(parse)" }
        return "invalid command"
    }

    func dispatch(_ tagged: TaggedCommand) async {
        let tag = tagged.tag
        switch tagged.command {
        case .capability:
            let caps = ctx.capabilities(authenticated: identity != nil, mechanisms: identity == nil ? mechanisms() : [], tls: client.isTLS)
            untagged(.capability(caps))
            return ok(tag, "CAPABILITY completed")
        case .noop:
            return ok(tag, "NOOP completed")
        case .logout:
            untagged(.bye(ResponseText(text: "LOGOUT received")))
            ok(tag, "LOGOUT completed")
            done = true
            return
        case .id:
            untagged(.id([IDField("name", "Murder"), IDField("vendor", "Murder project")]))
            return ok(tag, "ID completed")
        case .startTLS:
            return await startTLS(tag)
        case .compress:
            return no(tag, "COMPRESS is not offered by this frontend", code: .cannot)
        case .login(let user, let password):
            guard identity == nil else { return bad(tag, "Already authenticated") }
            return await login(tag, user, password)
        case .authenticate(let mechanism, let initial):
            guard identity == nil else { return bad(tag, "Already authenticated") }
            return await authenticate(tag, mechanism, initial)
        default:
            break
        }
        guard identity != nil else { return bad(tag, "Please log in first") }
        switch tagged.command {
        case .enable(let caps):
            await enable(tag, caps)
        case .namespace:
            namespaceResponse(tag)
        case .select(let name, _), .examine(let name, _):
            await select(tagged, name)
        case .list(let command):
            await list(tagged, command)
        case .xlist(let reference, let pattern):
            listLocal(tag, ListCommand(reference: reference, patterns: [pattern]), verb: "XLIST")
        case .lsub(let reference, let pattern):
            await lsub(tag, reference, pattern)
        case .subscribe(let name):
            guard await record(for: name) != nil else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
            await toInbox(tagged)
        case .unsubscribe:
            await toInbox(tagged)
        case .myRights(let name):
            await myRights(tag, name)
        case .getACL(let name):
            await getACL(tagged, name)
        case .status(let name, _), .delete(let name), .setACL(let name, _, _), .deleteACL(let name, _),
            .listRights(let name, _), .getQuotaRoot(let name):
            await toOwner(tagged, name)
        case .getQuota(let root), .setQuota(let root, _):
            await toOwner(tagged, MailboxName(root))
        case .getMetadata(_, let name, _), .setMetadata(let name, _):
            if name.bytes.isEmpty { await toInbox(tagged) } else { await toOwner(tagged, name) }
        case .create(let name, let partition, _):
            await create(tagged, name, partition: partition)
        case .rename(let from, let to, let partition):
            await rename(tagged, from, to, partition: partition)
        case .close, .unselect:
            await closeSelected(tagged)
        case .copy(_, let name), .uidCopy(_, let name), .move(_, let name), .uidMove(_, let name):
            await copyOrMove(tagged, name)
        case .idle:
            // RFC 9051 §6.3.13: IDLE in the authenticated state too; nothing to report but
            // the end.
            idleTag = tag
            decoder.mode = .lines
            startPolledIdle()
        case .fetch, .uidFetch, .store, .uidStore, .search, .uidSearch, .sort, .uidSort, .thread, .uidThread,
            .expunge, .uidExpunge, .check:
            // Relayed while selected (the decoder hands them out raw); here only without a mailbox.
            bad(tag, "No mailbox selected")
        case .localAppend:
            bad(tag, "LOCALAPPEND is for frontends talking to backends")
        default:
            bad(tag, "Command not supported by this frontend")
        }
    }

    /// RFC 5161 ENABLE, replayed on the open backend connections now and on later ones.
    func enable(_ tag: String, _ caps: [String]) async {
        var now: [String] = []
        for cap in caps.map({ $0.uppercased() }) where ["CONDSTORE", "QRESYNC"].contains(cap) {
            if enabled.insert(cap).inserted { now.append(cap) }
            if cap == "QRESYNC" { enabled.insert("CONDSTORE") }
        }
        for link in Array(links.values) {
            do { try await replayEnable(link) } catch { logger.info("ENABLE at \(link.server) failed: \(error)") }
        }
        untagged(.enabled(now))
        ok(tag, "ENABLE completed")
    }

    func namespaceResponse(_ tag: String) {
        let p = ns.prefixes
        let sep = ns.separator
        untagged(.namespace(NamespaceResponse(
            personal: [NamespaceDescription(prefix: p.personal, delimiter: sep)],
            otherUsers: [NamespaceDescription(prefix: p.other, delimiter: sep)],
            shared: [NamespaceDescription(prefix: p.shared, delimiter: sep)])))
        ok(tag, "NAMESPACE completed")
    }

    // MARK: Routing

    /// The list record of a client's mailbox name, looking again after the freshness barrier
    /// when it is missing or reserved (SPEC.md §4.2).
    func record(for name: MailboxName) async -> MUpdateRecord? {
        guard let internalName = ns.internalName(name.description, user: user) else { return nil }
        let key = InternalMailboxName(internalName)
        if let record = ctx.list.record(key), record.state == .active { return record }
        _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout)
        return ctx.list.record(key)
    }

    /// A command proxied to `link` under the client's tag; the untagged answers and then the
    /// tagged one are relayed. Returns the tagged answer (nil when the backend failed).
    @discardableResult
    func proxy(_ tagged: TaggedCommand, to link: BackendLink) async -> BackendResponse? {
        var buffer = EncodeBuffer(.clientLiteralPlus)
        buffer.writeTaggedCommand(tagged)
        link.pending += buffer.bytes
        await flush(link)
        do {
            let (_, answer) = try await readAnswer(link, tag: tagged.tag, untagged: .forward)
            write(answer.bytes)
            return answer
        } catch {
            await backendFailed(tagged.tag, link, error)
            return nil
        }
    }

    /// A backend failed while a command needed it: the command fails, and the session too when
    /// it was the selected backend.
    func backendFailed(_ tag: String, _ link: BackendLink, _ error: BackendUnavailable) async {
        if selected?.server == link.server {
            await selectedBackendFailed(link, error)
        } else {
            logger.info("\(error)")
            no(tag, "Backend \(link.server) is unavailable", code: .unavailable)
        }
    }

    /// The connection to `server`, or nil after answering `NO [UNAVAILABLE]` (SPEC.md §5: one
    /// reconnection attempt per command).
    func connected(_ tag: String, _ server: String) async -> BackendLink? {
        do {
            return try await link(for: server)
        } catch {
            logger.info("\(error)")
            no(tag, "Backend \(server) is unavailable", code: .unavailable)
            return nil
        }
    }

    /// Proxies a command to the backend holding `name`.
    func toOwner(_ tagged: TaggedCommand, _ name: MailboxName) async {
        guard let record = await record(for: name) else {
            return no(tagged.tag, "Mailbox does not exist", code: .nonExistent)
        }
        guard record.state == .active else {
            return no(tagged.tag, "Mailbox is being moved", code: .unavailable)
        }
        guard let link = await connected(tagged.tag, record.location.server.description) else { return }
        guard let answer = await proxy(tagged, to: link) else { return }
        // A change the backend registers at the master: wait until the list shows it, so the
        // next command (here or on another frontend) sees it.
        switch tagged.command {
        case .delete, .setACL, .deleteACL:
            if answer.status == .ok { _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout) }
        default:
            break
        }
    }

    /// The backend of the user's INBOX, where subscriptions and server metadata live.
    var inboxServer: String? {
        ctx.list.record(InternalMailboxName(ns.internalName("INBOX", user: user) ?? ""))?.location.server.description
    }

    func toInbox(_ tagged: TaggedCommand) async {
        guard let server = inboxServer else {
            return no(tagged.tag, "Your INBOX is not in the mailbox list", code: .unavailable)
        }
        guard let link = await connected(tagged.tag, server) else { return }
        await proxy(tagged, to: link)
    }

    // MARK: SELECT

    func select(_ tagged: TaggedCommand, _ name: MailboxName) async {
        let tag = tagged.tag
        guard let record = await record(for: name) else {
            await leaveSelected()
            return no(tag, "Mailbox does not exist", code: .nonExistent)
        }
        guard record.state == .active else {
            await leaveSelected()
            return no(tag, "Mailbox is being moved", code: .unavailable)
        }
        let server = record.location.server.description
        if let current = selected, current.server != server { await leaveSelected() }
        guard let link = await connected(tag, server) else {
            selected = nil
            decoder.passthrough = nil
            return
        }
        do { try await replayEnable(link) } catch {}
        var readOnly = false
        if case .examine = tagged.command { readOnly = true }
        // Until the backend's answer the old selection (if on this backend) still stands there.
        guard let answer = await proxy(tagged, to: link) else {
            selected = nil
            decoder.passthrough = nil
            return
        }
        if answer.status == .ok {
            selected = SelectedState(server: server, name: name, record: record, readOnly: readOnly)
            decoder.passthrough = Self.passthrough
        } else {
            // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected.
            selected = nil
            decoder.passthrough = nil
        }
    }

    /// Ends the selection at the backend (UNSELECT, or CLOSE without it) before selecting elsewhere.
    func leaveSelected() async {
        guard let current = selected else { return }
        selected = nil
        decoder.passthrough = nil
        guard let link = links[current.server] else { return }
        do {
            try await exchange(link, Array((link.has("UNSELECT") ? "UNSELECT" : "EXAMINE \"\"").utf8), untagged: .drop)
        } catch {
            logger.info("UNSELECT at \(current.server) failed: \(error)")
        }
    }

    func closeSelected(_ tagged: TaggedCommand) async {
        guard let link = selectedLink else { return bad(tagged.tag, "No mailbox selected") }
        await proxy(tagged, to: link)
        selected = nil
        decoder.passthrough = nil
    }
}
