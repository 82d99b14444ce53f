import MurderTestSupport
import Testing
import Transport

@testable import Proxy

@Suite(.serialized, .enabled(if: SelfSignedCertificate.available, "openssl is not installed: no certificate to test with"))
struct FrontendStartTLSTests {
    static func withTLS(_ settings: inout ProxyContext.Settings) {
        guard let files = try? SelfSignedCertificate.files() else { return }
        settings.tls = try? ServerTLS(TLSConfiguration(certificateChainFile: files.certificate, privateKeyFile: files.key))
    }

    @Test("STARTTLS at the frontend: offered, refused with commands pipelined after it, then the session goes on under TLS")
    func startTLS() async throws {
        try await TestMurder.with(configure: Self.withTLS) { murder in
            let c = try await murder.frontendClient()
            let greeting = try await c.nextLine()
            #expect(greeting.contains(" STARTTLS") && greeting.contains("frontend1 Murder ready"))
            try await c.send("t0 STARTTLS\r\nt1 NOOP\r\n")
            try await c.expect("t0 BAD Commands pipelined after STARTTLS are refused\r\nt1 OK NOOP completed\r\n")
            try await c.send("t2 STARTTLS\r\n")
            try await c.expect("t2 OK Begin TLS negotiation now\r\n")
            let files = try SelfSignedCertificate.files()
            try await c.connection.startTLS(try ClientTLS(trustRootsFile: files.certificate, serverHostname: "localhost"))
            #expect(c.connection.isTLS)
            try await c.send("t3 CAPABILITY\r\n")
            let caps = try await c.expectLine(prefix: "* CAPABILITY IMAP4rev1 ")
            #expect(!caps.contains("STARTTLS"))
            try await c.expect("t3 OK CAPABILITY completed\r\n")
            try await c.send("t4 STARTTLS\r\n")
            try await c.expect("t4 BAD STARTTLS is not available\r\n")
            try await c.send("t5 LOGIN alice \(TestMurder.password)\r\n")
            _ = try await c.expectLine(prefix: "t5 OK [CAPABILITY IMAP4rev1 ")
            try await c.send("t6 SELECT INBOX\r\n")
            _ = try await c.expectTagged("t6")
            await c.close()
        }
    }
}
