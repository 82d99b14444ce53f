import IMAPWire
import Logging
import Transport

extension MUpdateServerSession {
    /// Runs one command, after the state rules of SPEC.md §3.3: streaming allows only NOOP and
    /// LOGOUT, authentication comes first, a read-only list refuses writes.
    ///
    ///     C: U1 FIND {8+}\r\nuser.bob          (after UPDATE)
    ///     S: U1 BAD "not legal when streaming"
    func dispatch(_ command: MUpdateCommand) async {
        let tag = command.tag
        if stream != nil, !command.kind.isAllowedWhileStreaming {
            return emit(.bad(tag, MUpdateResponseText.notLegalWhenStreaming))
        }
        if identity == nil, !command.kind.isAllowedBeforeAuthentication {
            return emit(.bad(tag, MUpdateResponseText.pleaseLoginFirst))
        }
        if command.kind.isWrite, server.list.writer == nil {
            return emit(.bad(tag, MUpdateResponseText.readOnlySession))
        }
        switch command.kind {
        case .authenticate(let mechanism, let initial):
            await authenticate(tag, mechanism: mechanism, initialResponse: initial)
        case .startTLS:
            await startTLS(tag)
        case .compress(let algorithm):
            await compress(tag, algorithm)
        case .reserve(let name, let location):
            await write(tag, name) { writer in try await writer.reserve(name, at: location) }
        case .activate(let name, let location, let acl):
            await write(tag, name) { writer in
                try await writer.activate(name, at: location, acl: acl)
            }
        case .deactivate(let name, let location):
            await write(tag, name) { writer in
                try await writer.deactivate(name, at: location)
            }
        case .delete(let name):
            await write(tag, name) { writer in try await writer.delete(name) }
        case .find(let name):
            find(tag, name)
        case .list(let prefix):
            await list(tag, prefix: prefix)
        case .update(let servers):
            await startStream(tag, servers: servers, since: nil)
        case .updateSince(let epoch, let sequence):
            await startStream(tag, servers: [], since: MUpdateStore.Position(epoch: epoch, sequence: sequence))
        case .noop:
            // While streaming, this OK goes into the queue behind every change published so far.
            emit(.ok(tag, MUpdateResponseText.noopDone))
        case .logout:
            emit(.ok(tag, MUpdateResponseText.byeBye))
            if let stream {
                let bytes = out
                out = []
                stream.subscription.finish(with: bytes)
            }
            done = true
        }
    }

    /// `COMPRESS "DEFLATE"` (Cyrus's extension, RFC 4978's rules): from the OK on, each
    /// direction is one raw DEFLATE stream. Once only; bytes pipelined after the command are
    /// refused, as for STARTTLS (they would be read as compressed).
    ///
    ///     C: Z01 COMPRESS "DEFLATE"
    ///     S: Z01 OK DEFLATE active
    func compress(_ tag: String, _ algorithm: String) async {
        guard deflater == nil else { return emit(.bad(tag, MUpdateResponseText.compressAlreadyActive)) }
        guard algorithm.uppercased() == "DEFLATE" else { return emit(.no(tag, Self.compressUnknown)) }
        guard decoder.buffered == 0 else { return emit(.bad(tag, Self.pipelinedAfterCompress)) }
        guard let inflater = DeflateStream(.decompress), let deflater = DeflateStream(.compress) else {
            return emit(.no(tag, Self.serverError))
        }
        emit(.ok(tag, MUpdateResponseText.deflateActive))
        await flush()
        self.inflater = inflater
        self.deflater = deflater
    }

    static let compressUnknown: MUpdateText = "Unknown COMPRESS algorithm"
    static let pipelinedAfterCompress: MUpdateText = "data sent after COMPRESS before its answer"
    static let serverError: MUpdateText = "Server error"

    /// RESERVE, ACTIVATE, DEACTIVATE, DELETE: the outcome's completion once durable.
    func write(
        _ tag: String, _ name: InternalMailboxName,
        _ body: (any MUpdateListWriter) async throws -> MUpdateWriteOutcome
    ) async {
        guard let writer = server.list.writer else { return emit(.bad(tag, MUpdateResponseText.readOnlySession)) }
        guard name.isWellFormed else { return emit(.bad(tag, MUpdateResponseText.badlyFormedArguments)) }
        do {
            emit(try await body(writer).response(tag: tag))
        } catch {
            logger.error("mailbox list write failed", metadata: ["error": "\(error)", "mailbox": "\(name)"])
            emit(.no(tag, Self.serverError))
        }
    }

    /// `FIND name`: the record if there is one, then `OK "Search completed"`.
    ///
    ///     C: X1 FIND {8+}\r\nuser.bob
    ///     S: X1 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t
    ///     S: X1 OK "Search completed"
    func find(_ tag: String, _ name: InternalMailboxName) {
        let snapshot = server.list.snapshot()
        if name.isWellFormed, let entry = snapshot.entry(forKey: MUpdateKey.key(for: name)) {
            snapshot.append(entry, tag: Array(tag.utf8), to: &out)
        }
        emit(.ok(tag, MUpdateResponseText.searchCompleted))
    }

    /// `LIST [prefix]`: every record whose location starts with `prefix`, then
    /// `OK "list complete"`. Written in pieces, so a list of a million records never sits
    /// whole in memory.
    func list(_ tag: String, prefix: String?) async {
        let snapshot = server.list.snapshot()
        let matches = prefix.map { snapshot.locations.matching(prefix: Array($0.utf8)) }
        let tagBytes = Array(tag.utf8)
        var cursor = snapshot.makeCursor()
        while !done, let entry = cursor.next() {
            if let matches, !matches[Int(entry.location)] { continue }
            snapshot.append(entry, tag: tagBytes, to: &out)
            if out.count >= Self.flushThreshold { await flush() }
        }
        emit(.ok(tag, MUpdateResponseText.listComplete))
    }
}
