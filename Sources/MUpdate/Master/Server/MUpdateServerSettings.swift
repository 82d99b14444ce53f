public import Auth
public import IMAPWire
public import Transport

/// What an MUPDATE server needs to know (SPEC.md §3, §12).
///
///     var settings = MUpdateServerSettings(
///         servername: "mupdate.example.com", admins: ["mupdate"],
///         sasl: SASLConfig(sasldbPath: "/var/lib/murder/sasldb2", allowPlaintext: true))
///     settings.tls = try ServerTLS(TLSConfiguration(certificateChainFile: "c.pem", privateKeyFile: "k.pem"))
public struct MUpdateServerSettings: Sendable {
    /// This node's name, in the banner and as the SASL server FQDN.
    public var servername: String
    /// The server name given to libsasl2, whose default realm it is: the host name, as
    /// `saslpasswd2` without `-u` stores users under (the IMAP side does the same).
    public var saslServerName: String = SASLDatabase.defaultRealm
    /// The only identities that may authenticate (SPEC.md §12).
    public var admins: Set<String>
    public var sasl: SASLConfig
    /// Offers STARTTLS when set.
    public var tls: ServerTLS?
    /// Line, literal and name bounds (SPEC.md §3.1).
    public var limits: Limits
    /// A session that is not streaming and sends nothing for this long is closed (RFC 3656 §2
    /// asks for at least 15 minutes). Streaming sessions never time out.
    public var idleTimeout: Duration
    /// Bytes an UPDATE subscriber may have queued before it is dropped with `* BYE "too slow"`.
    public var subscriberQueueLimit: Int
    /// The version in the banner.
    public var version: String
    /// Refuse write commands (a list replica serving MUPDATE); the banner then names `role`.
    public var readOnly: Bool
    /// The last banner word: `"(master)"` or `"mupdate://<master>"`.
    public var role: MUpdateGreeting.Role
    /// The failed-login delay (SPEC.md §12).
    public var loginThrottle: LoginThrottle.Configuration

    public init(
        servername: String, admins: Set<String>, sasl: SASLConfig, tls: ServerTLS? = nil,
        limits: Limits = .mupdate, idleTimeout: Duration = .seconds(30 * 60),
        subscriberQueueLimit: Int = 4 << 20, version: String = "0.1", readOnly: Bool = false,
        role: MUpdateGreeting.Role = .master, loginThrottle: LoginThrottle.Configuration = .init()
    ) {
        self.servername = servername
        self.admins = admins
        self.sasl = sasl
        self.tls = tls
        self.limits = limits
        self.idleTimeout = idleTimeout
        self.subscriberQueueLimit = subscriberQueueLimit
        self.version = version
        self.readOnly = readOnly
        self.role = role
        self.loginThrottle = loginThrottle
    }
}
