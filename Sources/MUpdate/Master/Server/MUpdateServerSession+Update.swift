import IMAPWire
import Logging
import Transport

extension MUpdateServerSession {
    /// `UPDATE [server …]` and `UPDATE SINCE "epoch" "seq"` (RFC 3656 §4.11, SPEC.md §3.4–3.5):
    /// registers the subscriber with its snapshot, then hands the socket's output to an
    /// ``MUpdateStreamWriter``. From here on the session only reads (NOOP and LOGOUT).
    func startStream(_ tag: String, servers: [String], since: MUpdateStore.Position?) async {
        let start: MUpdateStreamStart
        do {
            start = try await server.list.subscribe(
                servers: servers, since: since, queueLimit: settings.subscriberQueueLimit)
        } catch {
            logger.error("UPDATE failed", metadata: ["error": "\(error)"])
            return emit(.no(tag, Self.serverError))
        }
        // Answers to earlier pipelined commands go out before the dump.
        await flush()
        let writer = MUpdateStreamWriter(
            conn: conn, tag: Array(tag.utf8), start: start, servers: servers, resume: since, logger: logger,
            deflater: deflater)
        stream = (tag, start.subscription, Task { await writer.run() })
        logger.debug(
            "streaming",
            metadata: [
                "records": "\(start.snapshot.count)", "sequence": "\(start.position.sequence)",
                "backlog": "\(start.backlog.map { "\($0.count)" } ?? "full dump")",
            ])
    }

    /// Ends the stream when the session ends: the writer sends what is queued (LOGOUT's OK),
    /// and a writer stuck on a peer that reads nothing is cut off by closing the socket.
    func finishStream() async {
        guard let stream else { return }
        server.list.unsubscribe(stream.subscription)
        let conn = self.conn
        let watchdog = Task {
            do { try await Task.sleep(for: .seconds(2)) } catch { return }
            await conn.close()
        }
        await stream.writer.value
        watchdog.cancel()
    }
}

/// Writes one UPDATE stream: the dump (or the backlog of `UPDATE SINCE`), `OK "streaming
/// starts"`, then every queued change as soon as it is published, in pieces of at most
/// ``chunk`` bytes.
///
///     S: U01 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t
///     S: U01 X-SEQ "3f9c…" "41"                (UPDATE SINCE only)
///     S: U01 OK "streaming starts"
///     S: U01 DELETE {8+}\r\nuser.bob           (a change committed later)
///     S: U01 X-SEQ "3f9c…" "42"                (UPDATE SINCE only: after each batch)
///
/// With `UPDATE SINCE` served from the log, the backlog is introduced by an X-SEQ line that
/// repeats the client's own position ("complete up to here; what follows are changes"); a
/// full dump starts with data lines. So a client can tell a backlog, to apply on top of its
/// list, from a full dump, which replaces it.
struct MUpdateStreamWriter: Sendable {
    let conn: any Connection
    let tag: [UInt8]
    let start: MUpdateStreamStart
    let servers: [String]
    /// The position of `UPDATE SINCE`; nil for a plain UPDATE (which never gets X-SEQ lines).
    let resume: MUpdateStore.Position?
    let logger: Logger
    /// The output's DEFLATE stream after `COMPRESS "DEFLATE"`.
    let deflater: DeflateStream?

    static let chunk = 256 * 1024
    /// How long a subscriber dropped as too slow has to read its BYE before its connection is
    /// cut without it.
    static let slowPeerGrace: Duration = .seconds(3)

    func run() async {
        // A peer that stops reading leaves this writer stuck in a write; the overflow closes
        // the connection from outside, which ends that write (SPEC.md §3.4).
        let (conn, logger) = (self.conn, self.logger)
        start.subscription.onOverflow {
            logger.notice("UPDATE subscriber too slow: disconnecting", metadata: ["peer": "\(conn.remoteAddress)"])
            // A peer that reads again soon lets this writer reach the overflow and say BYE; one
            // that does not is cut off, its queued bytes dropped.
            Task {
                try? await Task.sleep(for: MUpdateStreamWriter.slowPeerGrace)
                await conn.abort()
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(Self.chunk + 64 * 1024)
        do {
            try await dump(&out)
            try await stream(&out)
        } catch {
            logger.debug("stream write failed", metadata: ["error": "\(error)"])
            start.subscription.close()
            await conn.close()
        }
    }

    func dump(_ out: inout [UInt8]) async throws {
        let snapshot = start.snapshot
        if let backlog = start.backlog, let resume {
            appendSequence(resume.sequence, to: &out)
            for key in backlog {
                if let entry = snapshot.entry(forKey: key) {
                    snapshot.append(entry, tag: tag, to: &out)
                } else {
                    MUpdateLineWriter.appendDelete(tag: tag, key: key, to: &out)
                }
                if out.count >= Self.chunk { try await write(&out) }
            }
        } else {
            let filter =
                servers.isEmpty
                ? nil
                : snapshot.locations.matching(
                    servers: Set(servers.map { Array($0.utf8).map(MUpdateLocations.Info.lower) }))
            var cursor = snapshot.makeCursor()
            while let entry = cursor.next() {
                if let filter, !filter[Int(entry.location)] { continue }
                snapshot.append(entry, tag: tag, to: &out)
                if out.count >= Self.chunk { try await write(&out) }
            }
        }
        if resume != nil { appendSequence(start.position.sequence, to: &out) }
        append(.ok(String(decoding: tag, as: UTF8.self), MUpdateResponseText.streamingStarts), to: &out)
        try await write(&out)
    }

    func stream(_ out: inout [UInt8]) async throws {
        var last = start.position.sequence
        var unmarked = false
        while true {
            switch await start.subscription.next() {
            case .items(let items):
                for item in items {
                    switch item {
                    case .change(let change):
                        change.append(tag: tag, to: &out)
                        last = change.sequence
                        unmarked = true
                    case .output(let bytes):
                        if unmarked { mark(last, &out, &unmarked) }
                        out.append(contentsOf: bytes)
                    case .finish(let bytes):
                        if unmarked { mark(last, &out, &unmarked) }
                        out.append(contentsOf: bytes)
                        try await write(&out)
                        await conn.close()
                        return
                    }
                    if out.count >= Self.chunk { try await write(&out) }
                }
                if unmarked { mark(last, &out, &unmarked) }
                try await write(&out)
            case .overflow:
                // Only this writer writes to the socket, so the BYE cannot split a record.
                out.removeAll()
                append(.bye(MUpdateResponseText.tooSlow), to: &out)
                try await write(&out)
                await conn.close()
                return
            case .closed:
                try await write(&out)
                return
            }
        }
    }

    /// X-SEQ after a batch of changes (UPDATE SINCE only).
    func mark(_ sequence: UInt64, _ out: inout [UInt8], _ unmarked: inout Bool) {
        unmarked = false
        if resume != nil { appendSequence(sequence, to: &out) }
    }

    func appendSequence(_ sequence: UInt64, to out: inout [UInt8]) {
        append(
            .sequence(tag: String(decoding: tag, as: UTF8.self), epoch: start.position.epoch, sequence: sequence),
            to: &out)
    }

    func append(_ response: MUpdateResponse, to out: inout [UInt8]) {
        var buffer = EncodeBuffer(.server)
        buffer.writeMUpdateResponse(response)
        out.append(contentsOf: buffer.bytes)
    }

    func write(_ out: inout [UInt8]) async throws {
        guard !out.isEmpty else { return }
        try await conn.write(deflater.map { try $0.process(out) } ?? out)
        out.removeAll(keepingCapacity: true)
    }
}
