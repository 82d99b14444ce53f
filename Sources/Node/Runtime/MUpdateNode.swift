public import Auth
import Foundation
public import Logging
public import MUpdate
public import Transport

/// A running mupdate master (role `mupdate`): the list store under `<data_dir>/mupdate/` and
/// its MUPDATE listeners.
///
///     [mupdate]
///     listen = ["0.0.0.0:3905"]
///     [auth]
///     admins = ["murder"]          # the only identities that may log in to the master
public final class MUpdateNode: Sendable {
    public let store: MUpdateStore
    public let server: MUpdateServer
    let listeners: [any Listener]

    public var boundAddresses: [String] { listeners.map(\.localAddress) }
    public var boundPorts: [Int] { listeners.map(\.localPort) }

    /// Where the master's store lives under a node's data folder.
    public static func storePath(dataDirectory: String) -> String { dataDirectory + "/mupdate/list.sqlite" }

    /// Loads the store (accepting connections only once it is loaded, SPEC.md §7.6) and listens.
    public static func start(_ config: NodeConfig, engine: (any Engine)? = nil, logger: Logger) async throws -> MUpdateNode {
        let engine = engine ?? NIOEngine()
        let handshakeTimeout = Duration.seconds(60)
        let tls = try config.tls.load(file: "config", handshakeTimeout: handshakeTimeout)
        try FileManager.default.createDirectory(
            atPath: config.dataDirectory + "/mupdate", withIntermediateDirectories: true)
        let started = ContinuousClock.now
        let store = try await MUpdateStore.open(path: storePath(dataDirectory: config.dataDirectory), logger: logger)
        logger.notice("mupdate list loaded: \(store.snapshot().count) records in \(ContinuousClock.now - started)")
        let sasl = SASLConfig(
            sasldbPath: config.auth.sasldb, realm: config.auth.realm.isEmpty ? nil : config.auth.realm,
            mechanisms: config.auth.mechanisms, allowPlaintext: config.auth.allowPlaintext
        )
        let settings = MUpdateServerSettings(
            servername: config.servername, admins: Set(config.auth.admins), sasl: sasl, tls: tls,
            idleTimeout: .seconds(config.mupdate.idleTimeoutSeconds), version: MurderVersion.string,
            loginThrottle: LoginThrottle.Configuration(delay: .milliseconds(config.imap.failedLoginDelayMilliseconds))
        )
        let server = try MUpdateServer(list: store, settings: settings, logger: logger)
        let limits = ListenerLimits(maxConnections: config.mupdate.maxConnections, maxConnectionsPerHost: config.mupdate.maxConnections)
        var listeners: [any Listener] = []
        do {
            for address in config.mupdate.listen {
                listeners.append(try await server.listen(on: engine, host: address.host, port: address.port, limits: limits))
            }
        } catch {
            for l in listeners { await l.close() }
            throw error
        }
        return MUpdateNode(store: store, server: server, listeners: listeners)
    }

    init(store: MUpdateStore, server: MUpdateServer, listeners: [any Listener]) {
        self.store = store
        self.server = server
        self.listeners = listeners
    }

    public func stop() async {
        for l in listeners { await l.close() }
    }
}

/// The version every role announces.
public enum MurderVersion {
    public static let string = "0.4"
}
