public import Auth
import Foundation
public import Logging
public import MUpdate
public import Proxy
public import Transport

/// A running frontend (role `frontend`): its copy of the mailbox list, fed by the master, and
/// its IMAP listeners, whose sessions proxy to the backends (SPEC.md §5–§7).
///
///     roles = ["frontend"]
///     [mupdate]
///     server = "mupdate.example.com:3905"
///     [proxy]
///     username = "murder"
///     password_file = "proxy.secret"
public final class FrontendNode: Sendable {
    public let config: NodeConfig
    public let replica: MUpdateListReplica
    public let context: ProxyContext
    let listeners: [any Listener]

    public var boundAddresses: [String] { listeners.map(\.localAddress) }
    public var boundPorts: [Int] { listeners.map(\.localPort) }

    /// Where the list copy lives under a node's data folder.
    public static func listFolder(dataDirectory: String) -> String { dataDirectory + "/frontend/list" }

    /// Starts the list replica (serving from its persisted copy at once if there is one) and
    /// listens. Without any copy, sessions are refused with `* BYE [UNAVAILABLE]` until the
    /// first dump completes (SPEC.md §7.6).
    public static func start(_ config: NodeConfig, engine: (any Engine)? = nil, logger: Logger) async throws -> FrontendNode {
        let engine = engine ?? NIOEngine()
        guard let master = try config.mupdateClient() else {
            throw ConfigError(
                .missingKey, file: "config", key: "mupdate.server",
                "a frontend routes by the master's mailbox list: set mupdate.server (and its username and password)")
        }
        let password = try config.proxyPassword()
        let handshakeTimeout = Duration.seconds(min(config.imap.loginTimeoutSeconds, 60))
        let tls = try config.tls.load(file: "config", handshakeTimeout: handshakeTimeout)
        let folder = listFolder(dataDirectory: config.dataDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let replica = MUpdateListReplica(
            settings: MUpdateListReplica.Settings(client: master, folder: folder), engine: engine, logger: logger)
        replica.start()

        var settings = ProxyContext.Settings()
        settings.servername = config.servername
        settings.namespace = Namespace(separator: config.namespace.hierarchySeparator, alternate: config.namespace.altNamespace)
        settings.admins = Set(config.auth.admins)
        settings.proxyUser = config.proxy.username
        settings.proxyPassword = password
        settings.placement = config.proxy.placement == .random ? .random : .mostFree
        settings.placementServers = config.proxy.servers
        settings.backendTimeout = .seconds(config.proxy.backendTimeoutSeconds)
        settings.backendIdle = .seconds(config.proxy.backendIdleSeconds)
        settings.maxLineBytes = config.imap.maxLineBytes
        settings.maxLiteralBytes = UInt64(config.imap.maxLiteralBytes)
        settings.maxNesting = config.imap.maxNesting
        settings.loginTimeout = .seconds(config.imap.loginTimeoutSeconds)
        settings.idleTimeout = .seconds(config.imap.idleTimeoutSeconds)
        settings.allowPlaintext = config.auth.allowPlaintext
        settings.tls = tls
        settings.mupdateServer = master.address
        let sasl = SASLConfig(
            sasldbPath: config.auth.sasldb, realm: config.auth.realm.isEmpty ? nil : config.auth.realm,
            mechanisms: config.auth.mechanisms, allowPlaintext: config.auth.allowPlaintext
        )
        let throttle = LoginThrottle(
            configuration: LoginThrottle.Configuration(delay: .milliseconds(config.imap.failedLoginDelayMilliseconds)))
        let context = ProxyContext(
            settings: settings, sasl: sasl, throttle: throttle, list: replica, engine: engine, logger: logger)
        let server = FrontendServer(context: context)
        let limits = ListenerLimits(
            maxConnections: config.imap.maxConnections, maxConnectionsPerHost: config.imap.maxConnectionsPerHost)
        var listeners: [any Listener] = []
        do {
            for address in config.imap.listen {
                listeners.append(try await server.listen(host: address.host, port: address.port, limits: limits))
            }
            var tlsLimits = limits
            tlsLimits.refusal = []
            for address in config.imap.listenTLS {
                listeners.append(try await server.listen(host: address.host, port: address.port, limits: tlsLimits, tls: tls))
            }
        } catch {
            for l in listeners { await l.close() }
            await replica.stop()
            throw error
        }
        return FrontendNode(config: config, replica: replica, context: context, listeners: listeners)
    }

    init(config: NodeConfig, replica: MUpdateListReplica, context: ProxyContext, listeners: [any Listener]) {
        self.config = config
        self.replica = replica
        self.context = context
        self.listeners = listeners
    }

    public func stop() async {
        for l in listeners { await l.close() }
        await replica.stop()
    }
}
