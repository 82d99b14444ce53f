import Auth
import Foundation
import Logging
import MurderTestSupport
import MUpdate
import Proxy
import Synchronization
import Transport

/// A whole discrete murder in one process, on loopback, over NIOEngine: a mupdate master, two
/// backends, and a frontend whose sessions the tests talk to.
///
///     master     127.0.0.1:<m>   store in <root>/mupdate.sqlite, admins = murder
///     backend1   127.0.0.1:<b1>  alice's INBOX (user.alice)
///     backend2   127.0.0.1:<b2>  bob's INBOX (user.bob), shared/memo (alice and bob: lrswipkxtecdan)
///     frontend   127.0.0.1:<f>   servername "frontend1", list replica of the master
///
/// Every node shares one sasldb in the folder with users alice, bob, admin (an admin) and
/// murder (the proxy identity, the master's admin), all with ``password``. ``with(_:)`` builds
/// it, seeds it, waits until the frontend's list shows the seed, runs the body and takes it
/// all down again, bounded.
final class TestMurder: Sendable {
    static let password = "secret"
    static let users = ["alice", "bob", "admin", "murder"]
    static let frontendName = "frontend1"
    static let maxLineBytes = 8192
    static let maxLiteralBytes = 1 << 20

    let root: String
    let engine: any Engine
    static let clientEngine = NIOEngine()
    let logger: Logger
    let store: MUpdateStore
    let master: any Listener
    let backend1: TestBackend
    let backend2: TestBackend
    let replica: MUpdateListReplica
    let context: ProxyContext
    let frontend: any Listener
    private let clients = Mutex<[WireClient]>([])

    var masterAddress: String { "127.0.0.1:\(master.localPort)" }
    var frontendPort: Int { frontend.localPort }

    private init(
        root: String, engine: any Engine, logger: Logger, store: MUpdateStore, master: any Listener,
        backend1: TestBackend, backend2: TestBackend, replica: MUpdateListReplica, context: ProxyContext,
        frontend: any Listener
    ) {
        self.root = root
        self.engine = engine
        self.logger = logger
        self.store = store
        self.master = master
        self.backend1 = backend1
        self.backend2 = backend2
        self.replica = replica
        self.context = context
        self.frontend = frontend
    }

    /// Quiet, unless `MURDER_TEST_LOG` is set (then debug lines on stderr).
    static func makeLogger() -> Logger {
        if ProcessInfo.processInfo.environment["MURDER_TEST_LOG"] != nil {
            var logger = Logger(label: "murder.test") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .debug
            return logger
        }
        return Logger(label: "murder.test") { _ in SwiftLogNoOpLogHandler() }
    }

    static func start(configure: (inout ProxyContext.Settings) -> Void = { _ in }) async throws -> TestMurder {
        let root = NSTemporaryDirectory() + "murder-proxy-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let sasldb = root + "/sasldb2"
        try FileManager.default.copyItem(atPath: try templateDatabase(), toPath: sasldb)
        let logger = makeLogger()
        let engine = TestEngine.current

        // The master.
        let store = try await MUpdateStore.open(path: root + "/mupdate.sqlite", logger: logger)
        let masterSettings = MUpdateServerSettings(
            servername: "mupdate.test", admins: ["murder"],
            sasl: SASLConfig(sasldbPath: sasldb, mechanisms: ["PLAIN"], allowPlaintext: true),
            loginThrottle: LoginThrottle.Configuration(delay: .milliseconds(1)))
        let server = try MUpdateServer(list: store, settings: masterSettings, logger: logger)
        let master = try await server.listen(on: engine, host: "127.0.0.1", port: 0)
        let client = MUpdateClientConfiguration(
            host: "127.0.0.1", port: master.localPort, authenticationID: "murder", password: password,
            connectTimeout: .seconds(5), commandTimeout: .seconds(10))

        // The backends.
        let sasl = SASLConfig(sasldbPath: sasldb, mechanisms: ["PLAIN", "LOGIN"], allowPlaintext: true)
        let backend1 = try await TestBackend.start(
            folder: root + "/backend1", sasl: sasl, master: client, engine: engine, logger: logger)
        let backend2 = try await TestBackend.start(
            folder: root + "/backend2", sasl: sasl, master: client, engine: engine, logger: logger)

        // The frontend.
        let replica = MUpdateListReplica(
            settings: MUpdateListReplica.Settings(
                client: client, folder: nil, heartbeatTimeout: .seconds(10),
                backoff: MUpdateBackoff(initial: .milliseconds(50), maximum: .milliseconds(500))),
            engine: engine, logger: logger)
        replica.start()
        var settings = ProxyContext.Settings()
        settings.servername = frontendName
        settings.admins = ["admin"]
        settings.proxyUser = "murder"
        settings.proxyPassword = password
        settings.backendTimeout = .seconds(10)
        settings.maxLineBytes = maxLineBytes
        settings.maxLiteralBytes = UInt64(maxLiteralBytes)
        settings.maxNesting = 16
        settings.loginTimeout = .seconds(30)
        settings.mupdateServer = client.address
        configure(&settings)
        let throttle = LoginThrottle(configuration: LoginThrottle.Configuration(delay: .milliseconds(1)))
        let context = ProxyContext(
            settings: settings, sasl: sasl, throttle: throttle, list: replica, engine: engine, logger: logger)
        let frontend = try await FrontendServer(context: context).listen(
            host: "127.0.0.1", port: 0, limits: ListenerLimits())
        return TestMurder(
            root: root, engine: engine, logger: logger, store: store, master: master, backend1: backend1,
            backend2: backend2, replica: replica, context: context, frontend: frontend)
    }

