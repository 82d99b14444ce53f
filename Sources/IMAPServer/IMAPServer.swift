public import Logging
public import Transport

/// A backend's IMAP listener: accepts connections through an engine and runs an
/// ``IMAPSession`` on each.
public final class IMAPServer: Sendable {
    public let context: ServerContext
    let engine: any Engine

    public init(context: ServerContext, engine: any Engine) {
        self.context = context
        self.engine = engine
    }

    /// Starts listening; the returned listener reports the bound port and stops accepting on
    /// close (sessions already running go on until they end). With `tls`, the listener speaks
    /// implicit TLS (RFC 8314, IMAPS): each session starts after its handshake.
    public func listen(
        host: String, port: Int, limits: ListenerLimits, tls: ServerTLS? = nil
    ) async throws -> any Listener {
        let context = self.context
        return try await engine.listen(
            host: host, port: port, limits: limits, tls: tls, logger: context.logger
        ) { connection in
            let session = IMAPSession(connection: connection, context: context)
            await session.run()
        }
    }
}
