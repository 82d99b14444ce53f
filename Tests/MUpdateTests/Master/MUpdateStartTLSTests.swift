import Foundation
import MurderTestSupport
import Testing
import Transport

@testable import MUpdate

@Suite(.enabled(if: SelfSignedCertificate.available, "openssl is not installed: no certificate to test with"))
struct MUpdateStartTLSTests {
    typealias H = MasterHarness

    static func withTLS(_ settings: inout MUpdateServerSettings) {
        guard let files = try? SelfSignedCertificate.files() else { return }
        settings.tls = try? ServerTLS(
            TLSConfiguration(certificateChainFile: files.certificate, privateKeyFile: files.key))
    }

    @Test("STARTTLS is offered, answered bare, and followed by the banner again without it")
    func startTLS() async throws {
        try await H.with(configure: Self.withTLS) { h in
            #expect(h.server.settings.tls != nil)
            let c = RawClient(try await h.engine.connect(host: "127.0.0.1", port: h.port, timeout: .seconds(5)))
            let banner =
                "* AUTH \"PLAIN\"\r\n* STARTTLS\r\n* COMPRESS \"DEFLATE\"\r\n* PARTIAL-UPDATE\r\n* X-UPDATE-SINCE\r\n"
                + "* OK MUPDATE \"mupdate.test\" \"Murder\" \"0.1\" \"(master)\"\r\n"
            try await c.expect(banner)
            try await c.send("S0 STARTTLS\r\nS1 NOOP\r\n")
            try await c.expect(
                "S0 BAD \"data sent after STARTTLS before the TLS handshake\"\r\nS1 BAD \"Please login first\"\r\n")
            try await c.send("S2 STARTTLS\r\n")
            try await c.expect("S2 OK Begin TLS negotiation now\r\n")
            let files = try SelfSignedCertificate.files()
            try await c.connection.startTLS(
                try ClientTLS(trustRootsFile: files.certificate, serverHostname: "localhost"))
            try await c.expect(banner.replacingOccurrences(of: "* STARTTLS\r\n", with: ""))
            try await c.send("S3 STARTTLS\r\n")
            try await c.expect("S3 BAD Already did a successful Starttls\r\n")
            try await c.send(RawClient.plain("mupdate", H.password, tag: "A1"))
            try await c.expect("A1 OK \"Authenticated\"\r\n")
            await c.close()
        }
    }

    @Test("our client with STARTTLS required: verifies the master's certificate, then works under TLS")
    func clientStartTLS() async throws {
        try await H.with(configure: Self.withTLS) { h in
            let files = try SelfSignedCertificate.files()
            let tls = try ClientTLS(trustRootsFile: files.certificate, serverHostname: "localhost")
            let config = MUpdateClientConfiguration(
                host: "127.0.0.1", port: h.port, authenticationID: "mupdate", password: H.password, tls: tls,
                connectTimeout: .seconds(10))
            let client = try await MUpdateClientConnection.connect(config, engine: h.engine)
            // The banner after the handshake no longer offers STARTTLS.
            #expect(await client.capabilities.startTLS == false)
            try await client.reserve("user.tls", location: MailboxLocation(H.location)!)
            #expect(try await client.find("user.tls")?.state == .reserved)
            await client.logout()

            // A certificate the client's roots (here the system's) do not vouch for is refused.
            let wrong = try ClientTLS(serverHostname: "localhost")
            var bad = config
            bad.tls = wrong
            await #expect(throws: MUpdateError.self) { _ = try await MUpdateClientConnection.connect(bad, engine: h.engine) }
        }
    }
}
