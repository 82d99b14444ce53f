import Synchronization
import Logging

extension MUpdateListReplica {
    /// The epoch sent by a replica that holds no position: never a master's.
    static let noEpoch = "none"

    /// Connects, streams, and after any failure waits (exponential backoff with jitter) and
    /// starts again, until stopped.
    func run() async {
        var attempt = 0
        while !Task.isCancelled {
            let dumpsBefore = state.withLock { $0.dumps }
            do {
                let connection = try await MUpdateClientConnection.connect(settings.client, engine: engine, logger: logger)
                do {
                    try await follow(connection)
                } catch {
                    await connection.close()
                    throw error
                }
                await connection.close()
            } catch {
                if !Task.isCancelled {
                    logger.notice(
                        "mupdate list stream lost", metadata: ["master": "\(settings.client.address)", "error": "\(error)"])
                }
            }
            disconnected()
            if state.withLock({ $0.dumps }) > dumpsBefore { attempt = 0 }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: settings.backoff.delay(attempt: attempt))
            attempt += 1
        }
    }

    /// The changes of a dump (or of an UPDATE SINCE backlog) before `OK "streaming starts"`.
    struct Pending {
        /// Records in their latest state.
        var upserts: MUpdateListMap
        /// Names whose latest line was DELETE (only in a backlog).
        var deletes: Set<InternalMailboxName> = []
        /// The `X-SEQ` that ended the dump, if any.
        var position: MUpdateStreamPosition?
        /// Resuming from this position (UPDATE SINCE); nil for a plain UPDATE.
        let since: MUpdateStreamPosition?
        /// Whether the master answers with a backlog (changes on top of our list) rather than a
        /// full dump; nil until its first line. A backlog starts with an X-SEQ that repeats our
        /// own position; a full dump starts with data lines (SPEC.md §3.5).
        var isBacklog: Bool?
    }

    /// One connection's UPDATE: dump, then stream, until the connection fails or the task is
    /// cancelled.
    func follow(_ connection: MUpdateClientConnection) async throws(MUpdateError) {
        let resume = state.withLock { state -> MUpdateStreamPosition? in
            guard let position = state.position, state.hasList else { return nil }
            return position
        }
        let fresh = resume.map { Self.now() - $0.recordedAt < Int64(settings.maxPositionAge.components.seconds) } ?? false
        // With X-UPDATE-SINCE and a folder to keep a position in, even a first sync asks with
        // SINCE (an epoch no master has), so that the full dump comes with an X-SEQ.
        let numbered = await connection.capabilities.updateSince && store != nil && settings.servers.isEmpty
        let since = numbered && fresh ? resume : nil
        let capacity = state.withLock { $0.map.count }
        var pending: Pending? = Pending(
            upserts: MUpdateListMap(capacity: since == nil ? capacity : 16), since: since)
        let tag = try await connection.startUpdate(
            since: numbered ? (since?.epoch ?? Self.noEpoch, since?.sequence ?? 0) : nil, servers: settings.servers)
        let isCurrent = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.connection = connection
            return true
        }
        guard isCurrent else { return }
        logger.info(
            "mupdate list: UPDATE sent",
            metadata: ["master": "\(settings.client.address)", "since": "\(since?.description ?? "-")"])

        let clock = ContinuousClock()
        var heartbeat: (tag: String, sentAt: ContinuousClock.Instant)?
        var lastHeartbeat = clock.now
        var lastByte = clock.now
        while !Task.isCancelled {
            let deadline: ContinuousClock.Instant
            if pending != nil {
                deadline = lastByte + settings.heartbeatTimeout
            } else if let heartbeat {
                deadline = heartbeat.sentAt + settings.heartbeatTimeout
            } else {
                deadline = lastHeartbeat + settings.heartbeatInterval
            }
            let wait = max(deadline - clock.now, .milliseconds(1))
            let batch = try await connection.nextStreamResponses(timeout: wait)
            if batch.isEmpty {
                guard clock.now >= deadline else { continue }
                if pending != nil || heartbeat != nil {
                    await connection.close()
                    throw MUpdateError(.timeout, "no answer from \(settings.client.address) within \(settings.heartbeatTimeout)")
                }
                let noop = await connection.makeTag(prefix: "N")
                try await connection.sendNoop(tag: noop)
                heartbeat = (noop, clock.now)
                lastHeartbeat = clock.now
                continue
            }
            lastByte = clock.now
            var log = ListFileWriter()
            var changes: [MUpdateListChange] = []
            for response in batch {
                if pending != nil, pending!.isBacklog == nil, response.tag == tag {
                    if let since = pending!.since, case .sequence(_, let epoch, let sequence) = response {
                        pending!.isBacklog = epoch == since.epoch && sequence == since.sequence
                    } else {
                        pending!.isBacklog = false
                    }
                }
                switch response {
                case .mailbox(tag, _, _, _), .reserve(tag, _, _):
                    guard let record = MUpdateRecord(response) else { continue }
                    if pending != nil {
                        pending!.deletes.remove(record.name)
                        pending!.upserts.upsert(record)
                    } else {
                        state.withLock { _ = $0.map.upsert(record) }
                        log.record(record)
                        changes.append(.updated(record))
                    }
                case .delete(tag, let name):
                    if pending != nil {
                        pending!.upserts.remove(name)
                        if pending!.isBacklog == true { pending!.deletes.insert(name) }
                    } else {
                        let removed = state.withLock { $0.map.remove(name) }
                        log.delete(name)
                        if removed { changes.append(.deleted(name)) }
                    }
                case .sequence(tag, let epoch, let sequence):
                    let position = MUpdateStreamPosition(epoch: epoch, sequence: sequence, recordedAt: Self.now())
                    if pending != nil {
                        pending!.position = position
                    } else {
                        state.withLock { $0.position = position }
                        log.position(position)
                    }
                case .completion(tag, let status, let text):
                    guard status == .ok, let dump = pending else {
                        await connection.close()
                        throw MUpdateError(.fail, "UPDATE answered \(status.rawValue): \(text.text)")
                    }
                    // Changes logged so far in this batch precede the dump's end.
                    store?.append(log.bytes)
                    log = ListFileWriter()
                    emit(changes)
                    changes = []
                    finishDump(dump)
                    pending = nil
                    lastHeartbeat = clock.now
                case .completion(let other, let status, _):
                    if other == heartbeat?.tag {
                        heartbeat = nil
                    } else {
                        // Everything before this line is applied: the barrier holds.
                        store?.append(log.bytes)
                        log = ListFileWriter()
                        emit(changes)
                        changes = []
                        resolveBarrier(other, status == .ok)
                    }
                case .bye(let text):
                    await connection.close()
                    throw MUpdateError(.noConnection, "\(settings.client.address) said BYE: \(text.text)")
                default:
                    logger.debug("mupdate list: ignored a line", metadata: ["line": "\(response)"])
                }
            }
            store?.append(log.bytes)
            emit(changes)
        }
    }

    /// Installs a completed dump: a full dump replaces the list at once; a backlog (UPDATE SINCE
    /// answered from the master's change log) is applied on top of it.
    func finishDump(_ dump: Pending) {
        if dump.isBacklog == true {
            var changes: [MUpdateListChange] = []
            var log = ListFileWriter()
            state.withLock { state in
                for name in dump.deletes where state.map.remove(name) {
                    changes.append(.deleted(name))
                    log.delete(name)
                }
                dump.upserts.forEach { record in
                    state.map.upsert(record)
                    changes.append(.updated(record))
                    log.record(record)
                }
                if let position = dump.position {
                    state.position = position
                    log.position(position)
                }
            }
            store?.append(log.bytes)
            markSynced()
            emit(changes)
            logger.info("mupdate list resumed", metadata: ["changes": "\(changes.count)", "position": "\(dump.position?.description ?? "-")"])
            return
        }
        // A full dump: records absent from it are gone.
        let map = dump.upserts
        state.withLock { state in
            state.map = map
            state.position = dump.position
        }
        store?.snapshot(map, position: dump.position)
        markSynced()
        emit([.replaced(count: map.count)])
        logger.info("mupdate list replaced by a full dump", metadata: ["records": "\(map.count)"])
    }

    func markSynced() {
        let waiters = state.withLock { state in
            state.synced = true
            state.hasList = true
            state.dumps += 1
            defer { state.syncWaiters = [:] }
            return state.syncWaiters
        }
        for waiter in waiters.values { waiter.resume(returning: true) }
    }
}
