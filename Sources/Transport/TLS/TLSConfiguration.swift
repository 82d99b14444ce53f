/// Where a server's TLS identity lives: a PEM certificate chain and its PEM private key.
///
/// The files are read once, by ``ServerTLS/init(_:)``; every connection then shares the loaded
/// context.
///
///     [tls]
///     cert_file = "/etc/murder/imap.pem"     (leaf certificate first, then intermediates)
///     key_file = "/etc/murder/imap.key"      (unencrypted PKCS#8 or traditional PEM key)
///
/// - SeeAlso: [RFC 8314](https://www.rfc-editor.org/rfc/rfc8314) (implicit TLS),
///   [RFC 3501 §6.2.1](https://www.rfc-editor.org/rfc/rfc3501#section-6.2.1) (STARTTLS).
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM file with the server certificate followed by any intermediate certificates.
    public var certificateChainFile: String
    /// PEM file with the certificate's private key (not passphrase-protected).
    public var privateKeyFile: String
    /// Longest time a handshake may take before the connection is closed.
    public var handshakeTimeout: Duration

    public init(certificateChainFile: String, privateKeyFile: String, handshakeTimeout: Duration = .seconds(30)) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.handshakeTimeout = handshakeTimeout
    }
}
