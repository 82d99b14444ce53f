public import Transport

/// Where and how a MUPDATE client (a backend's registrar, a frontend's list replica) reaches the
/// master, and as whom it authenticates.
///
///     S: * AUTH "PLAIN"
///     S: * STARTTLS
///     S: * OK MUPDATE "mupdate.example.com" "Murder" "0.1" "(master)"
///     C: S01 STARTTLS                          (only when `tls` is set)
///     C: A01 AUTHENTICATE "PLAIN" {20+}
///     C: AG11cGRhdGUAc2VjcmV0
///     S: A01 OK "Authenticated"
///
/// - SeeAlso: [RFC 3656 §4.2](https://www.rfc-editor.org/rfc/rfc3656#section-4.2), SPEC.md §4
public struct MUpdateClientConfiguration: Sendable {
    /// The master's host (a name or an IP literal) and port (3905 by default).
    public var host: String
    public var port: Int
    /// The SASL authentication identity; it must be one of the master's `admins`.
    public var authenticationID: String
    public var password: String
    /// The SASL authorization identity, nil to act as oneself.
    public var authorizationID: String?
    /// Set to require STARTTLS: the connection fails when the banner does not offer it.
    public var tls: ClientTLS?
    /// Bound on connecting, reading the banner, STARTTLS and authenticating together.
    public var connectTimeout: Duration
    /// Bound on each command's answer.
    public var commandTimeout: Duration
    /// The server's name for SASL (`serverFQDN`); the host when nil.
    public var serverName: String?

    public static let defaultPort = 3905

    public init(
        host: String, port: Int = MUpdateClientConfiguration.defaultPort, authenticationID: String,
        password: String, authorizationID: String? = nil, tls: ClientTLS? = nil,
        connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(20), serverName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.authenticationID = authenticationID
        self.password = password
        self.authorizationID = authorizationID
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.serverName = serverName
    }

    /// `host:port`, for logs and errors.
    public var address: String { "\(host):\(port)" }
}
