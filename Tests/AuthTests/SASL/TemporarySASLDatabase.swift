import Auth
import Foundation

/// A sasldb in a fresh temporary folder, removed by `remove()`.
struct TemporarySASLDatabase {
    let folder: URL
    let path: String
    let realm: String?

    init(realm: String? = "test.realm") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("murder-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("sasldb2").path
        self.realm = realm
    }

    var database: SASLDatabase { SASLDatabase(path: path, realm: realm) }

    func config(mechanisms: [String] = SASLConfig.defaultMechanisms, allowPlaintext: Bool = true) -> SASLConfig {
        SASLConfig(sasldbPath: path, realm: realm, mechanisms: mechanisms, allowPlaintext: allowPlaintext)
    }

    func session(
        mechanisms: [String] = SASLConfig.defaultMechanisms, allowPlaintext: Bool = true,
        policy: ProxyPolicy = ProxyPolicy()
    ) throws -> SASLServerSession {
        try SASLServerSession(
            config: config(mechanisms: mechanisms, allowPlaintext: allowPlaintext), serverFQDN: "imap.test",
            localIP: "127.0.0.1;143", remoteIP: "127.0.0.1;40000", proxyPolicy: policy)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

extension Array where Element == UInt8 {
    init(_ string: String) { self = Array(string.utf8) }
}
