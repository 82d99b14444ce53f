import IMAPWire
import Logging
import MUpdate
import Transport

/// The pure-Swift relay (DESIGN.md "The hot path: relay"): while a mailbox is selected, the
/// commands of ``FrontendSession/passthrough`` go to its backend as received and every response
/// comes back as received; the session steps in only for other commands, after every earlier
/// command's tagged answer has reached the client.
///
///     C: a1 FETCH 1:2 (FLAGS)          -> backend, verbatim
///     C: a2 UID SEARCH UNSEEN          -> backend, verbatim (pipelined)
///     C: a3 LIST "" *                  -> waits for a1 and a2's answers, then local
extension FrontendSession {
    /// The selected-state commands relayed verbatim (SPEC.md §6).
    static let passthrough = PassthroughVerbs(
        verbs: ["FETCH", "STORE", "SEARCH", "SORT", "THREAD", "EXPUNGE", "CHECK", "NOOP", "IDLE"],
        uidVerbs: ["FETCH", "STORE", "SEARCH", "SORT", "THREAD", "EXPUNGE"]
    )

    /// A line segment of a relayed command.
    func passthroughLine(_ bytes: [UInt8], _ info: LineInfo) {
        guard let link = selectedLink else { return }
        var line = bytes
        if info.isFirst {
            let tag = String(decoding: bytes[info.tag], as: UTF8.self)
            if PassthroughVerbs.word(bytes[info.verb]) == "IDLE" {
                idleTag = tag
                decoder.mode = .lines
                guard link.has("IDLE") else { return startPolledIdle() }
            }
            outstanding.append(tag)
        }
        // The frontend answers a synchronising literal itself (the client's `+`), so the
        // backend gets it non-synchronising (RFC 7888).
        if let literal = info.literal, !literal.kind.isNonSynchronizing { line = Self.nonSynchronizing(line) }
        link.pending += line
        link.lastUsed = .now
    }

    func passthroughBytes(_ bytes: ArraySlice<UInt8>) async {
        guard let link = selectedLink else { return }
        link.pending += bytes
        if link.pending.count >= 256 * 1024 { await flush(link) }
    }

    /// `{n}\r\n` at the end of `line` as `{n+}\r\n`.
    static func nonSynchronizing(_ line: [UInt8]) -> [UInt8] {
        guard let close = line.lastIndex(of: UInt8(ascii: "}")) else { return line }
        var out = line
        out.insert(UInt8(ascii: "+"), at: close)
        return out
    }

    /// IDLE's DONE, relayed (or ending a polled IDLE).
    func relayDone(_ line: [UInt8]) {
        decoder.mode = .commands
        if let poll = idlePoll {
            poll.cancel()
            idlePoll = nil
            let tag = idleTag ?? "*"
            idleTag = nil
            var buffer = ParseBuffer(line, limits: .commands)
            return (try? GrammarParser.parseIdleDone(&buffer)) != nil ? ok(tag, "IDLE terminated") : bad(tag, "Expected DONE")
        }
        guard let link = selectedLink else { return }
        link.pending += line
    }

    /// SPEC.md §6: a backend without IDLE gets a NOOP every 30 s while the client idles, and
    /// its updates are passed on.
    func startPolledIdle() {
        continuation("idling")
        nextID += 1
        let id = nextID
        idlePollID = id
        idlePoll = Task(executorPreference: client.executor) { [sink] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(30))
                if Task.isCancelled { return }
                sink.yield(.fired(id))
            }
        }
    }

    /// A polled IDLE's timer fired: NOOP at the backend, its updates to the client.
    func pollIdle() async {
        guard idlePoll != nil, let link = selectedLink else { return }
        do {
            try await exchange(link, Array("NOOP".utf8), untagged: .forward)
        } catch {
            await selectedBackendFailed(link, error)
        }
    }

    /// Relays one framing event of a backend's responses to the client: everything but a BYE
    /// (the frontend says its own) and answers to the frontend's own commands.
    func relaySegment(_ link: BackendLink, _ event: SegmentReader.Event) {
        switch event {
        case .line(let bytes, let info):
            if info.isFirst {
                link.dropping = false
                if info.responseKind == .continuation, idleTag == nil {
                    // Only IDLE's `+` is the client's business: the frontend sends literals
                    // non-synchronising.
                    link.dropping = true
                } else if info.responseKind == .untagged, info.status == .bye {
                    link.saidBye = true
                    link.dropping = true
                } else if info.responseKind == .tagged {
                    let tag = String(decoding: bytes[info.tag], as: UTF8.self)
                    if !retire(tag) { link.dropping = true }
                }
            }
            if !link.dropping { write(bytes) }
        case .literal(let chunk, _):
            if !link.dropping { write(chunk) }
        case .invalid, .close:
            break
        }
    }

    /// A tagged answer to a relayed command arrived; false when no client command has that tag.
    func retire(_ tag: String) -> Bool {
        guard let i = outstanding.firstIndex(of: tag) else { return false }
        outstanding.remove(at: i)
        if idleTag == tag {
            idleTag = nil
            decoder.mode = .commands
        }
        return true
    }

    /// Bytes from a backend while no command of the frontend's own waits on it: answers to
    /// relayed commands and unsolicited updates (EXISTS, EXPUNGE, FETCH FLAGS in IDLE).
    func pumpUnsolicited(_ link: BackendLink) async {
        if link.busy { return }
        while let event = link.reader.next() {
            switch event {
            case .invalid(let error, _), .close(let error, _):
                logger.warning("unreadable response from backend \(link.server): \(error.reason)")
                await lost(link)
                return
            default:
                break
            }
            if link === selectedLink {
                relaySegment(link, event)
            } else if case .line(_, let info) = event, info.isFirst, info.responseKind == .untagged, info.status == .bye {
                link.saidBye = true
            }
            if out.count > 256 * 1024 { await flush() }
        }
    }

    /// Waits until every relayed command was answered, relaying the answers.
    func settle() async {
        await flushLinks()
        guard !outstanding.isEmpty else { return }
        guard let link = selectedLink else {
            outstanding.removeAll()
            return
        }
        let deadline = ContinuousClock.now + ctx.settings.idleTimeout
        while !outstanding.isEmpty, !done {
            do {
                let event = try await nextEvent(link, before: deadline)
                relaySegment(link, event)
                if out.count > 256 * 1024 { await flush() }
            } catch {
                await selectedBackendFailed(link, error)
                return
            }
        }
    }

    /// The selected backend failed during a command: the session ends (SPEC.md §5).
    func selectedBackendFailed(_ link: BackendLink, _ error: BackendUnavailable) async {
        logger.warning("lost the selected backend: \(error)")
        await drop(link)
        write(Array("* BYE [UNAVAILABLE] backend \(link.server) lost\r\n".utf8))
        done = true
    }
}
