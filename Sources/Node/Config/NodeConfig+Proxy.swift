extension NodeConfig {
    /// The `[proxy]` table: how a frontend reaches the backends (SPEC.md §5) and where it places
    /// new mailboxes (SPEC.md §7.1).
    ///
    ///     [proxy]
    ///     username = "murder"
    ///     password_file = "/etc/murder/proxy.secret"
    ///     placement = "most-free"
    ///     servers = ["imap1.example.com", "imap2.example.com"]
    public struct Proxy: Sendable, Hashable {
        /// The identity a frontend authenticates to backends as (SASL PLAIN, with the client's
        /// user as authorization id); one of the backends' `auth.proxy_identities`.
        public var username = "murder"
        /// That identity's password, here or on the first line of the file `passwordFile`.
        public var password = ""
        public var passwordFile = ""
        /// How a new top-level mailbox finds its backend.
        public var placement = Placement.mostFree
        /// The backends new mailboxes may be placed on (servernames); empty = every server
        /// that holds a mailbox in the list.
        public var servers: [String] = []
        /// Bound on connecting and authenticating to a backend, and on one command there.
        public var backendTimeoutSeconds = 30
        /// A session's connection to a backend it has not used for this long is closed (never
        /// the selected one).
        public var backendIdleSeconds = 300

        public init() {}

        /// CREATE placement policy over ``servers``.
        public enum Placement: String, Sendable, Hashable, CaseIterable {
            /// The backend with the most free space by its `freespace/total` metadata.
            case mostFree = "most-free"
            /// A uniformly random backend.
            case random
        }
    }
}

extension NodeConfig {
    /// The password of `proxy.username`, from `proxy.password` or the first line of
    /// `proxy.password_file`.
    ///
    /// Throws a ``ConfigError`` naming the key when the file cannot be read or no password is set.
    public func proxyPassword() throws(ConfigError) -> String {
        let password = try Self.password(section: "proxy", inline: proxy.password, file: proxy.passwordFile)
        guard !password.isEmpty else {
            throw ConfigError(
                .missingKey, file: "config", key: "proxy.password",
                "a frontend needs the password of proxy.username: set proxy.password or proxy.password_file")
        }
        return password
    }
}
