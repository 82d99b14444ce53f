import Logging
import IMAPWire

extension MUpdateClientConnection {
    /// `RESERVE name location`: claims a name before a backend creates the mailbox.
    ///
    ///     C: A02 RESERVE {10+}
    ///     C: user.carol {23+}
    ///     C: 127.0.0.1:14143!default
    ///     S: A02 OK "done"                  (NO "mailbox already exists": .failReserve)
    ///
    /// - SeeAlso: [RFC 3656 §4.9](https://www.rfc-editor.org/rfc/rfc3656#section-4.9)
    public func reserve(_ name: InternalMailboxName, location: MailboxLocation) async throws(MUpdateError) {
        _ = try await run(.reserve(name: name, location: location))
    }

    /// `ACTIVATE name location acl`: the mailbox is served at `location` with `acl`.
    ///
    /// - SeeAlso: [RFC 3656 §4.1](https://www.rfc-editor.org/rfc/rfc3656#section-4.1)
    public func activate(_ name: InternalMailboxName, location: MailboxLocation, acl: CyrusACL) async throws(MUpdateError) {
        _ = try await run(.activate(name: name, location: location, acl: acl))
    }

    /// `DEACTIVATE name location`: back to RESERVED (a mailbox being moved).
    ///
    /// - SeeAlso: [RFC 3656 §4.3](https://www.rfc-editor.org/rfc/rfc3656#section-4.3)
    public func deactivate(_ name: InternalMailboxName, location: MailboxLocation) async throws(MUpdateError) {
        _ = try await run(.deactivate(name: name, location: location))
    }

    /// `DELETE name`. A Cyrus 3.6 master crashes on a name it does not hold: callers that are
    /// not sure the master holds `name` ``find(_:)`` it first (``MUpdateRegistrar`` does).
    ///
    /// - SeeAlso: [RFC 3656 §4.4](https://www.rfc-editor.org/rfc/rfc3656#section-4.4)
    public func delete(_ name: InternalMailboxName) async throws(MUpdateError) {
        _ = try await run(.delete(name: name))
    }

    /// `FIND name`: the record, or nil when the master has none.
    ///
    ///     C: A03 FIND {10+}
    ///     C: user.carol
    ///     S: A03 MAILBOX {10+}
    ///     S: user.carol {23+}
    ///     S: 127.0.0.1:14143!default {21+}
    ///     S: carol\tlrswipkxtecdan\t
    ///     S: A03 OK "Search completed"
    ///
    /// - SeeAlso: [RFC 3656 §4.5](https://www.rfc-editor.org/rfc/rfc3656#section-4.5)
    public func find(_ name: InternalMailboxName) async throws(MUpdateError) -> MUpdateRecord? {
        try await run(.find(name: name)).first { $0.name == name }
    }

    /// `LIST [prefix]`: every record whose location text starts with `prefix` (all when nil).
    ///
    ///     C: A04 LIST {16+}
    ///     C: 127.0.0.1:14143!
    ///
    /// - SeeAlso: [RFC 3656 §4.6](https://www.rfc-editor.org/rfc/rfc3656#section-4.6)
    public func list(prefix: String? = nil) async throws(MUpdateError) -> [MUpdateRecord] {
        try await run(.list(prefix: prefix))
    }

    /// `NOOP`.
    ///
    /// - SeeAlso: [RFC 3656 §4.8](https://www.rfc-editor.org/rfc/rfc3656#section-4.8)
    public func noop(timeout: Duration? = nil) async throws(MUpdateError) {
        _ = try await run(.noop, timeout: timeout)
    }

