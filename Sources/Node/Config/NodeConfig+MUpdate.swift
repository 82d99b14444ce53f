extension NodeConfig {
    /// The `[mupdate]` table: the murder's mailbox list (RFC 3656).
    ///
    /// A node with the `mupdate` role is the master and listens on `listen`. A backend with
    /// `server` set registers its mailboxes there; a frontend keeps a list replica fed from it.
    ///
    ///     [mupdate]
    ///     server = "mupdate.example.com:3905"
    ///     username = "murder"
    ///     password_file = "/etc/murder/mupdate.secret"
    public struct MUpdate: Sendable, Hashable {
        /// Where the master listens (role `mupdate`), or where a frontend serves its list
        /// replica read-only.
        public var listen: [ListenAddress] = [ListenAddress(host: "127.0.0.1", port: 3905)]
        /// The master, "host:port"; empty outside a murder.
        public var server = ""
        /// Who this node authenticates to the master as (one of the master's `auth.admins`).
        public var username = "murder"
        /// That identity's password, in the file or in a file named by `passwordFile`.
        public var password = ""
        public var passwordFile = ""
        /// The partition this backend's mailboxes are registered with (`server!partition`).
        public var partition = "default"
        /// Whether this node's connections to the master must use STARTTLS (the master's
        /// certificate verified against `caFile`, or the system's roots, and its host name).
        public var startTLS = false
        /// PEM file of the roots that sign the master's certificate; empty = the system's.
        public var caFile = ""
        /// Connections open at once on each master listener.
        public var maxConnections = 1000
        /// Idle time before a connection that is not streaming updates is closed (RFC 3656 §2:
        /// at least 15 minutes).
        public var idleTimeoutSeconds = 1800

        public init() {}

        /// The master's address, or nil when no master is configured.
        public var serverAddress: ListenAddress? {
            guard !server.isEmpty else { return nil }
            var complaint = ""
            return ListenAddress(parsing: server, complaint: &complaint)
        }
    }
}
