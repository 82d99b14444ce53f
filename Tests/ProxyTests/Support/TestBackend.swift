import Auth
import Foundation
import IMAPServer
import Logging
import MUpdate
import Spool
import Synchronization
import Transport

/// A backend of a ``TestMurder``: a spool in its own folder, an ``IMAPSession`` per accepted
/// connection on `127.0.0.1:<port>`, and a registrar keeping the master's records of it.
///
/// Its servername is `127.0.0.1:<port>`, the address frontends connect to (Cyrus style), so
/// the port is chosen before the registrar exists: a free one is found by binding port 0 and
/// closing, then listened on (again with another port if someone took it meanwhile).
final class TestBackend: Sendable {
    /// The sessions' connections, so that ``stop()`` can cut them (a listener's close leaves
    /// accepted connections running).
    final class Connections: Sendable {
        let open = Mutex<[UInt64: any Connection]>([:])

        func add(_ c: any Connection) { open.withLock { $0[c.id] = c } }
        func remove(_ c: any Connection) { _ = open.withLock { $0.removeValue(forKey: c.id) } }
        var count: Int { open.withLock { $0.count } }

        func abortAll() async {
            let all = open.withLock { s in
                defer { s = [:] }
                return Array(s.values)
            }
            for c in all { await c.abort() }
        }
    }

    let servername: String
    let port: Int
    let spool: Spool
    let context: ServerContext
    let registrar: MUpdateRegistrar
    let listener: any Listener
    let connections: Connections

    private init(
        servername: String, port: Int, spool: Spool, context: ServerContext, registrar: MUpdateRegistrar,
        listener: any Listener, connections: Connections
    ) {
        self.servername = servername
        self.port = port
        self.spool = spool
        self.context = context
        self.registrar = registrar
        self.listener = listener
        self.connections = connections
    }

    static func start(
        folder: String, sasl: SASLConfig, master: MUpdateClientConfiguration, engine: any Engine, logger: Logger
    ) async throws -> TestBackend {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var options = Spool.Options()
        options.maxMessageSize = Int64(TestMurder.maxLiteralBytes)
        let spool = try Spool(root: folder + "/spool", options: options, logger: logger)
        var lastError: (any Error)?
        for _ in 0..<8 {
            let port = try await freePort(engine: engine, logger: logger)
            let servername = "127.0.0.1:\(port)"
            guard let location = MailboxLocation("\(servername)!default") else { throw WireMismatch("bad location") }
            let registrar = MUpdateRegistrar(
                settings: MUpdateRegistrar.Settings(
                    client: master, location: location, keepAliveInterval: .seconds(20), keepAliveTimeout: .seconds(10),
                    backoff: MUpdateBackoff(initial: .milliseconds(50), maximum: .milliseconds(500))),
                engine: engine, logger: logger
            ) {
                spool.mailboxes().map {
                    MUpdateRegistrar.LocalMailbox(
                        name: InternalMailboxName($0.name), acl: (try? CyrusACL(parsing: $0.acl)) ?? .empty)
                }
            }
            var settings = ServerContext.Settings()
            settings.servername = servername
            settings.admins = ["admin"]
            settings.proxyIdentities = ["murder"]
            settings.loginTimeout = .seconds(30)
            settings.maxLineBytes = TestMurder.maxLineBytes
            settings.maxLiteralBytes = UInt64(TestMurder.maxLiteralBytes)
            settings.maxNesting = 16
            settings.idlePoll = .milliseconds(200)
            settings.mupdateServer = master.address
            let throttle = LoginThrottle(configuration: LoginThrottle.Configuration(delay: .milliseconds(1)))
            let context = ServerContext(
                spool: spool, sasl: sasl, settings: settings, throttle: throttle, logger: logger, registration: registrar)
            let connections = Connections()
            do {
                let listener = try await engine.listen(
                    host: "127.0.0.1", port: port, limits: ListenerLimits(), logger: logger
                ) { (connection: any Connection) async -> Void in
                    connections.add(connection)
                    await IMAPSession(connection: connection, context: context).run()
                    connections.remove(connection)
                }
                await registrar.start()
                return TestBackend(
                    servername: servername, port: port, spool: spool, context: context, registrar: registrar,
                    listener: listener, connections: connections)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? WireMismatch("no free port for a backend")
    }

    /// A port nothing listens on right now.
    static func freePort(engine: any Engine, logger: Logger) async throws -> Int {
        let probe = try await engine.listen(host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: logger) {
            (_: any Connection) async -> Void in
        }
        let port = probe.localPort
        await probe.close()
        return port
    }

    /// The backend goes away: no more connections, the open ones cut.
    func stop() async {
        await listener.close()
        await connections.abortAll()
    }

    /// Stops everything, the registrar included.
    func shutdown() async {
        await stop()
        await registrar.stop()
    }

    // MARK: Looking inside

    /// Whether the spool holds `internalName` (`user.alice.x`).
    func has(_ internalName: String) -> Bool { spool.mailbox(named: internalName) != nil }

    /// The messages of a mailbox (internal name) as the spool has them: UID, flags, bytes.
    func messages(_ internalName: String) throws -> [(uid: UInt32, flags: [String], bytes: [UInt8])] {
        let (record, messages) = try spool.messages(internalName, user: nil)
        return try messages.map { ($0.uid, $0.flags, try spool.messageBytes(record, uid: $0.uid)) }
    }
}

extension TestBackend {
    /// Staged files left in the spool's `owners/*/tmp` folders (a message begun and never
    /// committed).
    func stagedFiles() -> [String] {
        let owners = spool.root + "/owners"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: owners)) ?? []
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: owners + "/" + folder + "/tmp")) ?? [])
                .map { folder + "/tmp/" + $0 }
        }
    }

    /// Waits (bounded) until no session is connected to this backend.
    func waitForNoSessions(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while connections.count > 0 {
            guard ContinuousClock.now < deadline else {
                throw WireMismatch("\(connections.count) sessions still open at \(servername) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
