import IMAPWire
import Logging
import Transport

/// The engine's relay (DESIGN.md "The hot path: relay"): on the io_uring engine, once a
/// mailbox is selected and nothing of the session's own is under way, both sockets go to the
/// C relay, and the session waits until a command needs it again. On the pure-Swift engine
/// the session relays itself (FrontendSession+Relay.swift), with the same bytes on the wire.
///
///     C: a5 FETCH 1:* (FLAGS)       C relay -> backend, answers -> client
///     C: a6 UID STORE 4 +FLAGS (\Seen)
///     C: a7 LIST "" "*"             relay stops after a6's answer; the session answers a7
extension FrontendSession {
    /// Runs the engine's relay while the session can stay in it. Returns true when the
    /// client's reader was restarted here (or the session ended), false when the relay did
    /// not run and the caller grants the client's reader as usual.
    func relayInEngine() async -> Bool {
        var ran = false
        while !done, let link = relayReadyLink() {
            guard let request = await relayRequest(link) else { break }
            guard let outcome = await client.relay(with: link.conn, request) else {
                // Not on this engine after all (a connection moved to TLS): back to the
                // session's own relay, with the bytes taken for it.
                decoder.append(request.clientBytes)
                link.reader.append(request.backendBytes)
                resumeReaders(link)
                await pumpUnsolicited(link)
                await drainClient()
                return true
            }
            ran = true
            relayed(outcome, link)
            await finishRelay(outcome, link)
        }
        if ran, !done { startReader(.client, client, shared: shared) }
        return ran
    }

    /// The selected backend's link, when the session holds nothing that the relay would have
    /// to know about: no command of its own in flight, no half-read message on either side.
    func relayReadyLink() -> BackendLink? {
        guard client.relaysInEngine, let link = selectedLink, link.conn.relaysInEngine,
            !link.busy, append == nil, authentication == nil, idleTag == nil, idlePoll == nil,
            outstanding.isEmpty, link.pending.isEmpty, out.isEmpty, !link.saidBye,
            decoder.isAtCommandStart,
            link.reader.isAtMessageStart
        else { return nil }
        return link
    }

    /// Stops both readers and gathers the bytes read and not yet handled; nil when a side
    /// closed meanwhile (handled here).
    func relayRequest(_ link: BackendLink) async -> RelayRequest? {
        guard var clientBytes = decoder.takeUndecoded(), var backendBytes = link.reader.takeUnscanned() else {
            return nil
        }
        switch await pauseReader(.backend(link.id)) {
        case .bytes(let more): backendBytes += more
        case .ended(let more, let why):
            link.reader.append(backendBytes + more)
            decoder.append(clientBytes)
            await pumpUnsolicited(link)
            logger.debug("backend \(link.server) closed: \(why ?? "end of stream")")
            await lost(link)
            return nil
        }
        switch await pauseReader(.client) {
        case .bytes(let more): clientBytes += more
        case .ended(_, let why):
            if let why { logger.info("client connection failed: \(why)") }
            done = true
            return nil
        }
        var verbs = Self.passthrough.verbs
        if !link.has("IDLE") { verbs.remove("IDLE") }
        return RelayRequest(
            verbs: verbs, uidVerbs: Self.passthrough.uidVerbs,
            maxLineBytes: ctx.settings.maxLineBytes, maxLiteralBytes: Limits.commands.maxStringLiteralSize,
            clientBytes: clientBytes, backendBytes: backendBytes, idleTimeout: ctx.settings.idleTimeout)
    }

    enum Paused {
        case bytes([UInt8])
        /// The source ended (closed, failed or timed out; `why` nil at end of stream).
        case ended([UInt8], String?)
    }

    /// Stops `source`'s reader and takes every input it had made, up to its `.stopped`.
    func pauseReader(_ source: Source) async -> Paused {
        guard let reader = readers.removeValue(forKey: source) else { return .bytes([]) }
        reader.stop()
        var bytes: [UInt8] = []
        while let input = await take(source) {
            switch input {
            case .bytes(_, let chunk): bytes += chunk
            case .stopped: return .bytes(bytes)
            case .closed(_, let why): return .ended(bytes, why)
            case .timedOut: return .ended(bytes, "timed out")
            case .fired: continue
            }
        }
        return .ended(bytes, "session ended")
    }

    func resumeReaders(_ link: BackendLink) {
        startReader(.backend(link.id), link.conn, shared: nil)
        startReader(.client, client, shared: shared)
    }

    /// Logs what the relay moved.
    func relayed(_ outcome: RelayOutcome, _ link: BackendLink) {
        logger.debug(
            "relay stopped",
            metadata: [
                "reason": "\(outcome.reason)", "backend": "\(link.server)",
                "to-backend": "\(outcome.copiedToBackend)", "to-client": "\(outcome.copiedToClient)",
                "spliced": "\(outcome.splicedToClient)",
            ])
    }

    /// Takes the session back from the relay: its leftovers into the decoders, then whatever
    /// the reason asks (the intercepted command is handled here).
    func finishRelay(_ outcome: RelayOutcome, _ link: BackendLink) async {
        decoder.append(outcome.clientBytes)
        link.reader.append(outcome.backendBytes)
        link.lastUsed = .now
        switch outcome.reason {
        case .intercepted:
            break
        case .clientClosed, .clientFailed:
            logger.debug("client closed the connection")
            done = true
        case .clientUnreadable:
            untagged(.bye(ResponseText(text: "Protocol error: a relayed command was cut off; closing connection")))
            done = true
        case .timedOut:
            untagged(.bye(ResponseText(text: "Idle timeout, closing connection")))
            done = true
        case .shutdown:
            untagged(.bye(ResponseText(text: "Server shutting down")))
            done = true
        case .backendBye:
            link.saidBye = true
            await lost(link)
        case .backendClosed, .backendFailed, .backendUnreadable:
            await lost(link)
        }
        if done {
            await flush()
            return
        }
        startReader(.backend(link.id), link.conn, shared: nil)
        await pumpUnsolicited(link)
        await drainClient()
        await flushLinks()
        await flush()
    }
}
