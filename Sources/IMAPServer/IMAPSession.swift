public import Auth
import MUpdate
import Foundation
import IMAPWire
import Logging
import Spool
import Synchronization
public import Transport

/// One client connection to a backend: reads commands with ``CommandDecoder``, runs them on
/// the spool, writes responses. Runs in the connection's task; nothing in it is shared.
///
///     S: * OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE SASL-IR AUTH=PLAIN] server ready
///     C: a1 LOGIN alice secret
///     S: a1 OK [CAPABILITY IMAP4rev1 …] User logged in
public final class IMAPSession {
    enum Input: Sendable {
        case bytes([UInt8])
        case eof
        case timeout
        case failed(String)
        case mailboxChanged
    }

    let conn: any Connection
    let ctx: ServerContext
    var logger: Logger
    var decoder: CommandDecoder
    var out = EncodeBuffer(.server)

    /// Who is logged in (nil before authentication).
    var identity: Identity?
    var selected: SelectedMailbox?
    var enabled: Set<String> = []
    var append: AppendState?
    var authentication: AuthenticationState?
    var idleTag: String?
    /// SEARCHRES (RFC 5182): the UIDs of the last `SEARCH RETURN (SAVE)`.
    var savedSearch: [UInt32] = []
    var done = false
    /// Whether the command being answered may carry EXPUNGE responses.
    var expungeAllowed = true

    let inputs: AsyncStream<Input>
    let sink: AsyncStream<Input>.Continuation
    let permits: AsyncStream<Void>.Continuation
    let permitStream: AsyncStream<Void>
    /// State the reader and observer tasks share with the session.
    final class Shared: Sendable {
        let timeout = Mutex<Duration?>(nil)
        let changePending = Atomic<Bool>(false)
    }

    let shared = Shared()
    var observer: Task<Void, Never>?

    public init(connection: any Connection, context: ServerContext) {
        conn = connection
        ctx = context
        var limits = Limits.commands
        limits.maxLineLength = context.settings.maxLineBytes
        limits.maxLiteralSize = context.settings.maxLiteralBytes
        limits.maxNestingDepth = context.settings.maxNesting
        decoder = CommandDecoder(limits: limits)
        logger = context.logger
        logger[metadataKey: "session"] = "\(connection.id)"
        (inputs, sink) = AsyncStream<Input>.makeStream()
        (permitStream, permits) = AsyncStream<Void>.makeStream()
        shared.timeout.withLock { $0 = context.settings.loginTimeout }
    }

    /// Serves the connection until LOGOUT, EOF, a fatal error or a timeout.
    public func run() async {
        logger.debug("connected from \(conn.remoteAddress)")
        let reader = Task(executorPreference: conn.executor) { [conn, sink, permitStream, shared] in
            var it = permitStream.makeAsyncIterator()
            while await it.next() != nil {
                do {
                    let limit = shared.timeout.withLock { $0 }
                    guard let bytes = try await conn.read(timeout: limit) else {
                        sink.yield(.eof)
                        return
                    }
                    sink.yield(.bytes(bytes))
                } catch let e as ConnectionError where e.code == .timedOut {
                    sink.yield(.timeout)
                    return
                } catch {
                    sink.yield(.failed("\(error)"))
                    return
                }
            }
        }
        defer {
            reader.cancel()
            observer?.cancel()
            append?.discardAll()
            permits.finish()
        }
        let caps = ctx.capabilities(authenticated: false, mechanisms: mechanisms(), tls: conn.isTLS)
        untagged(.state(.ok(ResponseText(code: .capability(caps), text: "\(ctx.settings.servername) Murder IMAP server ready"))))
        await flush()
        permits.yield()
        for await input in inputs {
            switch input {
            case .bytes(let bytes):
                decoder.append(bytes)
                await drain()
                if !done { permits.yield() }
            case .eof:
                logger.debug("client closed the connection")
                done = true
            case .timeout:
                untagged(.bye(ResponseText(text: "Idle timeout, closing connection")))
                done = true
            case .failed(let why):
                logger.info("connection failed: \(why)")
                done = true
            case .mailboxChanged:
                shared.changePending.store(false, ordering: .relaxed)
                if idleTag != nil { syncView(allowExpunge: true) }
            }
            await flush()
            if done { break }
        }
        sink.finish()
        await conn.close()
        logger.debug("closed")
    }

