public import Auth
import Foundation
import IMAPWire
import Logging
import MUpdate
import Synchronization
public import Transport

/// One client connection to a frontend (SPEC.md §5): authenticates the client, answers what it
/// can from the mailbox list, and proxies the rest to the backends, relaying the selected
/// mailbox's commands verbatim.
///
///     S: * OK [CAPABILITY IMAP4rev1 LITERAL+ …] frontend1 Murder ready
///     C: a1 LOGIN alice secret
///     S: a1 OK [CAPABILITY IMAP4rev1 … MUPDATE=mupdate://mupdate:3905/] User logged in
///     C: a2 SELECT shared/memo                  (routed to the backend holding it)
///
/// One task runs the session. Each socket (the client and every backend) has a reader task
/// that reads one chunk at a time into the session's inbox; the session takes inputs in order,
/// deferring those of sockets it is not waiting for, so every write to the client comes from
/// this one task and whole responses never interleave.
public final class FrontendSession {
    /// Where an input came from.
    enum Source: Hashable, Sendable {
        case client
        case backend(UInt64)
        case timer(UInt64)
    }

    enum Input: Sendable {
        case bytes(Source, [UInt8])
        /// End of stream (`reason` nil) or a failed read.
        case closed(Source, String?)
        case timedOut(Source)
        case fired(UInt64)
        /// The source's reader was stopped (``SourceReader/stop()``) and will send nothing more.
        case stopped(Source)

        var source: Source {
            switch self {
            case .bytes(let s, _), .closed(let s, _), .timedOut(let s), .stopped(let s): s
            case .fired(let id): .timer(id)
            }
        }
    }

    /// State the client's reader shares with the session.
    final class Shared: Sendable {
        let timeout = Mutex<Duration?>(nil)
    }

    let client: any Connection
    let ctx: ProxyContext
    var logger: Logger
    var decoder: CommandDecoder
    /// Bytes for the client, written at the end of each step (or when large).
    var out: [UInt8] = []

    var identity: Identity?
    var authentication: AuthenticationState?
    /// ENABLEd extensions (RFC 5161), replayed at each backend before SELECT there.
    var enabled: Set<String> = []
    /// The session's backend connections, by servername (SPEC.md §5: one per backend).
    var links: [String: BackendLink] = [:]
    var selected: SelectedState?
    /// Client tags sent to the selected backend and not yet answered, in order.
    var outstanding: [String] = []
    var append: ProxiedAppend?
    /// The tag of a relayed IDLE until its DONE.
    var idleTag: String?
    /// The timer of an IDLE polled with NOOP (a backend without IDLE), and its inbox id.
    var idlePoll: Task<Void, Never>?
    var idlePollID: UInt64 = 0
    var done = false
    /// The engine's relay ended with the client gone in the middle of a relayed command.
    var relayCutOff = false

    let inbox: AsyncStream<Input>
    let sink: AsyncStream<Input>.Continuation
    var inboxIterator: AsyncStream<Input>.AsyncIterator
    /// Inputs taken while waiting for another source, handed out first later.
    var deferred: [Input] = []
    var readers: [Source: SourceReader] = [:]
    let shared = Shared()
    var nextID: UInt64 = 0

    /// The mailbox selected at a backend.
    struct SelectedState {
        var server: String
        /// The client's name for it.
        var name: MailboxName
        var record: MUpdateRecord
        var readOnly: Bool
    }

    public init(connection: any Connection, context: ProxyContext) {
        client = connection
        ctx = context
        var limits = Limits.commands
        limits.maxLineLength = context.settings.maxLineBytes
        limits.maxLiteralSize = context.settings.maxLiteralBytes
        limits.maxNestingDepth = context.settings.maxNesting
        decoder = CommandDecoder(limits: limits)
        logger = context.logger
        logger[metadataKey: "session"] = "\(connection.id)"
        (inbox, sink) = AsyncStream<Input>.makeStream()
        inboxIterator = inbox.makeAsyncIterator()
        shared.timeout.withLock { $0 = context.settings.loginTimeout }
    }

