public import Logging

extension NodeConfig {
    /// The `[auth]` table: SASL and who may do what.
    public struct Auth: Sendable, Hashable {
        /// The SASL password database (Berkeley DB or GDBM, as `saslpasswd2 -f` writes).
        public var sasldb: String
        /// SASL realm; empty means none.
        public var realm = ""
        /// SASL mechanisms offered, in order.
        ///
        /// - SeeAlso: [RFC 4422 §3.1](https://www.rfc-editor.org/rfc/rfc4422#section-3.1)
        public var mechanisms = ["PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"]
        /// Whether LOGIN and plain-text mechanisms work without TLS.
        public var allowPlaintext = true
        /// Users with administrator rights on every mailbox.
        public var admins = ["admin"]
        /// Users that may authenticate as themselves and act as another (frontends, replicas).
        public var proxyIdentities: [String] = []

        /// The defaults, with the SASL database at `<dataDirectory>/sasldb2`.
        public init(dataDirectory: String) {
            self.sasldb = Self.defaultSASLDB(dataDirectory: dataDirectory)
        }

        static func defaultSASLDB(dataDirectory: String) -> String {
            dataDirectory.hasSuffix("/") ? dataDirectory + "sasldb2" : dataDirectory + "/sasldb2"
        }
    }

    /// The `[namespace]` table.
    ///
    /// - SeeAlso: [RFC 2342](https://www.rfc-editor.org/rfc/rfc2342)
    public struct Namespace: Sendable, Hashable {
        /// "/" (Cyrus `unixhierarchysep: yes`) or ".".
        public var hierarchySeparator: Character = "/"
        /// Cyrus `altnamespace`: other users' and shared folders at the top level.
        public var altNamespace = false

        public init() {}
    }

    /// The `[quota]` table: limits given to new users' INBOX.
    ///
    /// - SeeAlso: [RFC 2087](https://www.rfc-editor.org/rfc/rfc2087)
    public struct Quota: Sendable, Hashable {
        /// STORAGE limit in KiB; 0 = unlimited.
        public var defaultStorageKiB = 0
        /// MESSAGE limit; 0 = unlimited.
        public var defaultMessages = 0

        public init() {}
    }

    /// The `[log]` table.
    public struct Log: Sendable, Hashable {
        /// trace, debug, info, notice, warning, error or critical.
        public var level: Logger.Level = .info

        public init() {}
    }
}
