import Foundation
import Testing

@testable import Node

@Suite struct NodeConfigTLSTests {
    @Test("[tls] and imap.listen_tls are read; without them there is no TLS")
    func keys() throws {
        let config = try NodeConfig.parse(
            """
            data_dir = "/d"
            [imap]
            listen = ["127.0.0.1:143"]
            listen_tls = ["127.0.0.1:993", "[::1]:993"]
            [tls]
            cert_file = "/etc/murder/imap.pem"
            key_file = "/etc/murder/imap.key"
            """,
            file: "node.toml"
        )
        #expect(config.tls == NodeConfig.TLS(certFile: "/etc/murder/imap.pem", keyFile: "/etc/murder/imap.key"))
        #expect(config.imap.listenTLS.map(\.description) == ["127.0.0.1:993", "[::1]:993"])
        let plain = try NodeConfig.parse("data_dir = \"/d\"\n", file: "node.toml")
        #expect(!plain.tls.isConfigured)
        #expect(plain.imap.listenTLS.isEmpty)
        #expect(try plain.tls.load(file: "node.toml") == nil)
    }

    @Test(
        "TLS settings that cannot work are errors naming the key",
        arguments: [
            (
                "[tls]\ncert_file = \"c.pem\"",
                "node.toml: tls.key_file: tls.cert_file is set but not its private key (set both or neither)"
            ),
            (
                "[tls]\nkey_file = \"k.pem\"",
                "node.toml: tls.cert_file: tls.key_file is set but not the certificate it belongs to"
                    + " (set both or neither)"
            ),
            (
                "[imap]\nlisten_tls = [\"127.0.0.1:993\"]",
                "node.toml: imap.listen_tls: implicit TLS listeners need a certificate: set tls.cert_file and tls.key_file"
            ),
            (
                "[imap]\nlisten_tls = [\"993\"]",
                "node.toml:3: imap.listen_tls: \"993\": expected host:port (an IPv6 address is written [address]:port)"
            ),
            (
                "[tls]\ncert_file = \"\"",
                "node.toml:3: tls.cert_file: expected a file path, got \"\": the path is empty"
            ),
        ]
    )
    func errors(text: String, message: String) {
        #expect {
            _ = try NodeConfig.parse("data_dir = \"/d\"\n" + text, file: "node.toml")
        } throws: { error in
            #expect((error as? ConfigError)?.description == message)
            return error is ConfigError
        }
    }

    @Test("load resolves relative certificate paths and names the key and file it cannot read")
    func loadNamesTheFile() throws {
        let folder = NSTemporaryDirectory() + "murder-tls-config-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "data_dir = \"spool\"\n[tls]\ncert_file = \"c.pem\"\nkey_file = \"/nowhere/k.pem\"\n"
            .write(toFile: folder + "node.toml", atomically: true, encoding: .utf8)
        #expect {
            _ = try NodeConfig.load(path: folder + "node.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            #expect(error.key == "tls.cert_file")
            #expect(error.description.hasPrefix("node.toml: tls.cert_file: \(folder)c.pem: cannot open: "))
            return true
        }
    }
}