    /// Serves the client until LOGOUT, end of stream, a fatal error or a timeout.
    public func run() async {
        logger.debug("connected from \(client.remoteAddress)")
        defer {
            for reader in readers.values { reader.stop() }
            idlePoll?.cancel()
            sink.finish()
        }
        // SPEC.md §7.6: without any copy of the list a frontend cannot route; it says so.
        guard ctx.list.hasList else {
            write(Array("* BYE [UNAVAILABLE] \(ctx.settings.servername) has no mailbox list yet; try again shortly\r\n".utf8))
            await flush()
            await client.close()
            return
        }
        let caps = ctx.capabilities(authenticated: false, mechanisms: mechanisms(), tls: client.isTLS)
        untagged(.state(.ok(ResponseText(code: .capability(caps), text: "\(ctx.settings.servername) Murder ready"))))
        await flush()
        startReader(.client, client, shared: shared)
        while !done, let input = await take(nil) {
            await handle(input)
            await flushLinks()
            await flush()
            if case .bytes(.client, _) = input, !done, await !relayInEngine() { readers[.client]?.grant() }
        }
        // A client gone mid-APPEND, or in the middle of a relayed command: the backend must
        // not see the rest (the LOGOUT below) as part of that command.
        await abandonAppend()
        if relayCutOff || decoder.isInsidePassthrough, let link = selectedLink { await drop(link) }
        await closeAllLinks()
        await client.close()
        logger.debug("closed")
    }

    func handle(_ input: Input) async {
        switch input {
        case .bytes(.client, let bytes):
            decoder.append(bytes)
            await drainClient()
        case .closed(.client, let why):
            if let why { logger.info("client connection failed: \(why)") } else { logger.debug("client closed the connection") }
            done = true
        case .timedOut(.client):
            untagged(.bye(ResponseText(text: "Idle timeout, closing connection")))
            done = true
        case .bytes(.backend(let id), let bytes):
            guard let link = link(id: id) else { return }
            link.reader.append(bytes)
            await pumpUnsolicited(link)
        case .closed(.backend(let id), _), .timedOut(.backend(let id)):
            guard let link = link(id: id) else { return }
            await lost(link)
        case .fired(let id) where id == idlePollID:
            await pollIdle()
        default:
            break
        }
    }

    /// Handles every complete event the client's decoder has.
    func drainClient() async {
        while !done, let event = decoder.next() {
            await handle(event)
            if out.count > 256 * 1024 { await flush() }
        }
    }

    // MARK: Inputs

    /// A socket's reader: reads a chunk each time the session grants a permit.
    final class SourceReader {
        let permits: AsyncStream<Void>.Continuation
        let task: Task<Void, Never>

        init(permits: AsyncStream<Void>.Continuation, task: Task<Void, Never>) {
            self.permits = permits
            self.task = task
        }

        func grant() { permits.yield() }

        func stop() {
            permits.finish()
            task.cancel()
        }
    }

    func startReader(_ source: Source, _ conn: any Connection, shared: Shared?) {
        let (permitStream, permits) = AsyncStream<Void>.makeStream()
        let task = Task(executorPreference: conn.executor) { [sink] in
            for await _ in permitStream {
                do {
                    let limit = shared?.timeout.withLock { $0 }
                    guard let bytes = try await conn.read(timeout: limit) else {
                        sink.yield(.closed(source, nil))
                        return
                    }
                    sink.yield(.bytes(source, bytes))
                } catch is CancellationError {
                    break
                } catch let e as ConnectionError where e.code == .timedOut {
                    sink.yield(.timedOut(source))
                    return
                } catch {
                    sink.yield(.closed(source, "\(error)"))
                    return
                }
                if Task.isCancelled { break }
            }
            sink.yield(.stopped(source))
        }
        let reader = SourceReader(permits: permits, task: task)
        readers[source] = reader
        reader.grant()
    }

