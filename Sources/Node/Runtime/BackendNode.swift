public import Auth
import Foundation
public import IMAPServer
public import Logging
public import MUpdate
public import Spool
public import Transport

/// A running backend: its spool, its IMAP listeners, and the housekeeping that goes with them.
public final class BackendNode: Sendable {
    public let config: NodeConfig
    public let spool: Spool
    public let context: ServerContext
    let engine: any Engine
    let listeners: [any Listener]
    let housekeeping: Task<Void, Never>
    /// The connection to the mupdate master that registers this backend's mailboxes
    /// (SPEC.md §4.1); nil outside a murder.
    public let registrar: MUpdateRegistrar?

    /// The addresses actually bound (port 0 in the config is replaced by the chosen port): the
    /// `imap.listen` ones in order, then the `imap.listen_tls` ones.
    public var boundAddresses: [String] { listeners.map(\.localAddress) }
    public var boundPorts: [Int] { listeners.map(\.localPort) }

    /// Loads the TLS certificate if one is configured, opens the spool (running start-up
    /// recovery) and starts listening, with implicit TLS on the `imap.listen_tls` addresses.
    public static func start(_ config: NodeConfig, engine: (any Engine)? = nil, logger: Logger) async throws -> BackendNode {
        let engine = engine ?? NIOEngine()
        // Loaded before the spool opens, so a bad certificate stops the start-up early.
        let handshakeTimeout = Duration.seconds(min(config.imap.loginTimeoutSeconds, 60))
        let tls = try config.tls.load(file: "config", handshakeTimeout: handshakeTimeout)
        var options = Spool.Options()
        options.maxMessageSize = Int64(config.imap.maxLiteralBytes)
        let spool = try Spool(root: config.dataDirectory + "/spool", options: options, logger: logger)
        let sasl = SASLConfig(
            sasldbPath: config.auth.sasldb, realm: config.auth.realm.isEmpty ? nil : config.auth.realm,
            mechanisms: config.auth.mechanisms, allowPlaintext: config.auth.allowPlaintext
        )
        var settings = ServerContext.Settings()
        settings.servername = config.servername
        settings.namespace = Namespace(separator: config.namespace.hierarchySeparator, alternate: config.namespace.altNamespace)
        settings.admins = Set(config.auth.admins)
        settings.proxyIdentities = Set(config.auth.proxyIdentities)
        settings.maxLineBytes = config.imap.maxLineBytes
        settings.maxLiteralBytes = UInt64(config.imap.maxLiteralBytes)
        settings.maxNesting = config.imap.maxNesting
        settings.literalMinus = config.imap.literalMinus
        settings.loginTimeout = .seconds(config.imap.loginTimeoutSeconds)
        settings.idleTimeout = .seconds(config.imap.idleTimeoutSeconds)
        settings.allowPlaintext = config.auth.allowPlaintext
        settings.tls = tls
        settings.defaultStorageKiB = config.quota.defaultStorageKiB > 0 ? UInt64(config.quota.defaultStorageKiB) : nil
        settings.defaultMessages = config.quota.defaultMessages > 0 ? UInt64(config.quota.defaultMessages) : nil
        // In a murder: one persistent connection to the master, which the IMAP sessions'
        // CREATE, DELETE, RENAME and SETACL go through, reconciled after every (re)connect.
        var registrar: MUpdateRegistrar?
        if let master = try config.mupdateClient() {
            let location = try config.mupdateLocation()
            registrar = MUpdateRegistrar(
                settings: MUpdateRegistrar.Settings(client: master, location: location), engine: engine,
                logger: logger
            ) {
                spool.mailboxes().map {
                    MUpdateRegistrar.LocalMailbox(
                        name: InternalMailboxName($0.name), acl: (try? CyrusACL(parsing: $0.acl)) ?? .empty)
                }
            }
            settings.mupdateServer = master.address
        }
        let throttle = LoginThrottle(
            configuration: LoginThrottle.Configuration(delay: .milliseconds(config.imap.failedLoginDelayMilliseconds))
        )
        // XFER (SPEC.md §7.5): with a transfer password this backend can move mailboxes to
        // others; any backend can receive them from an identity in its auth.admins.
        let transfer = try config.xferPassword().map {
            TransferSettings(engine: engine, username: config.xfer.username, password: $0)
        }
        let context = ServerContext(
            spool: spool, sasl: sasl, settings: settings, throttle: throttle, logger: logger, registration: registrar,
            transfer: transfer)
        let server = IMAPServer(context: context, engine: engine)
        let limits = ListenerLimits(
            maxConnections: config.imap.maxConnections, maxConnectionsPerHost: config.imap.maxConnectionsPerHost
        )
        var listeners: [any Listener] = []
        do {
            for address in config.imap.listen {
                listeners.append(try await server.listen(host: address.host, port: address.port, limits: limits))
            }
            // Implicit TLS: a refusal in plaintext would mean nothing to a TLS client; just close.
            var tlsLimits = limits
            tlsLimits.refusal = []
            for address in config.imap.listenTLS {
                listeners.append(
                    try await server.listen(host: address.host, port: address.port, limits: tlsLimits, tls: tls)
                )
            }
        } catch {
            for l in listeners { await l.close() }
            throw error
        }
        await registrar?.start()
        let housekeeping = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                spool.cleanExpunged()
            }
        }
        return BackendNode(
            config: config, spool: spool, context: context, engine: engine, listeners: listeners,
            housekeeping: housekeeping, registrar: registrar
        )
    }

    init(
        config: NodeConfig, spool: Spool, context: ServerContext, engine: any Engine, listeners: [any Listener],
        housekeeping: Task<Void, Never>, registrar: MUpdateRegistrar?
    ) {
        self.registrar = registrar
        self.config = config
        self.spool = spool
        self.context = context
        self.engine = engine
        self.listeners = listeners
        self.housekeeping = housekeeping
    }

    /// Stops accepting connections.
    public func stop() async {
        housekeeping.cancel()
        for l in listeners { await l.close() }
        await registrar?.stop()
    }
}
