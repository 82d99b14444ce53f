import Auth
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The demo murder's data folder:
///
///     <root>/sasldb2                    one sasldb for every node
///     <root>/secrets/<user>.pw          the users' passwords (0600), kept across runs
///     <root>/mupdate.toml               the nodes' configs, rewritten at every start;
///     <root>/backend1.toml …            `murder serve -c <file>` runs one node alone
///     <root>/mupdate/ backend1/ …       each node's data_dir
struct DemoLayout: Sendable {
    /// The demo's users: name, and what the summary says of them.
    static let users = ["alice", "bob", "admin", "murder"]

    /// Absolute path of the folder.
    let root: String
    /// Created for this run and removed at the end.
    let isTemporary: Bool

    var sasldb: String { root + "/sasldb2" }

    func secretFile(_ user: String) -> String { root + "/secrets/\(user).pw" }

    /// The given folder (created when missing, made absolute), or a fresh temporary one.
    static func prepare(dataDirectory: String?) throws -> DemoLayout {
        guard let dataDirectory else {
            let template = FileManager.default.temporaryDirectory.path + "/murder-demo-XXXXXX"
            var bytes = Array(template.utf8CString)
            guard mkdtemp(&bytes) != nil else {
                throw DemoMurderError(.dataFolder, "cannot create a temporary folder under \(template): errno \(errno)")
            }
            let path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return DemoLayout(root: path, isTemporary: true)
        }
        var path = dataDirectory
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DemoMurderError(.dataFolder, "cannot create the data folder \(path): \(error.localizedDescription)")
        }
        return DemoLayout(root: path, isTemporary: false)
    }

    /// Each user's password: read from `secrets/<user>.pw`, or made up and written there; then
    /// set in the sasldb (so a sasldb removed by hand comes back).
    func secrets() throws -> [String: String] {
        let folder = root + "/secrets"
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DemoMurderError(.dataFolder, "cannot create \(folder): \(error.localizedDescription)")
        }
        let database = SASLDatabase(path: sasldb)
        var out: [String: String] = [:]
        for user in Self.users {
            let file = secretFile(user)
            var password = (try? SecretFile.firstLine(of: file)) ?? ""
            if password.isEmpty {
                password = Self.makePassword()
                guard
                    FileManager.default.createFile(
                        atPath: file, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
                else {
                    throw DemoMurderError(.dataFolder, "cannot write \(file)")
                }
            }
            do {
                if database.contains(user: user) {
                    try database.setPassword(user: user, password: password, create: false)
                } else {
                    try database.setPassword(user: user, password: password, create: true)
                }
            } catch {
                throw DemoMurderError(.dataFolder, "cannot put \(user) into \(sasldb): \(error)")
            }
            out[user] = password
        }
        return out
    }

    /// The backends' servernames are their addresses, and the master's list (like their own
    /// spools) records them: a folder made with other backend ports would leave every mailbox
    /// pointing at addresses nobody listens on. The first run writes them to `<root>/servers`;
    /// later runs must use the same.
    func checkServers(_ names: [String]) throws {
        let file = root + "/servers"
        let text = names.joined(separator: "\n") + "\n"
        if let data = FileManager.default.contents(atPath: file) {
            let recorded = String(decoding: data, as: UTF8.self)
            guard recorded == text else {
                let old = recorded.split(separator: "\n").joined(separator: ", ")
                throw DemoMurderError(
                    .badOptions,
                    "the data folder \(root) holds a murder whose backends are \(old); give the --port-base "
                        + "it was made with, or another --data-dir")
            }
            return
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw DemoMurderError(.dataFolder, "cannot write \(file)")
        }
    }

    /// 16 letters and digits from the system's random source (about 95 bits).
    static func makePassword() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
