public import Auth
import IMAPWire
public import Logging
public import Transport

/// An MUPDATE server (RFC 3656): accepts connections on an ``Transport/Engine`` and runs an
/// ``MUpdateServerSession`` on each, over one ``MUpdateListService`` (the master's store, or a
/// read-only list).
///
///     let store = try await MUpdateStore.open(path: "/var/lib/murder/mupdate.sqlite")
///     let server = try MUpdateServer(list: store, settings: settings, logger: logger)
///     let listener = try await server.listen(on: NIOEngine(), host: "0.0.0.0", port: 3905)
///     S: * AUTH "PLAIN" "SCRAM-SHA-256"
///     S: * PARTIAL-UPDATE
///     S: * X-UPDATE-SINCE
///     S: * OK MUPDATE "mupdate.example.com" "Murder" "0.1" "(master)"
///
/// - SeeAlso: [RFC 3656 §3.8](https://www.rfc-editor.org/rfc/rfc3656#section-3.8)
public final class MUpdateServer: Sendable {
    public let list: any MUpdateListService
    public let settings: MUpdateServerSettings
    let throttle: LoginThrottle
    let logger: Logger
    /// The SASL mechanisms to advertise without and with TLS, computed once (opening a libsasl2
    /// connection per banner costs more than the rest of the banner).
    let mechanisms: (plain: [String], tls: [String])

    /// The default MUPDATE port.
    public static let defaultPort = 3905

    /// Throws ``Auth/AuthError`` when libsasl2 cannot be set up with `settings.sasl`.
    public init(list: any MUpdateListService, settings: MUpdateServerSettings, logger: Logger) throws(AuthError) {
        self.list = settings.readOnly ? MUpdateReadOnlyList(list) : list
        self.settings = settings
        self.logger = logger
        throttle = LoginThrottle(configuration: settings.loginThrottle)
        let probe = try SASLServerSession(
            config: settings.sasl, serviceName: "mupdate", serverFQDN: settings.saslServerName)
        let plain = probe.mechanisms()
        probe.tlsActive = true
        mechanisms = (plain, probe.mechanisms())
    }

    /// The bytes an over-limit connection gets before it is closed.
    public static let refusal: [UInt8] = {
        var buffer = EncodeBuffer(.server)
        buffer.writeMUpdateResponse(.bye(MUpdateResponseText.serverUnable))
        return buffer.bytes
    }()

    /// Listens on `host:port` (0: any free port). `limits.refusal` is replaced by
    /// `* BYE "Server Unable"` (SPEC.md §3.3).
    public func listen(
        on engine: any Engine, host: String, port: Int = MUpdateServer.defaultPort,
        limits: ListenerLimits = ListenerLimits()
    ) async throws -> any Listener {
        var limits = limits
        limits.refusal = Self.refusal
        return try await engine.listen(host: host, port: port, limits: limits, logger: logger) {
            (connection: any Connection) async -> Void in
            await self.serve(connection)
        }
    }

    /// Runs one session on `connection` until it ends.
    public func serve(_ connection: any Connection) async {
        await MUpdateServerSession(connection: connection, server: self).run()
    }
}

/// Starting the master role in one call (the node's wiring uses this).
public enum MUpdateMaster {
    /// Opens nothing itself: serves `store` on `host:port` through `engine`.
    ///
    ///     let store = try await MUpdateStore.open(path: dataDir + "/mupdate.sqlite")
    ///     let (server, listener) = try await MUpdateMaster.start(
    ///         store: store, settings: settings, engine: NIOEngine(), host: "0.0.0.0", port: 3905, logger: logger)
    public static func start(
        store: MUpdateStore, settings: MUpdateServerSettings, engine: any Engine, host: String,
        port: Int = MUpdateServer.defaultPort, limits: ListenerLimits = ListenerLimits(), logger: Logger
    ) async throws -> (MUpdateServer, any Listener) {
        let server = try MUpdateServer(list: store, settings: settings, logger: logger)
        let listener = try await server.listen(on: engine, host: host, port: port, limits: limits)
        return (server, listener)
    }
}
