#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One node's configuration: the roles it runs and their settings, read from one TOML file.
///
///     murder serve -c node.toml
///
///     servername = "127.0.0.1:1143"
///     roles = ["backend"]
///     data_dir = "/var/lib/murder"
///     [imap]
///     listen = ["127.0.0.1:1143"]
///
/// Every key is optional except `data_dir`; ``documentation`` lists them all with their
/// defaults. Unknown keys and tables are errors.
public struct NodeConfig: Sendable, Hashable {
    /// A role a node can run.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case backend, frontend, mupdate, replica
    }

    /// The socket engine.
    public enum EngineKind: String, Sendable, Hashable, CaseIterable {
        /// SwiftNIO, pure Swift.
        case nio
        /// The io_uring C core; falls back to nio (with a log line) where unavailable.
        case uring
    }

    /// This node's identity, "host[:port]": what mupdate records as the server of its mailboxes
    /// and what frontends connect to.
    public var servername: String
    public var roles: [Role]
    /// Root of the node's durable state; the spool lives under it.
    public var dataDirectory: String
    public var engine: EngineKind
    public var imap: IMAP
    public var auth: Auth
    public var tls: TLS
    public var namespace: Namespace
    public var quota: Quota
    public var mupdate: MUpdate
    public var proxy: Proxy
    public var xfer: Xfer
    public var log: Log

    /// The defaults, for a node keeping its data under `dataDirectory`.
    public init(dataDirectory: String, servername: String = NodeConfig.hostname()) {
        self.servername = servername
        self.roles = [.backend]
        self.dataDirectory = dataDirectory
        self.engine = .uring
        self.imap = IMAP()
        self.auth = Auth(dataDirectory: dataDirectory)
        self.tls = TLS()
        self.namespace = Namespace()
        self.quota = Quota()
        self.mupdate = MUpdate()
        self.proxy = Proxy()
        self.xfer = Xfer()
        self.log = Log()
    }

    /// This machine's host name, the default `servername`.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
