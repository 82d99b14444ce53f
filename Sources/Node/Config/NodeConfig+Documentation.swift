extension NodeConfig {
    /// Every key a node's file may set, with its default and meaning, in file order.
    ///
    /// This table is also the list of known keys: a key missing here is rejected as unknown.
    /// It feeds the README and `murder config --keys`.
    public static let documentation: [(key: String, default: String, meaning: String)] = [
        (
            "servername", "the host name",
            "This node's identity, host or host:port; mupdate records it as its mailboxes' server."
        ),
        ("roles", "[\"backend\"]", "Roles this node runs: backend, frontend, mupdate, replica."),
        (
            "data_dir", "(required)",
            "Folder of the node's durable state; the spool lives under it. Relative to the file's folder."
        ),
        (
            "engine", "\"uring\"",
            "Socket engine: \"uring\" (the C core on io_uring; falls back to nio, logged, where the kernel refuses io_uring) or \"nio\" (SwiftNIO, pure Swift)."
        ),
        (
            "imap.listen", "[\"127.0.0.1:143\"]",
            "IMAP listeners, \"host:port\" or \"[ipv6]:port\"; port 0 picks a free port."
        ),
        (
            "imap.listen_tls", "[]",
            "Implicit TLS listeners (IMAPS, RFC 8314), \"host:port\" as for imap.listen; they need [tls]."
        ),
        (
            "imap.max_connections", "10000",
            "Connections open at once per listener (1 to 1000000); more are refused with BYE."
        ),
        ("imap.max_connections_per_host", "200", "Connections open at once from one client address (1 to 1000000)."),
        (
            "imap.idle_timeout_seconds", "1800",
            "Idle time before an authenticated session is logged out (1800 to 604800, RFC 3501 §5.4)."
        ),
        ("imap.login_timeout_seconds", "60", "Time a client has to authenticate (1 to 3600)."),
        ("imap.max_line_bytes", "65536", "Longest command line, literals excluded (1024 to 1048576)."),
        ("imap.max_literal_bytes", "67108864", "Largest literal, advertised as APPENDLIMIT (1024 to 4294967295)."),
        ("imap.max_nesting", "32", "Deepest parenthesis nesting in a command (4 to 256)."),
        (
            "imap.literal_minus", "false",
            "Advertise LITERAL- (RFC 7888) instead of LITERAL+: non-synchronising literals up to 4096 bytes only."
        ),
        ("imap.failed_login_delay_ms", "1000", "Delay before answering a failed LOGIN or AUTHENTICATE (0 to 60000)."),
        ("auth.sasldb", "\"<data_dir>/sasldb2\"", "SASL password database, as saslpasswd2 -f writes it."),
        ("auth.realm", "\"\"", "SASL realm users are stored under; empty means this host's name, as saslpasswd2 without -u."),
        (
            "auth.mechanisms", "[\"PLAIN\", \"LOGIN\", \"SCRAM-SHA-1\", \"SCRAM-SHA-256\"]",
            "SASL mechanisms offered, in order."
        ),
        (
            "auth.allow_plaintext", "true",
            "Whether LOGIN, PLAIN and the LOGIN mechanism work without TLS; over TLS they always work."
        ),
        ("auth.admins", "[\"admin\"]", "Users with administrator rights on every mailbox."),
        (
            "auth.proxy_identities", "[]",
            "Users that may log in as themselves and act as another user (frontends, replicas)."
        ),
        (
            "tls.cert_file", "(none)",
            "PEM certificate chain, leaf first, for STARTTLS and imap.listen_tls; set with tls.key_file or not at all."
        ),
        (
            "tls.key_file", "(none)",
            "PEM private key (unencrypted) of tls.cert_file. Both paths are relative to the file's folder."
        ),
        (
            "namespace.hierarchy_separator", "\"/\"",
            "Hierarchy separator: \"/\" (Cyrus unixhierarchysep: yes) or \".\"."
        ),
        ("namespace.alt_namespace", "false", "Cyrus altnamespace: other users' and shared folders at the top level."),
        ("quota.default_storage_kib", "0", "STORAGE quota in KiB given to a new user's INBOX; 0 = unlimited."),
        ("quota.default_messages", "0", "MESSAGE quota given to a new user's INBOX; 0 = unlimited."),
        (
            "mupdate.listen", "[\"127.0.0.1:3905\"]",
            "MUPDATE listeners of the mupdate master (role mupdate), \"host:port\"; port 0 picks a free port."
        ),
        (
            "mupdate.server", "\"\"",
            "The mupdate master, \"host:port\", that a backend registers its mailboxes with; empty outside a murder."
        ),
        ("mupdate.username", "\"murder\"", "Identity this node authenticates to the master as; one of the master's auth.admins."),
        ("mupdate.password", "\"\"", "Password of mupdate.username (or use mupdate.password_file)."),
        (
            "mupdate.password_file", "\"\"",
            "File holding the password of mupdate.username on its first line; relative to the file's folder."
        ),
        (
            "mupdate.starttls", "false",
            "Use STARTTLS on this node's connections to the master, verifying its certificate and host name."
        ),
        (
            "mupdate.ca_file", "\"\"",
            "PEM roots for the master's certificate with mupdate.starttls; empty = the system's. Relative to the file's folder."
        ),
        ("mupdate.partition", "\"default\"", "Partition this backend's mailboxes are registered with (server!partition)."),
        ("mupdate.max_connections", "1000", "Connections open at once per MUPDATE listener (1 to 100000); more get BYE."),
        (
            "mupdate.idle_timeout_seconds", "1800",
            "Idle time before a MUPDATE connection that is not streaming is closed (900 to 604800, RFC 3656 §2)."
        ),
        ("proxy.username", "\"murder\"", "Identity a frontend authenticates to backends as; one of their auth.proxy_identities."),
        ("proxy.password", "\"\"", "Password of proxy.username (or use proxy.password_file)."),
        (
            "proxy.password_file", "\"\"",
            "File holding the password of proxy.username on its first line; relative to the file's folder."
        ),
        (
            "proxy.placement", "\"most-free\"",
            "Where a frontend places a new top-level mailbox: most-free (backend freespace metadata) or random."
        ),
        ("proxy.servers", "[]", "Servernames new mailboxes may be placed on; empty = every server in the mailbox list."),
        ("proxy.backend_timeout_seconds", "30", "Bound on connecting and authenticating to a backend and on one command there."),
        ("proxy.backend_idle_seconds", "300", "A session's unused backend connection is closed after this (never the selected one)."),
        (
            "xfer.username", "\"murder-xfer\"",
            "Identity a backend authenticates to another backend as to move mailboxes there (XFER); one of its auth.admins."
        ),
        ("xfer.password", "\"\"", "Password of xfer.username (or use xfer.password_file); empty = this backend cannot send XFERs."),
        (
            "xfer.password_file", "\"\"",
            "File holding the password of xfer.username on its first line; relative to the file's folder."
        ),
        ("log.level", "\"info\"", "Log level: trace, debug, info, notice, warning, error or critical."),
    ]
}
