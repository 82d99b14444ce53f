import Auth
import Foundation
import IMAPServer
import Logging
import MUpdate
import Spool
import Synchronization

/// A backend without sockets for wire tests: a spool and a sasldb in a temporary folder, and a
/// ``ServerContext`` that every ``SessionHarness`` opened on it shares (so one session's changes
/// reach the others, as on a real backend).
///
/// Users `alice`, `bob`, `admin` (an admin) and `murder` (a proxy identity) all have the password
/// ``password``.
final class TestServer: Sendable {
    static let password = "secret"
    static let users = ["alice", "bob", "admin", "murder"]
    static let servername = "test.example"

    let root: String
    let spool: Spool
    let context: ServerContext
    private let sessions = Mutex<[(TestConnection, Task<Void, Never>)]>([])

    /// Settings the tests rely on: short login timeout, tiny login delay, plaintext allowed.
    static func defaultSettings() -> ServerContext.Settings {
        var settings = ServerContext.Settings()
        settings.servername = servername
        settings.admins = ["admin"]
        settings.proxyIdentities = ["murder"]
        settings.loginTimeout = .seconds(5)
        settings.maxLineBytes = 8192
        settings.maxLiteralBytes = 1 << 20
        settings.maxNesting = 16
        settings.idlePoll = .milliseconds(200)
        return settings
    }

    init(
        registration: (any MailboxRegistration)? = nil, transfer: TransferSettings? = nil,
        configure: (inout ServerContext.Settings) -> Void = { _ in }
    ) throws {
        root = NSTemporaryDirectory() + "murder-wire-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let sasldb = root + "/sasldb2"
        try FileManager.default.copyItem(atPath: try Self.templateDatabase(), toPath: sasldb)
        var settings = Self.defaultSettings()
        configure(&settings)
        let quiet = Logger(label: "murder.test") { _ in SwiftLogNoOpLogHandler() }
        var options = Spool.Options()
        options.maxMessageSize = Int64(settings.maxLiteralBytes)
        spool = try Spool(root: root + "/spool", options: options, logger: quiet)
        let sasl = SASLConfig(sasldbPath: sasldb, mechanisms: ["PLAIN", "LOGIN"], allowPlaintext: true)
        let throttle = LoginThrottle(configuration: LoginThrottle.Configuration(delay: .milliseconds(1)))
        context = ServerContext(
            spool: spool, sasl: sasl, settings: settings, throttle: throttle, logger: quiet, registration: registration,
            transfer: transfer)
    }

    private static let template = Mutex<String?>(nil)

    /// A sasldb with every test user, made once per process and copied for each server
    /// (creating users through libsasl2 costs several synced writes each).
    static func templateDatabase() throws -> String {
        try template.withLock { path in
            if let path { return path }
            let folder = NSTemporaryDirectory() + "murder-wire-sasldb-" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let database = SASLDatabase(path: folder + "/sasldb2")
            for user in users {
                try database.setPassword(user: user, password: password, create: true)
            }
            path = database.path
            return database.path
        }
    }

    /// Runs `body` on a fresh server and removes it afterwards, whatever happens.
    static func with(
        registration: (any MailboxRegistration)? = nil, transfer: TransferSettings? = nil,
        configure: (inout ServerContext.Settings) -> Void = { _ in },
        _ body: (TestServer) async throws -> Void
    ) async throws {
        let server = try TestServer(registration: registration, transfer: transfer, configure: configure)
        do {
            try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// A new client connection, greeting not yet read.
    func connect() -> SessionHarness {
        let connection = TestConnection()
        let session = IMAPSession(connection: connection, context: context)
        let task = Task { await session.run() }
        sessions.withLock { $0.append((connection, task)) }
        return SessionHarness(server: self, connection: connection, task: task)
    }

    /// A connection that has read the greeting and logged in as `user`.
    func session(as user: String) async throws -> SessionHarness {
        let session = connect()
        _ = try await session.expectLine(prefix: "* OK [CAPABILITY ")
        session.send("L0 LOGIN \(user) \(Self.password)\r\n")
        _ = try await session.expectLine(prefix: "L0 OK [CAPABILITY ")
        return session
    }

    /// Ends every session (as if each client hung up) and removes the folder.
    func shutdown() async {
        let all = sessions.withLock { $0 }
        for (connection, task) in all {
            connection.closeInput()
            await task.value
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Staged files left in the spool's `owners/*/tmp` folders.
    func stagedFiles() -> [String] {
        let owners = spool.root + "/owners"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: owners)) ?? []
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: owners + "/" + folder + "/tmp")) ?? [])
                .map { folder + "/tmp/" + $0 }
        }
    }
}
