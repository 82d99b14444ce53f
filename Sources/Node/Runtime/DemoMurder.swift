import Foundation
public import Logging
import MUpdate
public import Transport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole discrete murder in one process on loopback (`murder demo`): the mupdate master, two
/// backends and one or two frontends, sharing one sasldb, seeded with users and mailboxes.
///
///     frontend   127.0.0.1:P       clients connect here
///     backend1   127.0.0.1:P+1     alice's INBOX      (servername "127.0.0.1:P+1")
///     backend2   127.0.0.1:P+2     bob's INBOX, shared/memo (read-write for alice and bob)
///     mupdate    127.0.0.1:P+3     the master
///     frontend2  127.0.0.1:P+4     with --frontends 2
///
/// Each node's config is written as a TOML file into the data folder and loaded from there, so
/// the nodes start exactly as `murder serve -c <that file>` would start them. The users alice,
/// bob, admin and murder (the murder's own identity: the master's login and the frontends'
/// proxy identity at the backends) get random passwords, kept in `<data>/secrets/` so that a
/// restart on the same folder keeps them. Seeding is idempotent: a restart finds everything in
/// place and adds nothing.
public final class DemoMurder: Sendable {
    /// The shapes of murder the demo can run.
    public enum Topology: String, Sendable, Hashable, CaseIterable {
        /// Frontends, backends and a master, each a separate node (SPEC.md §8).
        case discrete
    }

    /// The demo's fixed ports.
    public struct Ports: Sendable, Hashable {
        public var frontend: Int
        public var backend1: Int
        public var backend2: Int
        public var mupdate: Int
        public var frontend2: Int

        /// 10143 (IMAP's 143 behind "10"): frontend 10143, backend1 10144, backend2 10145,
        /// mupdate 10146, second frontend 10147. The more obvious 1430 would put the master on
        /// 1433, Microsoft SQL Server's port.
        public static let defaultBase = 10143

        /// frontend `base`, backend1 `base+1`, backend2 `base+2`, mupdate `base+3`, second
        /// frontend `base+4`.
        public init(base: Int) {
            self.init(frontend: base, backend1: base + 1, backend2: base + 2, mupdate: base + 3, frontend2: base + 4)
        }

        public init(frontend: Int, backend1: Int, backend2: Int, mupdate: Int, frontend2: Int) {
            self.frontend = frontend
            self.backend1 = backend1
            self.backend2 = backend2
            self.mupdate = mupdate
            self.frontend2 = frontend2
        }

        /// The ports a murder with `frontends` frontends listens on, with what each is for.
        public func used(frontends: Int) -> [(role: String, port: Int)] {
            var out = [(role: String, port: Int)]()
            if frontends >= 1 { out.append(("frontend", frontend)) }
            out += [("backend1", backend1), ("backend2", backend2), ("mupdate", mupdate)]
            if frontends >= 2 { out.append(("frontend2", frontend2)) }
            return out
        }

        /// A base whose five ports are all free on `host` now, probing up to `attempts` random
        /// bases in 20000–59999; nil when none was found. (Another program may still take one
        /// before the demo binds it; the demo then fails with `.portInUse`.)
        public static func freeBase(host: String = DemoMurder.host, attempts: Int = 50) -> Int? {
            for _ in 0..<max(1, attempts) {
                let base = Int.random(in: 20_000...59_995)
                if Ports(base: base).used(frontends: 2).allSatisfy({ PortProbe.isFree(host: host, port: $0.port) }) {
                    return base
                }
            }
            return nil
        }
    }

    /// What to start, and where.
    public struct Options: Sendable {
        public var topology = Topology.discrete
        public var ports = Ports(base: Ports.defaultBase)
        /// 1 or 2 (0 runs the master and the backends alone).
        public var frontends = 1
        /// The data folder, kept across runs; nil = a temporary folder removed by ``stop()``.
        public var dataDirectory: String?
        /// The level of every node's log (`log.level` of the config files).
        public var logLevel = Logger.Level.notice
        /// Bound on each wait for a node to be ready (backends connected to the master, the
        /// frontends' lists holding the seeded mailboxes).
        public var readyTimeout = Duration.seconds(30)

        public init() {}
    }

    /// Every node listens on this address: the demo never leaves loopback.
    public static let host = "127.0.0.1"

    /// Where everything is and how to log in.
    public let facts: Facts
    public let master: MUpdateNode
    public let backends: [BackendNode]
    let frontends: [DemoFrontend]
    let temporaryFolder: String?

    init(
        facts: Facts, master: MUpdateNode, backends: [BackendNode], frontends: [DemoFrontend], temporaryFolder: String?
    ) {
        self.facts = facts
        self.master = master
        self.backends = backends
        self.frontends = frontends
        self.temporaryFolder = temporaryFolder
    }

    /// The IMAP ports of the frontends, in order.
    public var frontendPorts: [Int] { frontends.flatMap(\.boundPorts) }

