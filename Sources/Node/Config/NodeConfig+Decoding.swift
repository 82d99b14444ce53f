import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension NodeConfig {
    /// Reads and validates the file at `path`.
    ///
    /// A relative `data_dir`, `tls.cert_file` or `tls.key_file` is taken relative to the file's
    /// folder. The TLS certificate and key are loaded once here, so a bad one is reported
    /// before anything starts.
    public static func load(path: String) throws(ConfigError) -> NodeConfig {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let text = try Self.readFile(path, name: name)
        var config = try Self.parse(text, file: name)
        if !config.dataDirectory.hasPrefix("/"), let slash = path.lastIndex(of: "/") {
            let folder = String(path[...slash])
            let sasldbWasDefault = config.auth.sasldb == Auth.defaultSASLDB(dataDirectory: config.dataDirectory)
            config.dataDirectory = folder + config.dataDirectory
            if sasldbWasDefault {
                config.auth.sasldb = Auth.defaultSASLDB(dataDirectory: config.dataDirectory)
            }
        }
        if let slash = path.lastIndex(of: "/") {
            let folder = String(path[...slash])
            if let cert = config.tls.certFile, !cert.hasPrefix("/") { config.tls.certFile = folder + cert }
            if let key = config.tls.keyFile, !key.hasPrefix("/") { config.tls.keyFile = folder + key }
            let secret = config.mupdate.passwordFile
            if !secret.isEmpty, !secret.hasPrefix("/") { config.mupdate.passwordFile = folder + secret }
            let roots = config.mupdate.caFile
            if !roots.isEmpty, !roots.hasPrefix("/") { config.mupdate.caFile = folder + roots }
            let proxySecret = config.proxy.passwordFile
            if !proxySecret.isEmpty, !proxySecret.hasPrefix("/") { config.proxy.passwordFile = folder + proxySecret }
            let xferSecret = config.xfer.passwordFile
            if !xferSecret.isEmpty, !xferSecret.hasPrefix("/") { config.xfer.passwordFile = folder + xferSecret }
        }
        _ = try config.tls.load(file: name)
        return config
    }

    /// Parses and validates `text`; `file` names it in errors ("node.toml:12: …").
    public static func parse(_ text: String, file: String) throws(ConfigError) -> NodeConfig {
        let document = try TOMLParser.parse(text, file: file)
        let reader = ConfigReader(document: document, file: file)
        try reader.rejectUnknown(known: Self.documentation.map(\.key))
        return try Self.decode(reader)
    }

    // MARK: - Keys

    private static func decode(_ reader: ConfigReader) throws(ConfigError) -> NodeConfig {
        guard
            let dataDirectory = try reader.string(
                "data_dir", default: nil, expected: "a folder path",
                validate: { $0.isEmpty ? "the path is empty" : nil }
            )
        else {
            throw ConfigError(
                .missingKey, file: reader.file, key: "data_dir",
                "required key is missing (the folder the spool lives in)")
        }
        var config = NodeConfig(dataDirectory: dataDirectory)
        config.servername =
            try reader.string(
                "servername", default: config.servername, expected: "host or host:port",
                validate: Self.servernameComplaint
            ) ?? config.servername
        let roleNames = try reader.strings(
            "roles", default: ["backend"], expected: "an array of roles", nonEmpty: true,
            validate: {
                Role(rawValue: $0) == nil
                    ? "not a role (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))" : nil
            }
        )
        config.roles = roleNames.compactMap(Role.init(rawValue:))
        config.engine =
            EngineKind(
                rawValue: try reader.choice("engine", default: "uring", among: EngineKind.allCases.map(\.rawValue))
            ) ?? .uring

        try Self.decodeIMAP(reader, into: &config.imap)
        try Self.decodeAuth(reader, into: &config.auth)
        try Self.decodeTLS(reader, into: &config)

        let separator = try reader.choice("namespace.hierarchy_separator", default: "/", among: ["/", "."])
        config.namespace.hierarchySeparator = separator == "." ? "." : "/"
        config.namespace.altNamespace = try reader.boolean("namespace.alt_namespace", default: false)

        config.quota.defaultStorageKiB = try reader.integer(
            "quota.default_storage_kib", default: 0, in: 0...(1 << 50)
        )
        config.quota.defaultMessages = try reader.integer("quota.default_messages", default: 0, in: 0...(1 << 32))

        try Self.decodeMUpdate(reader, into: &config.mupdate)
        try Self.decodeProxy(reader, into: &config.proxy)
        try Self.decodeXfer(reader, into: &config.xfer)

        let level = try reader.choice(
            "log.level", default: "info", among: Logger.Level.allCases.map(\.rawValue)
        )
        config.log.level = Logger.Level(rawValue: level) ?? .info
        return config
    }

    /// A non-empty array of "host:port" listen addresses.
    private static func listenAddresses(
        _ reader: ConfigReader, _ key: String, default value: [ListenAddress]
    ) throws(ConfigError) -> [ListenAddress] {
        var listen: [ListenAddress] = []
        for text in try reader.strings(
            key, default: value.map(\.description), expected: "an array of \"host:port\"", nonEmpty: true,
            validate: { text in
                var complaint = ""
                return ListenAddress(parsing: text, complaint: &complaint) == nil ? complaint : nil
            }
        ) {
            var complaint = ""
            if let address = ListenAddress(parsing: text, complaint: &complaint) { listen.append(address) }
        }
        return listen
    }

    private static func decodeIMAP(_ reader: ConfigReader, into imap: inout IMAP) throws(ConfigError) {
        imap.listen = try Self.listenAddresses(reader, "imap.listen", default: imap.listen)
        imap.maxConnections = try reader.integer(
            "imap.max_connections", default: imap.maxConnections, in: 1...1_000_000)
        imap.maxConnectionsPerHost = try reader.integer(
            "imap.max_connections_per_host", default: imap.maxConnectionsPerHost, in: 1...1_000_000
        )
        imap.idleTimeoutSeconds = try reader.integer(
            "imap.idle_timeout_seconds", default: imap.idleTimeoutSeconds, in: 1800...604_800
        )
        imap.loginTimeoutSeconds = try reader.integer(
            "imap.login_timeout_seconds", default: imap.loginTimeoutSeconds, in: 1...3600
        )
        imap.maxLineBytes = try reader.integer("imap.max_line_bytes", default: imap.maxLineBytes, in: 1024...1_048_576)
        imap.maxLiteralBytes = try reader.integer(
            "imap.max_literal_bytes", default: imap.maxLiteralBytes, in: 1024...4_294_967_295
        )
        imap.maxNesting = try reader.integer("imap.max_nesting", default: imap.maxNesting, in: 4...256)
        imap.literalMinus = try reader.boolean("imap.literal_minus", default: imap.literalMinus)
        imap.failedLoginDelayMilliseconds = try reader.integer(
            "imap.failed_login_delay_ms", default: imap.failedLoginDelayMilliseconds, in: 0...60_000
        )
    }

    private static func decodeProxy(_ reader: ConfigReader, into proxy: inout Proxy) throws(ConfigError) {
        proxy.username =
            try reader.string("proxy.username", default: proxy.username, validate: Self.nameComplaint(allowEmpty: false))
            ?? proxy.username
        proxy.password = try reader.string("proxy.password", default: "") ?? ""
        proxy.passwordFile = try reader.string("proxy.password_file", default: "", expected: "a file path") ?? ""
        if !proxy.password.isEmpty, !proxy.passwordFile.isEmpty {
            throw ConfigError(
                .invalidValue, file: reader.file, key: "proxy.password_file",
                "set proxy.password or proxy.password_file, not both")
        }
        proxy.placement =
            Proxy.Placement(
                rawValue: try reader.choice(
                    "proxy.placement", default: proxy.placement.rawValue, among: Proxy.Placement.allCases.map(\.rawValue))
            ) ?? .mostFree
        proxy.servers = try reader.strings(
            "proxy.servers", default: [], expected: "an array of servernames", nonEmpty: false,
            validate: Self.servernameComplaint)
        proxy.backendTimeoutSeconds = try reader.integer(
            "proxy.backend_timeout_seconds", default: proxy.backendTimeoutSeconds, in: 1...3600)
        proxy.backendIdleSeconds = try reader.integer(
            "proxy.backend_idle_seconds", default: proxy.backendIdleSeconds, in: 10...86_400)
    }

    private static func decodeMUpdate(_ reader: ConfigReader, into mupdate: inout MUpdate) throws(ConfigError) {
        mupdate.listen = try Self.listenAddresses(reader, "mupdate.listen", default: mupdate.listen)
        mupdate.server =
            try reader.string(
                "mupdate.server", default: "", expected: "\"host:port\"",
                validate: { text in
                    guard !text.isEmpty else { return nil }
                    var complaint = ""
                    guard let address = ListenAddress(parsing: text, complaint: &complaint) else { return complaint }
                    return address.port == 0 ? "the master's port cannot be 0" : nil
                }
            ) ?? ""
        mupdate.username =
            try reader.string("mupdate.username", default: mupdate.username, validate: Self.nameComplaint(allowEmpty: false))
            ?? mupdate.username
        mupdate.password = try reader.string("mupdate.password", default: "") ?? ""
        mupdate.passwordFile = try reader.string("mupdate.password_file", default: "", expected: "a file path") ?? ""
        if !mupdate.password.isEmpty, !mupdate.passwordFile.isEmpty {
            throw ConfigError(
                .invalidValue, file: reader.file, key: "mupdate.password_file",
                "set mupdate.password or mupdate.password_file, not both")
        }
        mupdate.startTLS = try reader.boolean("mupdate.starttls", default: false)
        mupdate.caFile = try reader.string("mupdate.ca_file", default: "", expected: "a file path") ?? ""
        mupdate.partition =
            try reader.string(
                "mupdate.partition", default: mupdate.partition,
                validate: { text in
                    let ok = !text.isEmpty && text.utf8.count <= 64
                        && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "!") }
                    return ok ? nil : "a partition is 1 to 64 printable ASCII characters without spaces or \"!\""
                }
            ) ?? mupdate.partition
        mupdate.maxConnections = try reader.integer(
            "mupdate.max_connections", default: mupdate.maxConnections, in: 1...100_000)
        mupdate.idleTimeoutSeconds = try reader.integer(
            "mupdate.idle_timeout_seconds", default: mupdate.idleTimeoutSeconds, in: 900...604_800)
    }

    private static func decodeAuth(_ reader: ConfigReader, into auth: inout Auth) throws(ConfigError) {
        auth.sasldb =
            try reader.string(
                "auth.sasldb", default: auth.sasldb, expected: "a file path",
                validate: { $0.isEmpty ? "the path is empty" : nil }
            ) ?? auth.sasldb
        auth.realm = try reader.string("auth.realm", default: "", validate: Self.nameComplaint(allowEmpty: true)) ?? ""
        auth.mechanisms = try reader.strings(
            "auth.mechanisms", default: auth.mechanisms, expected: "an array of SASL mechanism names", nonEmpty: true,
            validate: Self.mechanismComplaint
        )
        auth.allowPlaintext = try reader.boolean("auth.allow_plaintext", default: auth.allowPlaintext)
        auth.admins = try reader.strings(
            "auth.admins", default: auth.admins, expected: "an array of user names",
            validate: Self.nameComplaint(allowEmpty: false)
        )
        auth.proxyIdentities = try reader.strings(
            "auth.proxy_identities", default: [], expected: "an array of user names",
            validate: Self.nameComplaint(allowEmpty: false)
        )
    }

    // MARK: - Validation

    /// host or host:port, with an IPv6 host in brackets.
    static func servernameComplaint(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 255 else { return "it must have 1 to 255 characters" }
        guard text.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "!" && $0 != "\"" }) else {
            return "it may not contain spaces, \"!\" or non-ASCII characters"
        }
        if text.hasPrefix("[") || text.contains(":") {
            if !text.hasPrefix("["), text.filter({ $0 == ":" }).count > 1 {
                return "an IPv6 address is written [address] or [address]:port"
            }
            if text.hasPrefix("["), text.hasSuffix("]") { return nil }
            var complaint = ""
            return ListenAddress(parsing: text, complaint: &complaint) == nil ? complaint : nil
        }
        return nil
    }

    // sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
    static func mechanismComplaint(_ text: String) -> String? {
        let valid =
            (1...20).contains(text.count)
            && text.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        return valid ? nil : "a SASL mechanism name is 1 to 20 upper-case letters, digits, \"-\" or \"_\""
    }

    static func nameComplaint(allowEmpty: Bool) -> (String) -> String? {
        { text in
            if text.isEmpty { return allowEmpty ? nil : "the name is empty" }
            guard text.utf8.count <= 255,
                !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
            else { return "a name has at most 255 bytes and no spaces or control characters" }
            return nil
        }
    }

    // MARK: - File

    /// Reads at most ``TOMLParser/maxFileBytes`` of valid UTF-8.
    private static func readFile(_ path: String, name: String) throws(ConfigError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigError(.unreadable, file: name, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { _ = Self.closeDescriptor(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigError(.unreadable, file: name, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= TOMLParser.maxFileBytes else {
                throw ConfigError(.unreadable, file: name, "file is larger than \(TOMLParser.maxFileBytes) bytes")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(.unreadable, file: name, "file is not valid UTF-8")
        }
        return text
    }

    private static func closeDescriptor(_ descriptor: CInt) -> CInt {
        #if canImport(Glibc)
            Glibc.close(descriptor)
        #else
            Darwin.close(descriptor)
        #endif
    }
}
