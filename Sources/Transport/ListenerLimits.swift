/// Bounds on the connections one listener accepts.
///
/// A connection over either bound is refused before any handler runs: the listener writes
/// `refusal` and closes.
///
///     S: * BYE [UNAVAILABLE] Too many connections from your address\r\n
///
/// - SeeAlso: [RFC 3501 §7.1.5](https://www.rfc-editor.org/rfc/rfc3501#section-7.1.5) (BYE),
///   [RFC 5530 §3](https://www.rfc-editor.org/rfc/rfc5530#section-3) (UNAVAILABLE).
public struct ListenerLimits: Sendable, Hashable {
    /// Connections open at once on this listener.
    public var maxConnections: Int
    /// Connections open at once from one remote host (address, without port).
    public var maxConnectionsPerHost: Int
    /// Bytes sent to a refused connection before it is closed.
    public var refusal: [UInt8]

    /// The default refusal, an IMAP untagged BYE.
    public static let defaultRefusal: [UInt8] = Array(
        "* BYE [UNAVAILABLE] Too many connections from your address\r\n".utf8
    )

    public init(
        maxConnections: Int = 10_000,
        maxConnectionsPerHost: Int = 200,
        refusal: [UInt8] = ListenerLimits.defaultRefusal
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.refusal = refusal
    }
}
