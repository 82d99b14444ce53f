import Foundation

/// One self-signed certificate for `localhost` / 127.0.0.1, made by `openssl` once per run;
/// STARTTLS tests are enabled only when `openssl` is installed.
public enum SelfSignedCertificate {
    public static let openssl: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    public static var available: Bool { openssl != nil }

    /// (certificate, key) paths.
    public static func files() throws -> (certificate: String, key: String) { try generated.get() }

    private static let generated: Result<(certificate: String, key: String), any Error> = Result {
        guard let openssl else { throw CocoaError(.fileNoSuchFile) }
        let folder = NSTemporaryDirectory() + "murder-test-tls-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", folder + "/k.pem", "-out", folder + "/c.pem",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (folder + "/c.pem", folder + "/k.pem")
    }
}