    /// Handles every complete event the decoder has.
    func drain() async {
        while !done, let event = decoder.next() {
            await handle(event)
            if out.bytes.count > 256 * 1024 { await flush() }
        }
    }

    func handle(_ event: CommandDecoder.Event) async {
        switch event {
        case .command(let tagged):
            await dispatch(tagged)
        case .literalRequest(let request):
            if append != nil {
                appendLiteralRequested(request)
            } else {
                continuation("Ready for literal data")
            }
        case .appendStart(let start):
            appendStart(start)
        case .appendMessage(let header):
            appendMessage(header)
        case .appendBytes(let bytes):
            appendBytes(bytes)
        case .appendMessageEnd:
            await appendMessageEnd()
        case .appendEnd:
            await appendEnd()
        case .line(let line):
            await lineInLinesMode(line)
        case .passthroughLine, .passthroughBytes:
            // A backend parses every command: its decoder has no passthrough set.
            break
        case .bad(let bad):
            if let state = append {
                // A MULTIAPPEND whose next message header was bad: nothing of it is appended.
                state.discardAll()
                append = nil
            }
            badCommand(bad)
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

    func badCommand(_ bad: BadCommand) {
        let text = Self.describe(bad)
        if let frame = bad.underlying as? FrameRefused, frame.error.reason == .literalTooLarge, let tag = bad.tag {
            // A synchronising literal over the bound, refused before its `+` (RFC 7889).
            return no(tag, "Message larger than APPENDLIMIT \(ctx.settings.maxLiteralBytes)", code: .tooBig)
        }
        if let tag = bad.tag {
            tagged(tag, .bad(ResponseText(code: nil, text: text)))
        } else {
            untagged(.state(.bad(ResponseText(text: text))))
        }
    }

    func mechanisms() -> [String] {
        ctx.mechanisms(tls: conn.isTLS) { (try? newSASL().mechanisms()) ?? [] }
    }

    // MARK: Output

    func untagged(_ response: UntaggedResponse) {
        out.writeResponse(.untagged(response))
    }

    /// A command's completion. Before an OK or NO, the selected mailbox is caught up with other
    /// sessions' changes (RFC 3501 §7: at command completion, with EXPUNGE only where the
    /// command allows it).
    func tagged(_ tag: String, _ state: ResponseState) {
        if case .bad = state {} else if selected != nil, !done { syncView(allowExpunge: expungeAllowed) }
        out.writeResponse(.tagged(TaggedResponse(tag: tag, state: state)))
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
        out.writeResponse(.continuation(.responseText(ResponseText(text: text))))
    }

    func raw(_ s: String) { out.writeRaw(s) }

    /// Sends what is buffered.
    func flush() async {
        guard !out.bytes.isEmpty else { return }
        let bytes = out.bytes
        out = EncodeBuffer(.server)
        do {
            try await conn.write(bytes)
        } catch {
            logger.debug("write failed: \(error)")
            done = true
        }
    }

    /// The set timeout for reads: the login timeout before authentication, the idle one after.
    func updateTimeout() {
        let t = identity == nil ? ctx.settings.loginTimeout : ctx.settings.idleTimeout
        shared.timeout.withLock { $0 = t }
    }

    // MARK: Errors

    /// One place that turns a spool error into the wire (tagged NO with a response code).
    func fail(_ tag: String, _ error: any Error, _ action: String) {
        guard let e = error as? SpoolError else {
            logger.error("\(action) failed: \(error)")
            no(tag, "\(action) failed: server error", code: .serverBug)
            return
        }
        switch e.code {
        case .nonexistent: no(tag, "Mailbox does not exist", code: .nonExistent)
        case .alreadyExists: no(tag, "Mailbox already exists", code: .alreadyExists)
        case .overQuota: no(tag, "Over quota", code: .overQuota)
        case .tooBig: no(tag, "Message too large", code: .tooBig)
        case .badName: no(tag, "Invalid mailbox name: \(e.message)", code: .cannot)
        case .modified: no(tag, e.message, code: .cannot)
        case .inUse: no(tag, "Mailbox in use", code: .inUse)
        case .moving: no(tag, "Mailbox is being moved", code: .unavailable)
        default:
            logger.error("\(action) failed: \(e)")
            no(tag, "\(action) failed: server error", code: .serverBug)
        }
    }
}

extension ResponseCode {
    static let tooBig = ResponseCode.other(name: "TOOBIG", text: nil)
}
