import NIOCore
import NIOSSL

/// The client side of TLS for outbound links (a frontend to its backends, a mupdate client):
/// which roots to trust and which name the server's certificate must carry.
///
///     let tls = try ClientTLS(trustRootsFile: "ca.pem", serverHostname: "backend1.example")
///     let connection = try await engine.connect(host: "10.0.0.2", port: 993, timeout: .seconds(5))
///     try await connection.startTLS(tls)
///
/// The server's certificate is always verified: against `trustRootsFile` when given, else the
/// system's roots; its name is checked against `serverHostname` when given (an IP address
/// form is checked against the certificate's IP addresses), otherwise only the chain is checked.
public final class ClientTLS: Sendable {
    /// The name sent as SNI and checked against the server's certificate.
    public let serverHostname: String?
    public let handshakeTimeout: Duration
    let context: NIOSSLContext

    /// Throws ``TLSSetupError`` naming `trustRootsFile` when it is unreadable or holds no
    /// certificate. Blocking file I/O: call at start-up, not on an event loop.
    public init(
        trustRootsFile: String? = nil, serverHostname: String? = nil, handshakeTimeout: Duration = .seconds(30)
    ) throws(TLSSetupError) {
        var tls = NIOSSL.TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.shutdownTimeout = .seconds(2)
        if let trustRootsFile {
            let bytes = try PEMFile.load(trustRootsFile)
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMBytes(bytes)
            } catch {
                throw TLSSetupError(.invalidCertificate, file: trustRootsFile, "not PEM certificates (\(error))")
            }
            guard !roots.isEmpty else {
                throw TLSSetupError(.invalidCertificate, file: trustRootsFile, "no PEM certificate in the file")
            }
            tls.trustRoots = .certificates(roots)
        }
        tls.certificateVerification = serverHostname == nil ? .noHostnameVerification : .fullVerification
        do {
            self.context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSSetupError(.unusable, file: trustRootsFile ?? "(system trust roots)", "\(error)")
        }
        self.serverHostname = serverHostname
        self.handshakeTimeout = handshakeTimeout
    }
}
