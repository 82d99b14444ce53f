/// Why a TLS identity or trust store could not be loaded; the description names the file.
///
///     /etc/murder/imap.pem: cannot read: No such file or directory
///     /etc/murder/imap.key: not a PEM private key
public struct TLSSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file is missing, unreadable, empty or too large.
        case unreadable
        /// The file holds no PEM certificate BoringSSL accepts.
        case invalidCertificate
        /// The file holds no PEM private key BoringSSL accepts.
        case invalidPrivateKey
        /// The key does not belong to the certificate, or the context cannot be built.
        case unusable
    }

    public var code: Code
    /// The file the problem is in.
    public var file: String
    public var message: String

    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
