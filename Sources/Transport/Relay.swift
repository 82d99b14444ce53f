/// What a relay passes through and what it starts with (DESIGN.md "The hot path: relay").
///
///     C: a1 FETCH 1:2 (FLAGS)       relayed: verbs ∋ FETCH
///     C: a2 UID SEARCH UNSEEN       relayed: uidVerbs ∋ SEARCH
///     C: a3 LIST "" *               the relay stops (intercepted) after a1's and a2's answers
public struct RelayRequest: Sendable {
    /// Upper-case verbs relayed as received: "FETCH", "NOOP", "IDLE"…
    public var verbs: Set<String>
    /// Upper-case words after `UID` relayed as received.
    public var uidVerbs: Set<String>
    /// Bounds of the client's command lines and of a relayed command's literals (the string
    /// bound: relayed commands carry no messages).
    public var maxLineBytes: Int
    public var maxLiteralBytes: Int
    /// Bytes already read from each side and not yet handled.
    public var clientBytes: [UInt8]
    public var backendBytes: [UInt8]
    /// The relay stops when the client sends nothing this long.
    public var idleTimeout: Duration?

    public init(
        verbs: Set<String>,
        uidVerbs: Set<String>,
        maxLineBytes: Int,
        maxLiteralBytes: Int,
        clientBytes: [UInt8] = [],
        backendBytes: [UInt8] = [],
        idleTimeout: Duration?
    ) {
        self.verbs = verbs
        self.uidVerbs = uidVerbs
        self.maxLineBytes = maxLineBytes
        self.maxLiteralBytes = maxLiteralBytes
        self.clientBytes = clientBytes
        self.backendBytes = backendBytes
        self.idleTimeout = idleTimeout
    }
}

/// Why and where a relay stopped, and the bytes it read but did not pass on.
public struct RelayOutcome: Sendable {
    public enum Reason: Sendable, Hashable {
        /// The client sent a command for the session; every earlier one was answered.
        case intercepted
        case clientClosed
        case backendClosed
        /// The backend said BYE (not passed on).
        case backendBye
        /// The client's stream cannot be followed any more (a relayed command was refused
        /// after part of it went to the backend).
        case clientUnreadable
        /// The backend sent what is not IMAP.
        case backendUnreadable
        case timedOut
        case shutdown
        case clientFailed
        case backendFailed
    }

    public var reason: Reason
    /// From the client: the intercepted command's first bytes and whatever followed.
    public var clientBytes: [UInt8]
    /// From the backend: bytes not passed on.
    public var backendBytes: [UInt8]
    /// The client stopped in the middle of a relayed command (its literal or a continuation
    /// line still due): the backend would read anything sent now as part of it.
    public var clientMidCommand = false
    /// Bytes relayed, by direction, through buffers and by splice.
    public var copiedToBackend: UInt64 = 0
    public var copiedToClient: UInt64 = 0
    public var splicedToClient: UInt64 = 0

    public init(reason: Reason, clientBytes: [UInt8], backendBytes: [UInt8]) {
        self.reason = reason
        self.clientBytes = clientBytes
        self.backendBytes = backendBytes
    }
}

extension Connection {
    /// Whether ``relay(with:_:)`` can run in the engine for this connection now.
    public var relaysInEngine: Bool { (self as? URingConnection)?.canRelay ?? false }

    /// Relays between this client connection and `backend` inside the engine until the relay
    /// stops; nil when the engine cannot (the pure-Swift engine, whose sessions relay
    /// themselves; a TLS connection). Neither connection may have a read in flight.
    public func relay(with backend: any Connection, _ request: RelayRequest) async -> RelayOutcome? {
        guard let client = self as? URingConnection, let backend = backend as? URingConnection else { return nil }
        return await client.relay(with: backend, request)
    }
}
