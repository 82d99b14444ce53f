public import Logging

/// The socket engine a node runs on: listens and connects, producing ``Connection``s.
///
/// `NIOEngine` is the pure-Swift engine; the io_uring engine implements the same protocol.
///
/// - SeeAlso: DESIGN.md, "The seam that matters: Engine and Connection".
public protocol Engine: Sendable {
    /// The engine's name for logs and config: "nio", "uring".
    var name: String { get }

    /// Listens on host:port (port 0 = ephemeral).
    ///
    /// Each accepted connection is handed to `handler` in its own child task of a discarding task
    /// group and is closed when the handler returns. A failing handler never tears the listener
    /// down. Connections over `limits` are refused before `handler` is called: the listener
    /// writes `limits.refusal` and closes them.
    ///
    ///     S: * BYE [UNAVAILABLE] Too many connections from your address\r\n   (then close)
    func listen(
        host: String,
        port: Int,
        limits: ListenerLimits,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener

    /// Opens an outbound connection (frontends to backends, mupdate clients).
    ///
    /// Throws ``ConnectionError`` with code ``ConnectionError/Code/refused`` when nothing
    /// listens there and ``ConnectionError/Code/timedOut`` after `timeout`.
    func connect(host: String, port: Int, timeout: Duration) async throws -> any Connection
}

extension Engine {
    /// ``listen(host:port:limits:logger:handler:)`` for a handler that throws: the error is
    /// logged with the connection's id and peer, and the connection is closed.
    public func listen(
        host: String,
        port: Int,
        limits: ListenerLimits,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async throws -> Void
    ) async throws -> any Listener {
        try await self.listen(host: host, port: port, limits: limits, logger: logger) {
            (connection: any Connection) async -> Void in
            do {
                try await handler(connection)
            } catch {
                logger.warning(
                    "connection handler failed",
                    metadata: [
                        "connection": "\(connection.id)", "peer": "\(connection.remoteAddress)",
                        "error": "\(error)",
                    ]
                )
            }
        }
    }
}

extension Engine {
    /// ``listen(host:port:limits:logger:handler:)`` with implicit TLS (RFC 8314) when `tls` is
    /// set: each accepted connection completes a TLS handshake before `handler` sees it.
    ///
    /// A failed or timed-out handshake is logged and closes that connection only; the handler
    /// never runs for it and the listener goes on. Give such a listener an empty
    /// `limits.refusal`: a plaintext refusal means nothing to a TLS client.
    ///
    ///     C: <ClientHello>    S: <ServerHello … Finished>
    ///     S: * OK [CAPABILITY IMAP4rev1 …] server ready       (encrypted)
    ///
    /// - SeeAlso: [RFC 8314 §3.3](https://www.rfc-editor.org/rfc/rfc8314#section-3.3)
    public func listen(
        host: String,
        port: Int,
        limits: ListenerLimits,
        tls: ServerTLS?,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener {
        guard let tls else {
            return try await self.listen(host: host, port: port, limits: limits, logger: logger, handler: handler)
        }
        return try await self.listen(host: host, port: port, limits: limits, logger: logger) {
            (connection: any Connection) async -> Void in
            do {
                try await connection.startTLS(tls)
            } catch {
                logger.notice(
                    "TLS handshake failed",
                    metadata: [
                        "connection": "\(connection.id)", "peer": "\(connection.remoteAddress)",
                        "error": "\(error)",
                    ]
                )
                return
            }
            await handler(connection)
        }
    }
}