    /// Runs `body` on a fresh, seeded murder and takes it down afterwards, whatever happens.
    static func with(
        seed: Bool = true, configure: (inout ProxyContext.Settings) -> Void = { _ in },
        _ body: (TestMurder) async throws -> Void
    ) async throws {
        let murder = try await start(configure: configure)
        do {
            if seed { try await murder.seed() }
            try await body(murder)
        } catch {
            await murder.shutdown()
            throw error
        }
        await murder.shutdown()
    }

    // MARK: Seed

    /// alice's INBOX on backend1 (her first login there), bob's INBOX and shared/memo on
    /// backend2, then waits until the frontend's list shows all three.
    func seed() async throws {
        let alice = try await backendSession(backend1, as: "alice")
        try await alice.run("L1", "LOGOUT")
        let bob = try await backendSession(backend2, as: "bob")
        try await bob.run("L1", "LOGOUT")
        let admin = try await backendSession(backend2, as: "admin")
        try await admin.run("C1", "CREATE shared/memo")
        try await admin.run("C2", "SETACL shared/memo alice lrswipkxtecdan")
        try await admin.run("C3", "SETACL shared/memo bob lrswipkxtecdan")
        try await admin.run("L1", "LOGOUT")
        try await waitForRecord("user.alice", on: backend1)
        try await waitForRecord("user.bob", on: backend2)
        try await waitForRecord("shared.memo", on: backend2) { record in
            let ids = record.acl.entries.map(\.identifier)
            return ids.contains("alice") && ids.contains("bob")
        }
    }

    /// Waits (bounded) until the frontend's list holds `name` as an active record on `backend`
    /// satisfying `condition`.
    func waitForRecord(
        _ name: String, on backend: TestBackend, timeout: Duration = .seconds(20),
        _ condition: (MUpdateRecord) -> Bool = { _ in true }
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let record = replica.record(InternalMailboxName(name)), record.state == .active,
                record.location.server.description == backend.servername, condition(record)
            {
                return
            }
            guard ContinuousClock.now < deadline else {
                throw WireMismatch(
                    "the frontend's list has no \(name) on \(backend.servername) after \(timeout): "
                        + "\(replica.record(InternalMailboxName(name))?.description ?? "no record")")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits (bounded) until the frontend's list no longer holds `name`.
    func waitForNoRecord(_ name: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while replica.record(InternalMailboxName(name)) != nil {
            guard ContinuousClock.now < deadline else { throw WireMismatch("\(name) is still in the frontend's list") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Clients

    func connect(port: Int) async throws -> WireClient {
        // The client is not under test: it stays on NIO, whose connections also take STARTTLS
        // with a read pending (WireClient always reads).
        let client = WireClient(try await Self.clientEngine.connect(host: "127.0.0.1", port: port, timeout: .seconds(10)))
        clients.withLock { $0.append(client) }
        return client
    }

    /// A client of the frontend, greeting not read.
    func frontendClient() async throws -> WireClient { try await connect(port: frontendPort) }

    /// A client of the frontend that read the greeting and logged in as `user`.
    func frontendSession(as user: String) async throws -> WireClient {
        let client = try await frontendClient()
        try await client.expectLine(prefix: "* OK [CAPABILITY ")
        try await client.send("L0 LOGIN \(user) \(Self.password)\r\n")
        try await client.expectLine(prefix: "L0 OK [CAPABILITY ")
        return client
    }

    /// A client talking to `backend` directly, logged in as `user`.
    func backendSession(_ backend: TestBackend, as user: String) async throws -> WireClient {
        let client = try await connect(port: backend.port)
        try await client.expectLine(prefix: "* OK [CAPABILITY ")
        try await client.send("L0 LOGIN \(user) \(Self.password)\r\n")
        try await client.expectLine(prefix: "L0 OK [CAPABILITY ")
        return client
    }

    // MARK: Shutdown

    /// Closes every client, then the frontend, the backends and the master, each bounded.
    func shutdown() async {
        for client in clients.withLock({ $0 }) { await client.close() }
        await bounded { await self.frontend.close() }
        await bounded { await self.replica.stop() }
        await bounded { await self.backend1.shutdown() }
        await bounded { await self.backend2.shutdown() }
        await bounded { await self.master.close() }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `body`, giving up waiting after `limit` (a stuck stop must not hang the suite).
    private func bounded(_ limit: Duration = .seconds(5), _ body: @escaping @Sendable () async -> Void) async {
        let (finished, signal) = AsyncStream<Void>.makeStream()
        Task {
            await body()
            signal.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            signal.finish()
        }
        for await _ in finished {}
        timer.cancel()
    }

    // MARK: sasldb

    private static let template = Mutex<String?>(nil)

    /// A sasldb with every test user, made once per process and copied for each murder
    /// (creating users through libsasl2 costs several synced writes each).
    static func templateDatabase() throws -> String {
        try template.withLock { path in
            if let path { return path }
            let folder = NSTemporaryDirectory() + "murder-proxy-sasldb-" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let database = SASLDatabase(path: folder + "/sasldb2")
            for user in users {
                try database.setPassword(user: user, password: password, create: true)
            }
            path = database.path
            return database.path
        }
    }
}