    /// Prepares the data folder, starts the master, the backends (once both are connected to
    /// the master, seeds them) and the frontends, and returns once every frontend's list holds
    /// the seeded mailboxes. On any failure, what was started is stopped again.
    ///
    /// Throws ``DemoMurderError``: `.badOptions`, `.portInUse` (naming the port and its role),
    /// `.dataFolder`, `.seeding`, `.notReady`.
    public static func start(_ options: Options, engine: (any Engine)? = nil, logger: Logger) async throws
        -> DemoMurder
    {
        try check(options)
        let engine = engine ?? NIOEngine()
        let layout = try DemoLayout.prepare(dataDirectory: options.dataDirectory)
        var started: [@Sendable () async -> Void] = []
        do {
            try layout.checkServers(["\(host):\(options.ports.backend1)", "\(host):\(options.ports.backend2)"])
            let secrets = try layout.secrets()
            let configs = try layout.writeConfigs(options: options)
            for (role, port) in options.ports.used(frontends: options.frontends)
            where !PortProbe.isFree(host: host, port: port) {
                throw DemoMurderError(
                    .portInUse,
                    "port \(port) (\(role)) is already in use on \(host); pick other ports with --port-base "
                        + "(the demo uses the base and the 4 ports after it)")
            }
            let master = try await listening("mupdate", options.ports.mupdate) {
                try await MUpdateNode.start(configs.master, engine: engine, logger: logger.labelled("mupdate"))
            }
            started.append { await master.stop() }
            var backends: [BackendNode] = []
            for (index, config) in configs.backends.enumerated() {
                let name = "backend\(index + 1)"
                let node = try await listening(name, config.imap.listen.first?.port ?? 0) {
                    try await BackendNode.start(config, engine: engine, logger: logger.labelled(name))
                }
                started.append { await node.stop() }
                backends.append(node)
            }
            let facts = Facts(options: options, layout: layout, secrets: secrets)
            try await waitForRegistrars(backends, timeout: options.readyTimeout)
            try await DemoSeeder(facts: facts, engine: engine, logger: logger).seed()
            var frontends: [DemoFrontend] = []
            for (index, config) in configs.frontends.enumerated() {
                let name = "frontend\(index + 1)"
                let node = try await listening(name, config.imap.listen.first?.port ?? 0) {
                    try await startFrontend(config, engine: engine, logger: logger.labelled(name))
                }
                started.append { await node.stop() }
                frontends.append(node)
            }
            for (index, frontend) in frontends.enumerated() {
                try await waitForList(frontend, name: "frontend\(index + 1)", timeout: options.readyTimeout)
            }
            return DemoMurder(
                facts: facts, master: master, backends: backends, frontends: frontends,
                temporaryFolder: layout.isTemporary ? layout.root : nil)
        } catch {
            for stop in started.reversed() { await stop() }
            if layout.isTemporary { try? FileManager.default.removeItem(atPath: layout.root) }
            throw error
        }
    }

    /// Stops the frontends, the backends and the master, and removes a temporary data folder.
    public func stop() async {
        for frontend in frontends.reversed() { await frontend.stop() }
        for backend in backends.reversed() { await backend.stop() }
        await master.stop()
        if let temporaryFolder { try? FileManager.default.removeItem(atPath: temporaryFolder) }
    }

    /// Writes ``Facts/environmentFile`` to `path` (through a temporary file and a rename, so a
    /// script that waits for the file never reads half of it).
    public func writeEnvironmentFile(to path: String) throws {
        let temporary = path + ".tmp"
        do {
            try Data(facts.environmentFile.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw DemoMurderError(.dataFolder, "cannot rename \(temporary) to \(path): errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DemoMurderError(
                .dataFolder, "cannot write the environment file \(path): \(error.localizedDescription)")
        }
    }

    // MARK: - Start-up steps

    static func check(_ options: Options) throws {
        guard (0...2).contains(options.frontends) else {
            throw DemoMurderError(.badOptions, "--frontends must be 1 or 2")
        }
        for (role, port) in options.ports.used(frontends: options.frontends) where !(1...65535).contains(port) {
            throw DemoMurderError(
                .badOptions,
                "port \(port) (\(role)) is out of range: the demo uses --port-base P to P+4, at most 65535")
        }
        let ports = options.ports.used(frontends: options.frontends).map(\.port)
        guard Set(ports).count == ports.count else {
            throw DemoMurderError(.badOptions, "the demo's ports must all differ: \(ports)")
        }
    }

    /// Runs a node's start, turning a failure to bind into `.portInUse` naming the port.
    static func listening<T>(_ role: String, _ port: Int, _ start: () async throws -> T) async throws -> T {
        do {
            return try await start()
        } catch let error as DemoMurderError {
            throw error
        } catch {
            let text = "\(error)"
            if text.contains("in use") || text.contains("EADDRINUSE") {
                throw DemoMurderError(
                    .portInUse,
                    "port \(port) (\(role)) is already in use on \(host); pick other ports with --port-base")
            }
            throw DemoMurderError(.notReady, "\(role) did not start: \(text)")
        }
    }

    /// Waits until every backend holds a connection to the master, so that the first logins
    /// can register their INBOXes.
    static func waitForRegistrars(_ backends: [BackendNode], timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for (index, backend) in backends.enumerated() {
            guard let registrar = backend.registrar else { continue }
            while await !registrar.isConnected {
                guard ContinuousClock.now < deadline else {
                    throw DemoMurderError(
                        .notReady, "backend\(index + 1) did not connect to the mupdate master in \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Waits until a frontend's list replica is synced and holds every seeded mailbox.
    static func waitForList(_ frontend: DemoFrontend, name: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        guard await frontend.replica.waitUntilSynced(timeout: timeout) else {
            throw DemoMurderError(.notReady, "\(name) did not get the mailbox list from the master in \(timeout)")
        }
        while true {
            let missing = DemoSeeder.seededMailboxes.filter { frontend.replica.record($0) == nil }
            if missing.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw DemoMurderError(
                    .notReady, "\(name)'s mailbox list still lacks \(missing.map(\.description)) after \(timeout)")
            }
            _ = await frontend.replica.barrier(timeout: .seconds(1))
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

extension Logger {
    /// This logger with `node` metadata, so that the nodes' lines can be told apart.
    func labelled(_ node: String) -> Logger {
        var copy = self
        copy[metadataKey: "node"] = "\(node)"
        return copy
    }
}
