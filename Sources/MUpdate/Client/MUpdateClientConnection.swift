import Foundation
import IMAPWire
public import Logging
public import Transport

/// One authenticated connection to a MUPDATE server, with typed commands.
///
///     let master = try await MUpdateClientConnection.connect(configuration, engine: NIOEngine())
///     try await master.reserve("user.carol", location: here)
///     C: A02 RESERVE {10+}
///     C: user.carol {23+}
///     C: 127.0.0.1:14143!default
///     S: A02 OK "done"
///
/// Commands run one at a time (callers are served in order). The reader accepts every string
/// form (quoted, `{n}`, `{n+}`) and bare completion texts, so it talks to Cyrus 3.6's master as
/// well as ours. Errors are ``MUpdateError``s: a `NO` or `BAD` answer is ``MUpdateError/Code/fail``
/// (``MUpdateError/Code/failReserve`` for RESERVE and DEACTIVATE) and leaves the connection
/// usable; end of stream or a refused connection is ``MUpdateError/Code/noConnection``, no answer
/// in time ``MUpdateError/Code/timeout``, an unreadable line ``MUpdateError/Code/protocolError``,
/// and these three close it (``isOpen`` turns false).
///
/// After ``startUpdate(since:servers:)`` the connection streams: only ``sendNoop(tag:)`` and
/// ``nextStreamResponses(timeout:)`` (and ``close()``) may follow.
///
/// - SeeAlso: [RFC 3656 §4](https://www.rfc-editor.org/rfc/rfc3656#section-4)
public actor MUpdateClientConnection {
    public nonisolated let configuration: MUpdateClientConfiguration
    /// What the server's banner offered (the second banner after STARTTLS).
    public private(set) var capabilities = MUpdateCapabilities()
    /// False once the connection failed or was closed.
    public private(set) var isOpen = true
    /// True after ``startUpdate(since:servers:)``.
    public internal(set) var isStreaming = false

    let connection: any Connection
    let logger: Logger
    var decoder = MUpdateResponseDecoder()
    var tagCounter = 0
    var commandGate = AsyncGate()
    var writeGate = AsyncGate()

    /// Banner lines a server may send before `* OK MUPDATE`.
    static let maxBannerLines = 64

    init(configuration: MUpdateClientConfiguration, connection: any Connection, logger: Logger) {
        self.configuration = configuration
        self.connection = connection
        self.logger = logger
    }

    /// Connects, reads the banner, starts TLS when configured and authenticates, all within
    /// `configuration.connectTimeout`.
    public static func connect(
        _ configuration: MUpdateClientConfiguration, engine: any Engine,
        logger: Logger = Logger(label: "murder.mupdate.client")
    ) async throws(MUpdateError) -> MUpdateClientConnection {
        let deadline = ContinuousClock.now + configuration.connectTimeout
        let connection: any Connection
        do {
            connection = try await engine.connect(
                host: configuration.host, port: configuration.port, timeout: configuration.connectTimeout)
        } catch let error as ConnectionError where error.code == .timedOut {
            throw MUpdateError(.timeout, "connect to \(configuration.address) timed out", cause: error)
        } catch {
            throw MUpdateError(.noConnection, "cannot connect to \(configuration.address)", cause: error)
        }
        let client = MUpdateClientConnection(configuration: configuration, connection: connection, logger: logger)
        do {
            try await client.open(deadline: deadline)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    /// Closes the socket without LOGOUT; idempotent.
    public func close() async {
        guard isOpen else { return }
        isOpen = false
        await connection.close()
    }

    // MARK: - Opening

    func open(deadline: ContinuousClock.Instant) async throws(MUpdateError) {
        try await readBanner(deadline: deadline)
        if let tls = configuration.tls {
            guard capabilities.startTLS else {
                throw MUpdateError(.noConnection, "\(configuration.address) does not offer STARTTLS, which is required")
            }
            try await startTLS(tls, deadline: deadline)
        }
        try await authenticate(deadline: deadline)
    }

    /// Reads banner lines up to and including `* OK MUPDATE`, ignoring lines it does not know.
    func readBanner(deadline: ContinuousClock.Instant) async throws(MUpdateError) {
        capabilities = MUpdateCapabilities()
        for _ in 0..<Self.maxBannerLines {
            // An unreadable line before the greeting is ignored like an unknown one.
            let response = try await nextResponse(deadline: deadline, skippingMalformed: true)
            if case .bye(let text) = response {
                throw await fail(.noConnection, "\(configuration.address) said BYE: \(text.text)")
            }
            if capabilities.absorb(response) { return }
        }
        throw await fail(.protocolError, "no `* OK MUPDATE` within \(Self.maxBannerLines) banner lines")
    }

    func startTLS(_ tls: ClientTLS, deadline: ContinuousClock.Instant) async throws(MUpdateError) {
        let tag = makeTag(prefix: "S")
        try await write(command: MUpdateCommand(tag: tag, .startTLS))
        while true {
            let response = try await nextResponse(deadline: deadline)
            guard case .completion(tag, let status, let text) = response else { continue }
            guard status == .ok else {
                throw await fail(.noConnection, "STARTTLS refused: \(status.rawValue) \(text.text)")
            }
            break
        }
        guard decoder.buffered == 0 else {
            throw await fail(.protocolError, "bytes after the STARTTLS answer, before the TLS handshake")
        }
        do {
            try await connection.startTLS(tls)
        } catch {
            throw await fail(.noConnection, "TLS handshake with \(configuration.address) failed", cause: error)
        }
        decoder = MUpdateResponseDecoder()
        try await readBanner(deadline: deadline)
    }

    // MARK: - Tags

    /// A fresh tag: `A01`, `A02`, … (`prefix` replaces the `A`).
    public func makeTag(prefix: String = "A") -> String {
        tagCounter += 1
        return tagCounter < 10 ? "\(prefix)0\(tagCounter)" : "\(prefix)\(tagCounter)"
    }

    // MARK: - Reading and writing

    /// Writes one command (one write, whole).
    func write(command: MUpdateCommand) async throws(MUpdateError) {
        var buffer = EncodeBuffer(.clientLiteralPlus)
        buffer.writeMUpdateCommand(command)
        try await write(bytes: buffer.bytes, action: "\(command.kind.name)")
    }

    func write(bytes: [UInt8], action: String) async throws(MUpdateError) {
        guard isOpen else { throw MUpdateError(.noConnection, "\(action): connection to \(configuration.address) closed") }
        if !writeGate.tryAcquire() {
            await withCheckedContinuation { writeGate.enqueue($0) }
        }
        defer { writeGate.release() }
        do {
            try await connection.write(bytes)
        } catch {
            throw await fail(.noConnection, "\(action): cannot write to \(configuration.address)", cause: error)
        }
    }

    /// The next whole response before `deadline`.
    func nextResponse(
        deadline: ContinuousClock.Instant, skippingMalformed: Bool = false
    ) async throws(MUpdateError) -> MUpdateResponse {
        while true {
            if let response = try await decoded(skippingMalformed: skippingMalformed) { return response }
            let remaining = deadline - .now
            guard remaining > .zero else {
                throw await fail(.timeout, "no answer from \(configuration.address) in time")
            }
            guard try await fill(timeout: remaining) else {
                throw await fail(.timeout, "no answer from \(configuration.address) in time")
            }
        }
    }

    /// A response already in the decoder, if any.
    func decoded(skippingMalformed: Bool = false) async throws(MUpdateError) -> MUpdateResponse? {
        while true {
            switch decoder.next() {
            case .malformed(let bytes, _) where skippingMalformed:
                logger.debug("mupdate: ignored an unreadable banner line", metadata: ["line": "\(String(decoding: bytes.prefix(200), as: UTF8.self))"])
                continue
            case let event: return try await decoded(event)
            }
        }
    }

    func decoded(_ event: MUpdateResponseDecoder.Event?) async throws(MUpdateError) -> MUpdateResponse? {
        switch event {
        case nil: return nil
        case .value(let response): return response
        case .malformed(let bytes, let error):
            let line = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw await fail(.protocolError, "unreadable line from \(configuration.address): \(line.debugDescription)", cause: error)
        case .fatal(let error):
            throw await fail(.protocolError, "unreadable stream from \(configuration.address)", cause: error)
        }
    }

    /// Reads once into the decoder: false when nothing came within `timeout` (the connection
    /// stays open), throws at end of stream.
    func fill(timeout: Duration?) async throws(MUpdateError) -> Bool {
        guard isOpen else { throw MUpdateError(.noConnection, "connection to \(configuration.address) closed") }
        let bytes: [UInt8]?
        do {
            bytes = try await connection.read(timeout: timeout)
        } catch let error as ConnectionError where error.code == .timedOut {
            return false
        } catch {
            throw await fail(.noConnection, "lost the connection to \(configuration.address)", cause: error)
        }
        guard let bytes else {
            throw await fail(.noConnection, "\(configuration.address) closed the connection")
        }
        decoder.append(bytes)
        return true
    }

    /// Closes the connection and returns the error to throw.
    func fail(
        _ code: MUpdateError.Code, _ message: String, cause: (any Error & Sendable)? = nil,
        function: String = #function, file: String = #fileID, line: Int = #line
    ) async -> MUpdateError {
        let error = MUpdateError(code, message, cause: cause, function: function, file: file, line: line)
        if isOpen {
            logger.notice("mupdate connection dropped", metadata: ["master": "\(configuration.address)", "error": "\(error)"])
        }
        await close()
        return error
    }

    // MARK: - Base64

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func decodeBase64(_ text: String) -> [UInt8]? {
        if text.isEmpty { return [] }
        return Data(base64Encoded: text).map { Array($0) }
    }
}