    /// The next input from `wanted` (any source when nil), or nil when the inbox ended.
    /// Inputs from other sources are kept for later, in order. Taking an input lets its
    /// reader read the next chunk.
    func take(_ wanted: Source?) async -> Input? {
        if let i = deferred.firstIndex(where: { wanted == nil || $0.source == wanted }) {
            return granted(deferred.remove(at: i))
        }
        while let input = await inboxIterator.next() {
            if case .fired(let id) = input, wanted != .timer(id) {
                if wanted == nil, id == idlePollID, idlePoll != nil { return input }
                continue
            }
            if wanted == nil || input.source == wanted { return granted(input) }
            deferred.append(input)
        }
        return nil
    }

    /// A backend's reader reads on as soon as its chunk is taken; the client's only once the
    /// chunk was handled (``run()``), so its reader is never inside a read while the session
    /// starts TLS, and a client that sends faster than its commands complete is held back.
    func granted(_ input: Input) -> Input {
        if case .bytes(.backend(let id), _) = input { readers[.backend(id)]?.grant() }
        return input
    }

    /// The next input from `source`, or `.fired` when `deadline` passes first.
    func take(_ source: Source, before deadline: ContinuousClock.Instant) async -> Input? {
        if let i = deferred.firstIndex(where: { $0.source == source }) { return granted(deferred.remove(at: i)) }
        nextID += 1
        let timerID = nextID
        // A dispatch timer, not a sleeping Task: cancelled here after nearly every wait, and a
        // cancelled sleep would hold memory until the deadline (see OneShotTimer).
        let timer = OneShotTimer(at: deadline) { [sink] in sink.yield(.fired(timerID)) }
        defer { timer.cancel() }
        while let input = await inboxIterator.next() {
            if case .fired(let id) = input {
                if id == timerID { return input }
                continue
            }
            if input.source == source { return granted(input) }
            deferred.append(input)
        }
        return nil
    }

    // MARK: Output

    func write(_ bytes: [UInt8]) { out.append(contentsOf: bytes) }

    func write(_ bytes: ArraySlice<UInt8>) { out.append(contentsOf: bytes) }

    func untagged(_ response: UntaggedResponse) {
        var buffer = EncodeBuffer(.server)
        buffer.writeResponse(.untagged(response))
        out.append(contentsOf: buffer.bytes)
    }

    func tagged(_ tag: String, _ state: ResponseState) {
        var buffer = EncodeBuffer(.server)
        buffer.writeResponse(.tagged(TaggedResponse(tag: tag, state: state)))
        out.append(contentsOf: buffer.bytes)
    }

    func ok(_ tag: String, _ text: String, code: ResponseCode? = nil) {
        tagged(tag, .ok(ResponseText(code: code, text: text)))
    }

    func no(_ tag: String, _ text: String, code: ResponseCode? = nil) {
        tagged(tag, .no(ResponseText(code: code, text: text)))
    }

    func bad(_ tag: String, _ text: String, code: ResponseCode? = nil) {
        tagged(tag, .bad(ResponseText(code: code, text: text)))
    }

    func continuation(_ text: String) {
        var buffer = EncodeBuffer(.server)
        buffer.writeResponse(.continuation(.responseText(ResponseText(text: text))))
        out.append(contentsOf: buffer.bytes)
    }

    /// Sends what is buffered for the client.
    func flush() async {
        guard !out.isEmpty else { return }
        let bytes = out
        out = []
        do {
            try await client.write(bytes)
        } catch {
            logger.debug("write to the client failed: \(error)")
            done = true
        }
    }

    func updateTimeout() {
        let t = identity == nil ? ctx.settings.loginTimeout : ctx.settings.idleTimeout
        shared.timeout.withLock { $0 = t }
    }

    var user: String { identity?.user ?? "" }
    var isAdmin: Bool { identity?.isAdmin ?? false }
    var ns: Namespace { ctx.settings.namespace }

    func mechanisms() -> [String] {
        ctx.mechanisms(tls: client.isTLS) { (try? newSASL().mechanisms()) ?? [] }
    }
}
