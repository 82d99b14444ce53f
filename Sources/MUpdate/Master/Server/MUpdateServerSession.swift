import Auth
import IMAPWire
import Logging
import Transport

/// One MUPDATE connection: reads commands with ``MUpdateCommandDecoder``, runs them on the
/// server's list, writes Cyrus's answers (SPEC.md §3). Runs in the connection's task.
///
///     S: * AUTH "PLAIN"
///     S: * PARTIAL-UPDATE
///     S: * X-UPDATE-SINCE
///     S: * OK MUPDATE "mupdate.example.com" "Murder" "0.1" "(master)"
///     C: A01 AUTHENTICATE "PLAIN" {16+}
///     C: AG11cGRhdGUAc2VjcmV0
///     S: A01 OK "Authenticated"
///     C: X1 FIND {8+}
///     C: user.bob
///     S: X1 OK "Search completed"
///
/// Until UPDATE, the session writes its answers itself. From UPDATE on, a writer task owns the
/// socket's output (dump, then the subscription's queue) and the session's own answers (NOOP,
/// BAD, LOGOUT) go through that queue, in order with the changes (see ``MUpdateSubscription``).
///
/// - SeeAlso: [RFC 3656 §4](https://www.rfc-editor.org/rfc/rfc3656#section-4)
final class MUpdateServerSession {
    let conn: any Connection
    let server: MUpdateServer
    var logger: Logger
    var decoder: MUpdateCommandDecoder
    var out: [UInt8] = []

    /// The authenticated identity (nil before AUTHENTICATE succeeded).
    var identity: String?
    /// An AUTHENTICATE exchange waiting for the client's response.
    var authentication: (tag: String, sasl: SASLServerSession)?
    /// Set once UPDATE started.
    var stream: (tag: String, subscription: MUpdateSubscription, writer: Task<Void, Never>)?
    var done = false
    /// After `COMPRESS "DEFLATE"`: the two DEFLATE streams every byte goes through.
    var inflater: DeflateStream?
    var deflater: DeflateStream?

    /// The most one read may expand to once compressed: far more than any command a client
    /// sends at once, far less than a decompression bomb would make.
    static let maxInflatedRead = 1 << 20

    /// Output is written once this much is buffered, even in the middle of a LIST.
    static let flushThreshold = 256 * 1024

    init(connection: any Connection, server: MUpdateServer) {
        conn = connection
        self.server = server
        decoder = MUpdateCommandDecoder(limits: server.settings.limits)
        logger = server.logger
        logger[metadataKey: "session"] = "\(connection.id)"
    }

    var settings: MUpdateServerSettings { server.settings }

    /// Serves the connection until LOGOUT, EOF, a fatal error or the idle timeout.
    func run() async {
        logger.debug("connected", metadata: ["peer": "\(conn.remoteAddress)"])
        writeBanner()
        await flush()
        while !done {
            let bytes: [UInt8]?
            do {
                bytes = try await conn.read(timeout: stream == nil ? settings.idleTimeout : nil)
            } catch let error as ConnectionError where error.code == .timedOut {
                emit(.bye(MUpdateText("idle timeout")))
                await flush()
                break
            } catch {
                logger.debug("read failed", metadata: ["error": "\(error)"])
                break
            }
            guard var bytes else { break }
            if let inflater {
                do {
                    bytes = try inflater.process(bytes, limit: Self.maxInflatedRead)
                } catch {
                    logger.notice("closing: \(error)")
                    emit(.bye(MUpdateText(error.description)))
                    await flush()
                    break
                }
            }
            decoder.append(bytes)
            await drain()
            await flush()
        }
        await finishStream()
        await conn.close()
        logger.debug("closed")
    }

    /// Handles every complete event the decoder has.
    func drain() async {
        while !done, let event = decoder.next() {
            switch event {
            case .command(let command):
                await dispatch(command)
            case .saslResponse(let response):
                await saslResponse(response)
            case .literalRequest:
                emit(.continuationRequest(MUpdateResponseText.goAhead))
                await flush()
            case .bad(let bad):
                if let auth = authentication {
                    endAuthentication()
                    emit(.bad(auth.tag, MUpdateResponseText.badlyFormedArguments))
                } else {
                    emit(Self.answer(bad))
                }
            case .fatal(let bad):
                emit(.bye(Self.text(for: bad)))
                logger.notice("closing: \(Self.text(for: bad).text)")
                done = true
            }
            if out.count >= Self.flushThreshold { await flush() }
        }
    }

    // MARK: Errors

    /// `tag BAD "..."` (or `* BAD` without a tag) with the fixed texts of SPEC.md §3.1.
    static func answer(_ bad: BadCommand) -> MUpdateResponse {
        guard bad.underlying is FrameRefused else { return MUpdateResponse(answering: bad) }
        let text = text(for: bad)
        return bad.tag.map { .bad($0, text) } ?? .untaggedBad(text)
    }

    static func text(for bad: BadCommand) -> MUpdateText {
        if let frame = bad.underlying as? FrameRefused {
            switch frame.error.reason {
            case .lineTooLong: return MUpdateResponseText.lineTooLong
            case .literalTooLarge: return MUpdateResponseText.literalTooLarge
            case .tooManyLiterals: return MUpdateResponseText.tooManyArguments
            case .nul: return MUpdateResponseText.badlyFormedArguments
            }
        }
        switch MUpdateResponse(answering: bad) {
        case .completion(_, _, let text), .untaggedBad(let text): return text
        default: return MUpdateResponseText.badlyFormedArguments
        }
    }

    // MARK: Output

    func writeBanner() {
        emit(.authMechanisms(conn.isTLS ? server.mechanisms.tls : server.mechanisms.plain))
        if settings.tls != nil, !conn.isTLS { emit(.startTLSAvailable) }
        emit(.compressAvailable(["DEFLATE"]))
        emit(.partialUpdateAvailable)
        emit(.updateSinceAvailable)
        emit(
            .greeting(
                MUpdateGreeting(serverName: settings.servername, version: settings.version, role: settings.role)))
    }

    func emit(_ response: MUpdateResponse) {
        var buffer = EncodeBuffer(.server)
        buffer.writeMUpdateResponse(response)
        out.append(contentsOf: buffer.bytes)
    }

    /// Sends what is buffered: to the socket, or into the stream's queue once streaming.
    func flush() async {
        guard !out.isEmpty else { return }
        let bytes = out
        out = []
        if let stream {
            if !stream.subscription.send(bytes) { done = true }
            return
        }
        do {
            try await conn.write(deflater.map { try $0.process(bytes) } ?? bytes)
        } catch {
            logger.debug("write failed", metadata: ["error": "\(error)"])
            done = true
        }
    }
}
