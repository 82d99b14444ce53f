public import Auth
public import Logging
public import MUpdate
public import Spool
import Synchronization
public import Transport

/// What every session of one backend shares: the spool, authentication, naming, bounds.
public final class ServerContext: Sendable {
    public struct Settings: Sendable {
        public var servername: String = "localhost"
        /// The server name given to libsasl2, whose default realm it is: the host name, as
        /// `saslpasswd2` without `-u` (and `murder admin user add`) store users under.
        public var saslServerName: String = SASLDatabase.defaultRealm
        public var namespace = Namespace()
        public var admins: Set<String> = []
        public var proxyIdentities: Set<String> = []
        /// Longest command line and largest APPEND message (APPENDLIMIT).
        public var maxLineBytes = 65536
        public var maxLiteralBytes: UInt64 = 64 << 20
        public var maxNesting = 32
        /// RFC 7888 LITERAL- instead of LITERAL+: a larger non-synchronising literal gets BAD.
        public var literalMinus = false
        public var loginTimeout: Duration = .seconds(60)
        /// RFC 3501 §5.4: at least 30 minutes once authenticated.
        public var idleTimeout: Duration = .seconds(1800)
        /// Whether LOGIN, PLAIN and the LOGIN mechanism work without TLS (over TLS they always do).
        public var allowPlaintext = true
        /// The certificate STARTTLS negotiates with; nil = STARTTLS is not offered.
        public var tls: ServerTLS? = nil
        /// Quota given to a user's INBOX when an admin creates it (nil = none).
        public var defaultStorageKiB: UInt64? = nil
        public var defaultMessages: UInt64? = nil
        /// How often sessions in IDLE look for changes besides the spool's notifications.
        public var idlePoll: Duration = .seconds(30)
        /// The mupdate master this backend registers its mailboxes with, "host:port", advertised
        /// as `MUPDATE=mupdate://host:port/` once authenticated (as Cyrus backends do); nil outside
        /// a murder.
        public var mupdateServer: String? = nil

        public init() {}
    }

    public let spool: Spool
    public let sasl: SASLConfig
    public let settings: Settings
    public let throttle: LoginThrottle
    public let logger: Logger
    let proxyPolicy: ProxyPolicy
    /// The SASL mechanisms offered without and with TLS. They depend only on the config and the
    /// installed plugins, so the greeting does not open a libsasl2 connection every time.
    let mechanismLists = Mutex<[Bool: [String]]>([:])
    /// The mupdate master's view of this backend's mailboxes (SPEC.md §4.1); nil for a backend
    /// outside a murder.
    public let registration: (any MailboxRegistration)?
    /// Held around every change to the mailbox list (CREATE, DELETE, RENAME, SETACL), so that
    /// the local checks, the master's reservation and the local change are one step.
    let listGate = SerialGate()
    /// How this backend reaches other backends to move mailboxes to them (XFER, SPEC.md §7.5);
    /// nil = it cannot be the source of an XFER (it can still receive one).
    public let transfer: TransferSettings?
    /// Owners being moved away from this backend right now (one XFER per owner).
    let transfersOut = Mutex<Set<String>>([])

    public init(
        spool: Spool, sasl: SASLConfig, settings: Settings, throttle: LoginThrottle, logger: Logger,
        registration: (any MailboxRegistration)? = nil, transfer: TransferSettings? = nil
    ) {
        self.registration = registration
        self.transfer = transfer
        self.spool = spool
        self.sasl = sasl
        self.settings = settings
        self.throttle = throttle
        self.logger = logger
        proxyPolicy = ProxyPolicy(admins: settings.admins, proxyIdentities: settings.proxyIdentities)
    }

    /// The mechanisms to advertise, asking libsasl2 (`list`) only the first time.
    func mechanisms(tls: Bool, _ list: () -> [String]) -> [String] {
        if let known = mechanismLists.withLock({ $0[tls] }) { return known }
        let found = list()
        if !found.isEmpty { mechanismLists.withLock { $0[tls] = found } }
        return found
    }

    /// Capabilities before authentication (RFC 3501 §6.1.1; Cyrus lists AUTH= here). `tls` says
    /// whether the connection is already under TLS: STARTTLS is offered only when it is not
    /// and a certificate is configured, LOGINDISABLED only when it is not and plaintext
    /// logins are off (RFC 3501 §6.2.1, §6.2.3).
    ///
    ///     S: * CAPABILITY IMAP4rev1 … STARTTLS LOGINDISABLED        (before STARTTLS)
    ///     S: * CAPABILITY IMAP4rev1 … AUTH=PLAIN                    (after it)
    func capabilities(authenticated: Bool, mechanisms: [String], tls: Bool = false) -> [String] {
        var caps = ["IMAP4rev1", settings.literalMinus ? "LITERAL-" : "LITERAL+", "ID", "ENABLE", "SASL-IR"]
        if !authenticated {
            caps += mechanisms.map { "AUTH=" + $0 }
            if settings.tls != nil, !tls { caps.append("STARTTLS") }
            if !settings.allowPlaintext, !tls { caps.append("LOGINDISABLED") }
            return caps
        }
        caps += [
            "ACL", "RIGHTS=kxten", "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE",
            "NAMESPACE", "UIDPLUS", "UNSELECT", "CHILDREN", "MULTIAPPEND", "BINARY",
            "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "SORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES",
            "LIST-EXTENDED", "LIST-STATUS", "LIST-MYRIGHTS", "SPECIAL-USE", "CREATE-SPECIAL-USE", "IDLE", "MOVE",
            "METADATA", "WITHIN", "STATUS=SIZE", "OBJECTID", "APPENDLIMIT=\(settings.maxLiteralBytes)", "XLIST",
        ]
        if let master = settings.mupdateServer { caps.append("MUPDATE=mupdate://\(master)/") }
        return caps
    }
}
