public import Transport

extension NodeConfig {
    /// The `[tls]` table: the certificate every TLS listener and STARTTLS present.
    ///
    ///     [tls]
    ///     cert_file = "/etc/murder/imap.pem"
    ///     key_file = "/etc/murder/imap.key"
    ///     [imap]
    ///     listen_tls = ["0.0.0.0:993"]
    ///
    /// Both keys or neither. With them, IMAP listeners offer STARTTLS and `imap.listen_tls`
    /// listeners speak implicit TLS; without them, neither exists.
    ///
    /// - SeeAlso: [RFC 8314](https://www.rfc-editor.org/rfc/rfc8314),
    ///   [RFC 3501 §6.2.1](https://www.rfc-editor.org/rfc/rfc3501#section-6.2.1)
    public struct TLS: Sendable, Hashable {
        /// PEM certificate chain, leaf first. Relative to the config file's folder.
        public var certFile: String?
        /// PEM private key of the certificate, unencrypted. Relative to the config file's folder.
        public var keyFile: String?

        public init(certFile: String? = nil, keyFile: String? = nil) {
            self.certFile = certFile
            self.keyFile = keyFile
        }

        /// Whether a certificate is configured.
        public var isConfigured: Bool { certFile != nil && keyFile != nil }

        /// Loads the certificate and key (blocking file I/O), or nil when none is configured.
        ///
        /// Errors name the key and the file:
        ///
        ///     node.toml: tls.key_file: /etc/murder/imap.key: not an unencrypted PEM private key (…)
        public func load(file: String, handshakeTimeout: Duration = .seconds(30)) throws(ConfigError) -> ServerTLS? {
            guard let certFile, let keyFile else { return nil }
            do {
                return try ServerTLS(
                    TLSConfiguration(
                        certificateChainFile: certFile, privateKeyFile: keyFile, handshakeTimeout: handshakeTimeout
                    )
                )
            } catch {
                let key = error.file == keyFile && error.file != certFile ? "tls.key_file" : "tls.cert_file"
                throw ConfigError(.invalidValue, file: file, key: key, error.description)
            }
        }
    }

    /// Both `[tls]` keys or neither; `imap.listen_tls` only with them.
    static func decodeTLS(_ reader: ConfigReader, into config: inout NodeConfig) throws(ConfigError) {
        let path: (String) -> String? = { $0.isEmpty ? "the path is empty" : nil }
        config.tls.certFile = try reader.string("tls.cert_file", default: nil, expected: "a file path", validate: path)
        config.tls.keyFile = try reader.string("tls.key_file", default: nil, expected: "a file path", validate: path)
        switch (config.tls.certFile, config.tls.keyFile) {
        case (nil, _?):
            throw ConfigError(
                .missingKey, file: reader.file, key: "tls.cert_file",
                "tls.key_file is set but not the certificate it belongs to (set both or neither)")
        case (_?, nil):
            throw ConfigError(
                .missingKey, file: reader.file, key: "tls.key_file",
                "tls.cert_file is set but not its private key (set both or neither)")
        default: break
        }
        var listen: [ListenAddress] = []
        for text in try reader.strings(
            "imap.listen_tls", default: [], expected: "an array of \"host:port\"",
            validate: { text in
                var complaint = ""
                return ListenAddress(parsing: text, complaint: &complaint) == nil ? complaint : nil
            }
        ) {
            var complaint = ""
            if let address = ListenAddress(parsing: text, complaint: &complaint) { listen.append(address) }
        }
        if !listen.isEmpty, !config.tls.isConfigured {
            throw ConfigError(
                .missingKey, file: reader.file, key: "imap.listen_tls",
                "implicit TLS listeners need a certificate: set tls.cert_file and tls.key_file")
        }
        config.imap.listenTLS = listen
    }
}
