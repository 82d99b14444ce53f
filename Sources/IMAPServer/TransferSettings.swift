public import Transport

/// How a source backend connects to the destination of an XFER (SPEC.md §7.5, §12): over IMAP
/// to the destination's servername (`host:port`), authenticated with SASL PLAIN as the
/// transfer identity, which must be one of the destination's `auth.admins`.
public struct TransferSettings: Sendable {
    /// The engine outbound connections are made on.
    public var engine: any Engine
    /// The transfer identity (`xfer.username`).
    public var username: String
    public var password: String
    /// Bound on connecting, authenticating and on each command at the destination.
    public var timeout: Duration
    /// A copy pass that sends at most this many files is the last one before the freeze.
    public var fewFiles: Int
    /// Most copy passes before the freeze.
    public var maxPasses: Int

    public init(
        engine: any Engine, username: String, password: String, timeout: Duration = .seconds(60), fewFiles: Int = 10,
        maxPasses: Int = 3
    ) {
        self.engine = engine
        self.username = username
        self.password = password
        self.timeout = timeout
        self.fewFiles = fewFiles
        self.maxPasses = maxPasses
    }
}
