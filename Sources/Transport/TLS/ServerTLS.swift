import NIOCore
import NIOSSL

/// A server's TLS identity, loaded once and shared by every connection that starts TLS with it
/// (implicit TLS on accept, or STARTTLS).
///
///     let tls = try ServerTLS(TLSConfiguration(certificateChainFile: "c.pem", privateKeyFile: "k.pem"))
///     C: a1 STARTTLS
///     S: a1 OK Begin TLS negotiation now
///     try await connection.startTLS(tls)          (handshake; then reads and writes are decrypted)
///
/// TLS 1.2 and later; no client certificates are requested.
///
/// - SeeAlso: [RFC 8314 §4](https://www.rfc-editor.org/rfc/rfc8314#section-4) (TLS versions).
public final class ServerTLS: Sendable {
    public let configuration: TLSConfiguration
    let context: NIOSSLContext

    /// Reads and checks both files. Throws ``TLSSetupError`` naming the file that is unreadable
    /// or invalid, or the key file when the key does not match the certificate.
    ///
    /// Blocking file I/O: call at start-up, not on an event loop.
    public init(_ configuration: TLSConfiguration) throws(TLSSetupError) {
        let chainFile = configuration.certificateChainFile
        let keyFile = configuration.privateKeyFile
        let chainBytes = try PEMFile.load(chainFile)
        let keyBytes = try PEMFile.load(keyFile)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(chainBytes)
        } catch {
            throw TLSSetupError(.invalidCertificate, file: chainFile, "not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError(.invalidCertificate, file: chainFile, "no PEM certificate in the file")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw TLSSetupError(
                .invalidPrivateKey, file: keyFile, "not an unencrypted PEM private key (\(error))"
            )
        }
        var tls = NIOSSL.TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        tls.minimumTLSVersion = .tlsv12
        tls.shutdownTimeout = .seconds(2)
        do {
            self.context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSSetupError(
                .unusable, file: keyFile,
                "the private key does not match the certificate in \(chainFile) (\(error))"
            )
        }
        self.configuration = configuration
    }
}
