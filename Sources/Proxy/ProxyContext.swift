public import Auth
import IMAPWire
public import Logging
public import MUpdate
import Synchronization
public import Transport

/// What every frontend session shares: the list replica it routes by, authentication, the
/// proxy identity it uses at backends, and what backends were found to offer.
public final class ProxyContext: Sendable {
    public struct Settings: Sendable {
        /// The frontend's name, in its greeting.
        public var servername = "localhost"
        /// libsasl2's server name (the default realm), as for a backend.
        public var saslServerName: String = SASLDatabase.defaultRealm
        /// Naming shared by every node of the murder (SPEC.md §1).
        public var namespace = Namespace()
        public var admins: Set<String> = []
        /// The identity sessions authenticate to backends as, with the user as authorization id.
        public var proxyUser = "murder"
        public var proxyPassword = ""
        /// CREATE placement over ``placementServers`` (empty = every server in the list).
        public var placement: Placement = .mostFree
        public var placementServers: [String] = []
        /// Bound on connecting and authenticating to a backend, and on one command there.
        public var backendTimeout: Duration = .seconds(30)
        /// An unused backend connection of a session is closed after this (not the selected one).
        public var backendIdle: Duration = .seconds(300)
        public var maxLineBytes = 65536
        public var maxLiteralBytes: UInt64 = 64 << 20
        public var maxNesting = 32
        public var loginTimeout: Duration = .seconds(60)
        public var idleTimeout: Duration = .seconds(1800)
        public var allowPlaintext = true
        public var tls: ServerTLS? = nil
        /// The master, advertised as `MUPDATE=mupdate://host:port/`.
        public var mupdateServer: String? = nil
        /// How long the freshness barrier waits for the master (SPEC.md §4.2).
        public var barrierTimeout: Duration = .seconds(2)

        public init() {}
    }

    /// CREATE placement policy (SPEC.md §7.1).
    public enum Placement: String, Sendable, Hashable {
        /// The backend with the most free space (`/shared/vendor/cmu/cyrus-imapd/freespace/total`).
        case mostFree = "most-free"
        case random
    }

    public let settings: Settings
    public let sasl: SASLConfig
    public let throttle: LoginThrottle
    public let logger: Logger
    public let list: MUpdateListReplica
    public let engine: any Engine
    /// A frontend accepts no proxy logins (SPEC.md §12): every identity acts as itself.
    let proxyPolicy: ProxyPolicy
    /// Capabilities each backend advertised once authenticated, by servername.
    let learned = Mutex<[String: Set<String>]>([:])
    let mechanismLists = Mutex<[Bool: [String]]>([:])

    public init(
        settings: Settings, sasl: SASLConfig, throttle: LoginThrottle, list: MUpdateListReplica, engine: any Engine,
        logger: Logger
    ) {
        self.settings = settings
        self.sasl = sasl
        self.throttle = throttle
        self.list = list
        self.engine = engine
        self.logger = logger
        proxyPolicy = ProxyPolicy(admins: settings.admins, proxyIdentities: [])
    }

    /// What the frontend itself implements once a user is logged in.
    static let implemented: [String] = [
        "ACL", "RIGHTS=kxten", "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "NAMESPACE", "UIDPLUS",
        "UNSELECT", "CHILDREN", "MULTIAPPEND", "BINARY", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "SORT",
        "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "LIST-EXTENDED", "LIST-STATUS", "LIST-MYRIGHTS", "SPECIAL-USE",
        "CREATE-SPECIAL-USE", "IDLE", "MOVE", "METADATA", "WITHIN", "STATUS=SIZE", "OBJECTID",
    ]

    /// Records what a backend offered (SPEC.md §5: advertised = every backend's ∩ ours) and
    /// returns the set to keep: the one already recorded when equal, so the sessions' links
    /// to a backend share one copy instead of a set of strings each.
    func learn(server: String, capabilities: Set<String>) -> Set<String> {
        learned.withLock { known in
            if let same = known[server], same == capabilities { return same }
            known[server] = capabilities
            return capabilities
        }
    }

    /// Capabilities before (RFC 3501 §6.1.1) and after authentication.
    func capabilities(authenticated: Bool, mechanisms: [String], tls: Bool) -> [String] {
        var caps = ["IMAP4rev1", "LITERAL+", "ID", "ENABLE", "SASL-IR"]
        if !authenticated {
            caps += mechanisms.map { "AUTH=" + $0 }
            if settings.tls != nil, !tls { caps.append("STARTTLS") }
            if !settings.allowPlaintext, !tls { caps.append("LOGINDISABLED") }
            return caps
        }
        let backends = learned.withLock { Array($0.values) }
        for cap in Self.implemented {
            // A capability some backend lacks is not offered; before any backend was seen,
            // what the frontend implements.
            if backends.allSatisfy({ $0.contains(cap.uppercased()) }) { caps.append(cap) }
        }
        caps.append("APPENDLIMIT=\(settings.maxLiteralBytes)")
        if let master = settings.mupdateServer { caps.append("MUPDATE=mupdate://\(master)/") }
        return caps
    }

    /// The mechanisms to offer, asking libsasl2 only the first time.
    func mechanisms(tls: Bool, _ list: () -> [String]) -> [String] {
        if let known = mechanismLists.withLock({ $0[tls] }) { return known }
        let found = list()
        if !found.isEmpty { mechanismLists.withLock { $0[tls] = found } }
        return found
    }
}
