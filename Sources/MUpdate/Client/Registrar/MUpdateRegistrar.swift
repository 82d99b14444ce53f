public import Logging
public import Transport

/// A backend's registration at the mupdate master (SPEC.md §4.1): one persistent authenticated
/// connection, the backend's own location `servername!partition`, and reconciliation of the
/// backend's mailboxes with the master's records after every (re)connect.
///
///     CREATE  C: A05 RESERVE {10+} user.carol {23+} 127.0.0.1:14143!default    S: A05 OK "done"
///             (local create)
///             C: A06 ACTIVATE {10+} user.carol {23+} … {21+} carol\tlrswipkxtecdan\t
///     DELETE  (local delete)
///             C: A07 FIND {10+} user.carol         (the master must hold it: Cyrus crashes otherwise)
///             C: A08 DELETE {10+} user.carol
///
/// With no connection, a call tries to connect once (bounded by the client configuration's
/// `connectTimeout`) and otherwise fails at once with ``MUpdateError/Code/noConnection`` (the IMAP
/// command answers `NO [UNAVAILABLE]`). A background task reconnects with exponential backoff
/// and keeps the connection alive with NOOP.
public actor MUpdateRegistrar: MailboxRegistration {
    /// A mailbox of this backend, as reconciliation compares it.
    public struct LocalMailbox: Sendable, Hashable {
        public var name: InternalMailboxName
        public var acl: CyrusACL

        public init(name: InternalMailboxName, acl: CyrusACL) {
            self.name = name
            self.acl = acl
        }
    }

    public struct Settings: Sendable {
        public var client: MUpdateClientConfiguration
        /// This backend's location, `servername!partition`.
        public var location: MailboxLocation
        /// A NOOP goes out when the connection was idle this long (SPEC.md: 20 s).
        public var keepAliveInterval: Duration
        /// No answer to it within this: drop and reconnect.
        public var keepAliveTimeout: Duration
        public var backoff: MUpdateBackoff
        /// A RESERVE without ACTIVATE or DELETE is protected from reconciliation this long.
        public var reservationGrace: Duration

        public init(
            client: MUpdateClientConfiguration, location: MailboxLocation, keepAliveInterval: Duration = .seconds(20),
            keepAliveTimeout: Duration = .seconds(20), backoff: MUpdateBackoff = MUpdateBackoff(),
            reservationGrace: Duration = .seconds(300)
        ) {
            self.client = client
            self.location = location
            self.keepAliveInterval = keepAliveInterval
            self.keepAliveTimeout = keepAliveTimeout
            self.backoff = backoff
            self.reservationGrace = reservationGrace
        }
    }

    public nonisolated let settings: Settings
    let engine: any Engine
    let logger: Logger
    let localMailboxes: @Sendable () async throws -> [LocalMailbox]

    var connection: MUpdateClientConnection?
    var connecting: Task<Result<MUpdateClientConnection, MUpdateError>, Never>?
    var lastActivity = ContinuousClock.now
    /// Names this registrar reserved and has not yet activated or deleted, with when.
    var inFlight: [InternalMailboxName: ContinuousClock.Instant] = [:]
    /// When each name was last sent to the master by a live command. A reconciliation leaves
    /// alone every name touched after it began: its picture of the local list may predate that
    /// command (a CREATE finishing during the comparison must not be deleted at the master).
    var touched: [InternalMailboxName: ContinuousClock.Instant] = [:]
    var maintenance: Task<Void, Never>?
    var reconciliation: Task<Void, Never>?
    var stopped = false

    /// The last automatic reconciliation's report.
    public internal(set) var lastReport: MUpdateReconciliationReport?

    /// - Parameter localMailboxes: the backend's mailboxes now (from its spool).
    public init(
        settings: Settings, engine: any Engine, logger: Logger = Logger(label: "murder.mupdate.registrar"),
        localMailboxes: @escaping @Sendable () async throws -> [LocalMailbox]
    ) {
        self.settings = settings
        self.engine = engine
        self.logger = logger
        self.localMailboxes = localMailboxes
    }

    /// Local mailboxes the master records on another server, from the last reconciliation.
    public var conflicts: [MUpdateReconciliationReport.Conflict] { lastReport?.conflicts ?? [] }

    /// Whether a connection to the master is up.
    public var isConnected: Bool {
        get async {
            guard let connection else { return false }
            return await connection.isOpen
        }
    }

    // MARK: - Lifecycle

    /// Starts the background task that connects, reconciles, reconnects and keeps alive.
    public func start() {
        guard maintenance == nil, !stopped else { return }
        maintenance = Task { await self.maintain() }
    }

    /// Stops the background task and logs out.
    public func stop() async {
        stopped = true
        maintenance?.cancel()
        reconciliation?.cancel()
        await maintenance?.value
        await reconciliation?.value
        maintenance = nil
        if let connection {
            await connection.logout()
            self.connection = nil
        }
    }

    // MARK: - MailboxRegistration

    /// Returns when there is a connection to the master, after at most one new attempt.
    public func ensureReachable() async throws(MUpdateError) {
        _ = try await current()
    }

    public func reserve(_ name: InternalMailboxName) async throws(MUpdateError) {
        markTouched(name)
        let master = try await current()
        inFlight[name] = .now
        do {
            try await master.reserve(name, location: settings.location)
        } catch {
            inFlight[name] = nil
            throw dropIfBroken(error)
        }
        touch()
    }

    public func activate(_ name: InternalMailboxName, acl: CyrusACL) async throws(MUpdateError) {
        markTouched(name)
        let master = try await current()
        do {
            try await master.activate(name, location: settings.location, acl: acl)
        } catch {
            throw dropIfBroken(error)
        }
        inFlight[name] = nil
        touch()
    }

    /// DEACTIVATE with this backend's location (the start of an XFER, SPEC.md §7.5).
    public func deactivate(_ name: InternalMailboxName) async throws(MUpdateError) {
        markTouched(name)
        let master = try await current()
        do {
            try await master.deactivate(name, location: settings.location)
        } catch {
            throw dropIfBroken(error)
        }
        touch()
    }

    /// DELETE, after a FIND unless this registrar itself just reserved the name: a name the
    /// master does not hold, or holds for another server, is left alone (and is no error).
    public func delete(_ name: InternalMailboxName) async throws(MUpdateError) {
        markTouched(name)
        let master: MUpdateClientConnection
        do {
            master = try await current()
        } catch {
            // As below: no longer protected, so the next reconciliation removes the record.
            inFlight[name] = nil
            throw error
        }
        do {
            if inFlight[name] == nil {
                guard let record = try await master.find(name) else {
                    logger.debug("mupdate: DELETE skipped, the master does not hold the name", metadata: ["name": "\(name)"])
                    return
                }
                guard record.location.server == settings.location.server else {
                    logger.warning(
                        "mupdate: DELETE skipped, the master holds the name for another server",
                        metadata: ["name": "\(name)", "location": "\(record.location)"])
                    return
                }
            }
            try await master.delete(name)
        } catch {
            // The caller has no such mailbox (any more): the name is no longer protected as an
            // in-flight reservation, so the reconciliation after the next reconnect removes it.
            inFlight[name] = nil
            throw dropIfBroken(error)
        }
        inFlight[name] = nil
        touch()
    }

    // MARK: - Connection

    /// The open connection, or one new attempt (shared by concurrent callers).
    func current() async throws(MUpdateError) -> MUpdateClientConnection {
        if let connection, await connection.isOpen { return connection }
        connection = nil
        guard !stopped else { throw MUpdateError(.noConnection, "the registrar is stopped") }
        let attempt: Task<Result<MUpdateClientConnection, MUpdateError>, Never>
        if let connecting {
            attempt = connecting
        } else {
            let configuration = settings.client
            let engine = engine
            let logger = logger
            attempt = Task {
                do throws(MUpdateError) {
                    return .success(try await MUpdateClientConnection.connect(configuration, engine: engine, logger: logger))
                } catch {
                    return .failure(error)
                }
            }
            connecting = attempt
        }
        let result = await attempt.value
        if connecting == attempt { connecting = nil }
        switch result {
        case .success(let master):
            if connection !== master {
                connection = master
                touch()
                logger.info("mupdate: connected to the master", metadata: ["master": "\(settings.client.address)"])
                // Only a started registrar (a running backend) reconciles by itself; one used for
                // a dry-run check (`murder admin check`) must change nothing.
                if maintenance != nil { scheduleReconciliation() }
            }
            return master
        case .failure(let error):
            throw MUpdateError(.noConnection, "the mupdate master is unreachable", cause: error)
        }
    }

    /// Forgets a connection that an error closed; returns the error.
    func dropIfBroken(_ error: MUpdateError) -> MUpdateError {
        switch error.code {
        case .noConnection, .timeout, .protocolError: connection = nil
        default: break
        }
        return error
    }

    func touch() { lastActivity = .now }

    /// Notes a live command on `name` (see ``touched``); forgets marks older than the grace.
    func markTouched(_ name: InternalMailboxName) {
        let now = ContinuousClock.now
        touched[name] = now
        if touched.count > 10_000 {
            touched = touched.filter { now - $0.value < settings.reservationGrace }
        }
    }

    /// Connects with backoff while disconnected; sends NOOP when idle.
    func maintain() async {
        var attempt = 0
        let tick = min(settings.keepAliveInterval, .milliseconds(500))
        while !Task.isCancelled {
            if let connection, await connection.isOpen {
                attempt = 0
                if ContinuousClock.now - lastActivity >= settings.keepAliveInterval {
                    do {
                        try await connection.noop(timeout: settings.keepAliveTimeout)
                        touch()
                    } catch {
                        logger.notice("mupdate: keep-alive failed", metadata: ["error": "\(error)"])
                        await connection.close()
                        self.connection = nil
                        continue
                    }
                }
                try? await Task.sleep(for: tick)
            } else {
                do {
                    _ = try await current()
                    attempt = 0
                } catch {
                    logger.debug("mupdate: master unreachable", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                    try? await Task.sleep(for: settings.backoff.delay(attempt: attempt))
                    attempt += 1
                }
            }
        }
    }
}