    /// `LOGOUT`, then close. The answer may be `OK "bye-bye"` (Cyrus), `* BYE` or the end of the
    /// stream; none of them is an error, and neither is a connection that is already gone.
    ///
    /// - SeeAlso: [RFC 3656 §4.7](https://www.rfc-editor.org/rfc/rfc3656#section-4.7)
    public func logout(timeout: Duration = .seconds(2)) async {
        guard isOpen else { return }
        guard !isStreaming else {
            // The stream holds the command gate for good: say goodbye without waiting.
            try? await write(command: MUpdateCommand(tag: makeTag(prefix: "Q"), .logout))
            await close()
            return
        }
        if !commandGate.tryAcquire() {
            await withCheckedContinuation { commandGate.enqueue($0) }
        }
        defer { commandGate.release() }
        let tag = makeTag(prefix: "Q")
        let deadline = ContinuousClock.now + timeout
        do {
            try await write(command: MUpdateCommand(tag: tag, .logout))
            while isOpen {
                switch try await nextResponse(deadline: deadline) {
                case .completion(tag, _, _), .bye: await close()
                default: continue
                }
            }
        } catch {
            // EOF or a timeout: the connection is closed either way.
        }
        await close()
    }

    /// Sends one command and collects its tagged MAILBOX/RESERVE lines until its completion.
    func run(_ kind: MUpdateCommand.Kind, timeout: Duration? = nil) async throws(MUpdateError) -> [MUpdateRecord] {
        guard !isStreaming else {
            throw MUpdateError(.badParameter, "\(kind.name) on a connection that streams updates")
        }
        if !commandGate.tryAcquire() {
            await withCheckedContinuation { commandGate.enqueue($0) }
        }
        defer { commandGate.release() }
        guard isOpen else { throw MUpdateError(.noConnection, "\(kind.name): connection to \(configuration.address) closed") }
        let tag = makeTag()
        try await write(command: MUpdateCommand(tag: tag, kind))
        let deadline = ContinuousClock.now + (timeout ?? configuration.commandTimeout)
        var records: [MUpdateRecord] = []
        while true {
            let response = try await nextResponse(deadline: deadline)
            switch response {
            case .completion(tag, let status, let text):
                if let error = MUpdateError(completion: status, text: text, to: kind) { throw error }
                return records
            case .mailbox(tag, _, _, _), .reserve(tag, _, _):
                if let record = MUpdateRecord(response) { records.append(record) }
            case .bye(let text):
                throw await fail(.noConnection, "\(configuration.address) said BYE: \(text.text)")
            default:
                logger.debug("mupdate: ignored a line", metadata: ["line": "\(response)", "command": "\(kind.name)"])
            }
        }
    }

    // MARK: - Streaming (UPDATE)

    /// Sends `UPDATE` (with `servers`, PARTIAL-UPDATE) or `UPDATE SINCE "epoch" "seq"` and
    /// returns its tag; from then on the caller reads with ``nextStreamResponses(timeout:)``.
    ///
    ///     C: U01 UPDATE SINCE "3f2a" "1207"
    ///
    /// - SeeAlso: [RFC 3656 §4.11](https://www.rfc-editor.org/rfc/rfc3656#section-4.11), SPEC.md §3.5
    public func startUpdate(
        since position: (epoch: String, sequence: UInt64)? = nil, servers: [String] = []
    ) async throws(MUpdateError) -> String {
        guard !isStreaming else { throw MUpdateError(.badParameter, "UPDATE twice") }
        if !commandGate.tryAcquire() {
            await withCheckedContinuation { commandGate.enqueue($0) }
        }
        isStreaming = true
        let tag = makeTag(prefix: "U")
        if let position {
            try await write(command: MUpdateCommand(tag: tag, .updateSince(epoch: position.epoch, sequence: position.sequence)))
        } else {
            try await write(command: MUpdateCommand(tag: tag, .update(servers: servers)))
        }
        return tag
    }

    /// Sends `NOOP` with `tag` (from ``makeTag(prefix:)``) on a streaming connection; its
    /// `OK` arrives after every change the server committed before reading it.
    public func sendNoop(tag: String) async throws(MUpdateError) {
        try await write(command: MUpdateCommand(tag: tag, .noop))
    }

    /// Every response that arrives within `timeout` of one read: empty when nothing came in
    /// time (the connection stays open). One reader at a time.
    public func nextStreamResponses(timeout: Duration) async throws(MUpdateError) -> [MUpdateResponse] {
        var out: [MUpdateResponse] = []
        while let response = try await decoded() { out.append(response) }
        if !out.isEmpty { return out }
        guard try await fill(timeout: timeout) else { return [] }
        while let response = try await decoded() { out.append(response) }
        return out
    }
}
