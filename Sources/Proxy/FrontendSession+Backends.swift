import Foundation
import IMAPWire
import Logging
import MUpdate
import Transport

/// One whole response from a backend: its bytes (literals in place) and its first segment.
struct BackendResponse {
    var bytes: [UInt8]
    var first: LineInfo

    var isTagged: Bool { first.responseKind == .tagged }
    var isContinuation: Bool { first.responseKind == .continuation }
    var tag: String { String(decoding: bytes[first.tag], as: UTF8.self) }

    func parsed() -> Response? {
        var buffer = ParseBuffer(bytes, limits: .responses)
        return try? GrammarParser.parseResponse(&buffer)
    }

    /// The state of a tagged or untagged status response.
    var status: LineInfo.Status { first.status }
}

/// How ``FrontendSession/exchange(_:_:tag:untagged:)`` treats the untagged responses.
enum UntaggedHandling {
    /// Relayed to the client as they stream in.
    case forward
    /// Collected whole and returned.
    case collect
    /// Dropped.
    case drop
}

extension FrontendSession {
    func link(id: UInt64) -> BackendLink? { links.values.first { $0.id == id } }

    var selectedLink: BackendLink? { selected.flatMap { links[$0.server] } }

    /// The session's connection to `server`, opened and authenticated on first need.
    func link(for server: String) async throws(BackendUnavailable) -> BackendLink {
        if let link = links[server] {
            link.lastUsed = .now
            return link
        }
        await closeIdleLinks()
        guard let name = ServerName(server) else {
            throw BackendUnavailable(server: server, reason: "not a host[:port] servername")
        }
        let timeout = ctx.settings.backendTimeout
        let conn: any Connection
        do {
            conn = try await ctx.engine.connect(host: name.host, port: Int(name.effectivePort), timeout: timeout)
        } catch {
            throw BackendUnavailable(server: server, reason: "cannot connect (\(error))")
        }
        nextID += 1
        let link = BackendLink(id: nextID, server: server, conn: conn)
        links[server] = link
        startReader(.backend(link.id), conn, shared: nil)
        do {
            try await greetAndAuthenticate(link)
        } catch {
            await drop(link)
            throw error
        }
        logger.debug("connected to backend \(server) as \(ctx.settings.proxyUser) for \(user)")
        return link
    }

    /// Reads the greeting, authenticates with PLAIN (SASL-IR when offered), learns the
    /// capabilities (from the `[CAPABILITY]` code, else a CAPABILITY command) and replays ENABLE.
    func greetAndAuthenticate(_ link: BackendLink) async throws(BackendUnavailable) {
        let deadline = ContinuousClock.now + ctx.settings.backendTimeout
        let greeting = try await nextResponse(link, before: deadline)
        guard greeting.first.responseKind == .untagged, greeting.status == .ok else {
            throw BackendUnavailable(server: link.server, reason: "greeting is not OK: \(Self.text(greeting.bytes))")
        }
        if let response = greeting.parsed(), let caps = BackendLink.capabilities(in: response) { link.capabilities = caps }
        let authzid = user
        let plain = Array(authzid.utf8) + [0] + Array(ctx.settings.proxyUser.utf8) + [0] + Array(ctx.settings.proxyPassword.utf8)
        let encoded = Data(plain).base64EncodedString()
        let tag = link.nextTag()
        if link.has("SASL-IR") {
            link.pending += Array("\(tag) AUTHENTICATE PLAIN \(encoded)\r\n".utf8)
        } else {
            link.pending += Array("\(tag) AUTHENTICATE PLAIN\r\n".utf8)
        }
        await flush(link)
        var answer: BackendResponse
        repeat {
            answer = try await nextResponse(link, before: deadline)
            if answer.isContinuation {
                link.pending += Array("\(encoded)\r\n".utf8)
                await flush(link)
            }
        } while !(answer.isTagged && answer.tag == tag)
        guard answer.status == .ok else {
            logger.warning("backend \(link.server) refused the proxy login of \(ctx.settings.proxyUser) for \(authzid): \(Self.text(answer.bytes))")
            throw BackendUnavailable(server: link.server, reason: "proxy authentication refused")
        }
        if let response = answer.parsed(), let caps = BackendLink.capabilities(in: response) {
            link.capabilities = caps
        } else {
            let (untagged, _) = try await exchange(link, Array("CAPABILITY".utf8), untagged: .collect)
            for u in untagged {
                if let r = u.parsed(), let caps = BackendLink.capabilities(in: r) { link.capabilities = caps }
            }
        }
        link.capabilities = ctx.learn(server: link.server, capabilities: link.capabilities)
        try await replayEnable(link)
    }

    /// ENABLEs on `link` what the client enabled and the link has not (RFC 5161 §3.1).
    func replayEnable(_ link: BackendLink) async throws(BackendUnavailable) {
        let missing = enabled.subtracting(link.enabled).filter { link.has($0) }.sorted()
        guard !missing.isEmpty, link.has("ENABLE") else { return }
        _ = try await exchange(link, Array("ENABLE \(missing.joined(separator: " "))".utf8), untagged: .drop)
        link.enabled.formUnion(missing)
    }

