public import Logging
public import Transport

/// A frontend's IMAP listener: runs a ``FrontendSession`` on each accepted connection.
public final class FrontendServer: Sendable {
    public let context: ProxyContext

    public init(context: ProxyContext) {
        self.context = context
    }

    /// Starts listening (implicit TLS with `tls`); sessions already running outlive the listener.
    public func listen(host: String, port: Int, limits: ListenerLimits, tls: ServerTLS? = nil) async throws -> any Listener {
        let context = self.context
        return try await context.engine.listen(host: host, port: port, limits: limits, tls: tls, logger: context.logger) {
            connection in
            await FrontendSession(connection: connection, context: context).run()
        }
    }
}
