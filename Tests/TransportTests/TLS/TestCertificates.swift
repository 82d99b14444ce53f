import Foundation
import Testing

/// Self-signed certificates made by `openssl` in a temporary folder, once per test run.
///
/// Tests that need them are enabled only when `openssl` is installed, and say so when skipped.
enum TestCertificates {
    struct Files: Sendable {
        let folder: String
        /// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1.
        let certificate: String
        let key: String
        /// A second, unrelated key pair (for mismatch tests).
        let otherCertificate: String
        let otherKey: String
    }

    static let openssl: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static let available = openssl != nil

    /// The generated files; fails the calling test with openssl's output if generation failed.
    static func files() throws -> Files {
        try generated.get()
    }

    private static let generated: Result<Files, any Error> = Result {
        guard let openssl else { throw GenerationFailed(message: "openssl is not installed") }
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murder-tls-\(unique)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["", "other-"] {
            try run(
                openssl,
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", "\(folder)/\(name)k.pem", "-out", "\(folder)/\(name)c.pem",
                ]
            )
        }
        return Files(
            folder: folder, certificate: "\(folder)/c.pem", key: "\(folder)/k.pem",
            otherCertificate: "\(folder)/other-c.pem", otherKey: "\(folder)/other-k.pem"
        )
    }

    struct GenerationFailed: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GenerationFailed(
                message: "openssl \(arguments.first ?? "") failed: \(String(decoding: text, as: UTF8.self))"
            )
        }
    }

    /// Writes `text` to a file in the certificates' folder and returns its path.
    static func write(_ text: String, named name: String) throws -> String {
        let path = try files().folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