    /// Sends one of the frontend's own commands (`command` without tag) and reads to its
    /// tagged answer.
    @discardableResult
    func exchange(_ link: BackendLink, _ command: [UInt8], untagged handling: UntaggedHandling)
        async throws(BackendUnavailable) -> ([BackendResponse], BackendResponse)
    {
        let tag = link.nextTag()
        link.pending += Array(tag.utf8) + [0x20] + command + [0x0D, 0x0A]
        await flush(link)
        return try await readAnswer(link, tag: tag, untagged: handling)
    }

    /// Reads `link`'s responses up to the tagged one for `tag` and returns it (not relayed).
    func readAnswer(_ link: BackendLink, tag: String, untagged handling: UntaggedHandling)
        async throws(BackendUnavailable) -> ([BackendResponse], BackendResponse)
    {
        let deadline = ContinuousClock.now + ctx.settings.backendTimeout
        var collected: [BackendResponse] = []
        while true {
            if handling == .forward {
                // Stream: segments go to the client as they come, until the tagged answer.
                let event = try await nextEvent(link, before: deadline)
                switch event {
                case .line(let bytes, let info) where info.isFirst && info.responseKind == .tagged:
                    let answerTag = String(decoding: bytes[info.tag], as: UTF8.self)
                    if answerTag == tag, info.literal == nil {
                        return (collected, BackendResponse(bytes: bytes, first: info))
                    }
                    relaySegment(link, event)
                default:
                    relaySegment(link, event)
                }
                if out.count > 256 * 1024 { await flush() }
                continue
            }
            let response = try await nextResponse(link, before: deadline)
            if response.isTagged, response.tag == tag { return (collected, response) }
            if response.first.responseKind == .untagged, response.status == .bye { link.saidBye = true }
            if handling == .collect, response.first.responseKind == .untagged { collected.append(response) }
        }
    }

    /// One whole response from `link` (literals in place, at most 1 MiB of them).
    func nextResponse(_ link: BackendLink, before deadline: ContinuousClock.Instant)
        async throws(BackendUnavailable) -> BackendResponse
    {
        var bytes: [UInt8] = []
        var first: LineInfo?
        while true {
            switch try await nextEvent(link, before: deadline) {
            case .line(let segment, let info):
                if info.isFirst { first = info }
                bytes += segment
                if info.literal == nil, let first { return BackendResponse(bytes: bytes, first: first) }
            case .literal(let chunk, _):
                bytes += chunk
                guard bytes.count <= 1 << 20 else {
                    throw BackendUnavailable(server: link.server, reason: "response over 1 MiB")
                }
            case .invalid(let error, _), .close(let error, _):
                throw BackendUnavailable(server: link.server, reason: "unreadable response (\(error.reason))")
            }
        }
    }

    /// The next framing event of `link`'s responses, reading more as needed.
    func nextEvent(_ link: BackendLink, before deadline: ContinuousClock.Instant)
        async throws(BackendUnavailable) -> SegmentReader.Event
    {
        while true {
            if let event = link.reader.next() { return event }
            guard links[link.server] === link else { throw BackendUnavailable(server: link.server, reason: "connection lost") }
            switch await take(.backend(link.id), before: deadline) {
            case .bytes(_, let bytes)?:
                link.reader.append(bytes)
            case .fired?:
                await drop(link)
                throw BackendUnavailable(server: link.server, reason: "no answer within \(ctx.settings.backendTimeout)")
            case .closed(_, let why)?:
                await drop(link)
                throw BackendUnavailable(server: link.server, reason: why.map { "connection failed (\($0))" } ?? "connection closed")
            case .timedOut?, .stopped?, nil:
                await drop(link)
                throw BackendUnavailable(server: link.server, reason: "connection lost")
            }
        }
    }

    /// Writes what is queued for `link`.
    func flush(_ link: BackendLink) async {
        guard !link.pending.isEmpty else { return }
        let bytes = link.pending
        link.pending = []
        do {
            try await link.conn.write(bytes)
        } catch {
            logger.info("write to backend \(link.server) failed: \(error)")
        }
    }

    func flushLinks() async {
        for link in links.values where !link.pending.isEmpty { await flush(link) }
    }

    /// Forgets `link` and closes it.
    func drop(_ link: BackendLink) async {
        guard links[link.server] === link else { return }
        links[link.server] = nil
        readers.removeValue(forKey: .backend(link.id))?.stop()
        deferred.removeAll { $0.source == .backend(link.id) }
        await link.conn.abort()
    }

    /// A backend connection ended outside a command. Losing the selected one ends the session
    /// (SPEC.md §5); another is just forgotten, and the next command needing it reconnects.
    func lost(_ link: BackendLink) async {
        let wasSelected = selected?.server == link.server
        await drop(link)
        guard wasSelected else { return }
        logger.warning("lost the selected backend \(link.server)")
        write(Array("* BYE [UNAVAILABLE] backend \(link.server) lost\r\n".utf8))
        done = true
    }

    /// Closes connections unused for `backendIdle`, never the selected one.
    func closeIdleLinks() async {
        let limit = ContinuousClock.now - ctx.settings.backendIdle
        for link in links.values where link.lastUsed < limit && link.server != selected?.server {
            await drop(link)
        }
    }

    /// LOGOUT at every backend, briefly, then close.
    func closeAllLinks() async {
        for link in links.values {
            link.pending += Array("\(link.nextTag()) LOGOUT\r\n".utf8)
            await flush(link)
            readers.removeValue(forKey: .backend(link.id))?.stop()
            await link.conn.close()
        }
        links = [:]
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
