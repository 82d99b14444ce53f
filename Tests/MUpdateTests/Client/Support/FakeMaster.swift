import IMAPWire
import Logging
import Synchronization
import Transport

@testable import MUpdate

/// A small stateful MUPDATE master for client tests: the commands of SPEC.md §3.3 on an
/// in-memory list, UPDATE streaming with X-SEQ, and switches to misbehave. `cyrus` makes it
/// behave like Cyrus 3.6's master (banner with COMPRESS and an unknown line, no X-UPDATE-SINCE,
/// and a DELETE of an unknown name "crashes" it: the connection drops and `crashes` counts).
final class FakeMaster: Sendable {
    enum Change: Sendable {
        case set(MUpdateRecord)
        case delete(InternalMailboxName)
    }

    final class Peer: Sendable {
        let connection: any Connection
        let outbox: AsyncStream<[UInt8]>.Continuation
        let updateTag = Mutex<String?>(nil)
        let wantsSequence = Mutex(false)

        init(connection: any Connection, outbox: AsyncStream<[UInt8]>.Continuation) {
            self.connection = connection
            self.outbox = outbox
        }

        func send(_ responses: [MUpdateResponse]) {
            var buffer = EncodeBuffer(.server)
            for response in responses { buffer.writeMUpdateResponse(response) }
            outbox.yield(buffer.bytes)
        }
    }

    struct State {
        var records: [InternalMailboxName: MUpdateRecord] = [:]
        var log: [(UInt64, Change)] = []
        var sequence: UInt64 = 0
        var commands: [MUpdateCommand] = []
        var peers: [ObjectIdentifier: Peer] = [:]
        var deferred: [Change] = []
        var connections = 0
        var crashes = 0
        var updates: [MUpdateCommand.Kind] = []
    }

    let cyrus: Bool
    let epoch: String
    let state = Mutex(State())
    let listener: Mutex<(any Listener)?> = Mutex(nil)
    /// Changes wait for the next NOOP (Cyrus batches its stream); NOOP flushes them first.
    let deferPushes = Mutex(false)
    /// NOOPs get no answer.
    let ignoreNoops = Mutex(false)
    /// Connections are refused right after the banner with `* BYE`.
    let refusing = Mutex(false)

    init(cyrus: Bool = false, epoch: String = "e1") {
        self.cyrus = cyrus
        self.epoch = epoch
    }

    static func start(cyrus: Bool = false, epoch: String = "e1", port: Int = 0) async throws -> FakeMaster {
        let master = FakeMaster(cyrus: cyrus, epoch: epoch)
        try await master.listen(port: port)
        return master
    }

    func listen(port: Int) async throws {
        let listener = try await NIOEngine().listen(
            host: "127.0.0.1", port: port, limits: ListenerLimits(), logger: Logger(label: "test.fakemaster")
        ) { (connection: any Connection) async in
            await self.serve(connection)
        }
        self.listener.withLock { $0 = listener }
    }

    var port: Int { listener.withLock { $0?.localPort ?? 0 } }
    var commands: [MUpdateCommand] { state.withLock { $0.commands } }
    var commandKinds: [MUpdateCommand.Kind] { commands.map(\.kind) }
    var connections: Int { state.withLock { $0.connections } }
    var crashes: Int { state.withLock { $0.crashes } }
    var updates: [MUpdateCommand.Kind] { state.withLock { $0.updates } }
    var records: [InternalMailboxName: MUpdateRecord] { state.withLock { $0.records } }

    func stop() async {
        let listener = listener.withLock { state in
            defer { state = nil }
            return state
        }
        await listener?.close()
        await dropConnections()
    }

    /// Closes every open connection (the master "restarts" its sessions).
    func dropConnections() async {
        let peers = state.withLock { Array($0.peers.values) }
        for peer in peers {
            peer.outbox.finish()
            await peer.connection.close()
        }
    }

    func clearCommands() { state.withLock { $0.commands = [] } }

    /// Changes the list as another client would, and streams the change.
    func apply(_ change: Change) {
        let deferring = deferPushes.withLock { $0 }
        let peers = state.withLock { state -> [Peer] in
            commit(change, &state)
            if deferring {
                state.deferred.append(change)
                return []
            }
            return Array(state.peers.values)
        }
        push([change], to: peers)
    }

    func set(_ record: MUpdateRecord) { apply(.set(record)) }

    /// Puts records in place without streaming or logging them (the state before a test).
    func seed(_ records: [MUpdateRecord]) {
        state.withLock { state in for record in records { state.records[record.name] = record } }
    }

    private func commit(_ change: Change, _ state: inout State) {
        switch change {
        case .set(let record): state.records[record.name] = record
        case .delete(let name): state.records[name] = nil
        }
        state.sequence += 1
        state.log.append((state.sequence, change))
    }

    private func push(_ changes: [Change], to peers: [Peer]) {
        let sequence = state.withLock { $0.sequence }
        for peer in peers {
            guard let tag = peer.updateTag.withLock({ $0 }) else { continue }
            var lines = changes.map { Self.line($0, tag: tag) }
            if peer.wantsSequence.withLock({ $0 }) { lines.append(.sequence(tag: tag, epoch: epoch, sequence: sequence)) }
            peer.send(lines)
        }
    }

    static func line(_ change: Change, tag: String) -> MUpdateResponse {
        switch change {
        case .set(let record): record.response(tag: tag)
        case .delete(let name): .delete(tag: tag, name: name)
        }
    }

    // MARK: Session

    func serve(_ connection: any Connection) async {
        let (outbox, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let peer = Peer(connection: connection, outbox: continuation)
        state.withLock {
            $0.connections += 1
            $0.peers[ObjectIdentifier(peer)] = peer
        }
        let writer = Task {
            for await bytes in outbox {
                do { try await connection.write(bytes) } catch { break }
            }
        }
        defer {
            state.withLock { _ = $0.peers.removeValue(forKey: ObjectIdentifier(peer)) }
        }
        var banner: [MUpdateResponse] =
            cyrus
            ? [.authMechanisms(["PLAIN", "DIGEST-MD5"]), .untagged("SOMETHING-NEW \"x\""), .compressAvailable(["DEFLATE"]),
                .partialUpdateAvailable]
            : [.authMechanisms(["PLAIN"]), .partialUpdateAvailable, .updateSinceAvailable]
        banner.append(
            .greeting(
                MUpdateGreeting(
                    serverName: "127.0.0.1:\(port)", implementation: cyrus ? "Cyrus IMAP" : "Murder",
                    version: cyrus ? "3.6.1" : "0.1", role: .master)))
        if refusing.withLock({ $0 }) { banner = [.bye("Server Unable")] }
        peer.send(banner)
        var decoder = MUpdateCommandDecoder()
        var authenticated = false
        reading: while true {
            guard let bytes = try? await connection.read(timeout: .seconds(30)) else { break }
            decoder.append(bytes)
            while let event = decoder.next() {
                switch event {
                case .literalRequest:
                    peer.outbox.yield(Array("+ go ahead\r\n".utf8))
                case .bad(let bad):
                    peer.send([MUpdateResponse(answering: bad)])
                case .fatal, .saslResponse:
                    break reading
                case .command(let command):
                    state.withLock { $0.commands.append(command) }
                    if case .authenticate = command.kind {
                        authenticated = true
                        peer.send([.ok(command.tag, MUpdateResponseText.authenticated)])
                        continue
                    }
                    guard authenticated else {
                        peer.send([.bad(command.tag, MUpdateResponseText.pleaseLoginFirst)])
                        continue
                    }
                    guard handle(command, peer) else { break reading }
                }
            }
        }
        continuation.finish()
        await writer.value
        await connection.close()
    }

    /// Answers one command; false to drop the connection.
    func handle(_ command: MUpdateCommand, _ peer: Peer) -> Bool {
        let tag = command.tag
        switch command.kind {
        case .reserve(let name, let location):
            let ok = state.withLock { state -> Bool in
                if let existing = state.records[name] { return existing.location == location }
                commit(.set(MUpdateRecord(name: name, state: .reserved, location: location)), &state)
                return true
            }
            peer.send([ok ? .ok(tag, MUpdateResponseText.done) : .no(tag, MUpdateResponseText.mailboxAlreadyExists)])
        case .activate(let name, let location, let acl):
            apply(.set(MUpdateRecord(name: name, state: .active, location: location, acl: acl)))
            peer.send([.ok(tag, MUpdateResponseText.done)])
        case .deactivate(let name, let location):
            let ok = state.withLock { state -> Bool in
                guard state.records[name]?.state == .active else { return false }
                commit(.set(MUpdateRecord(name: name, state: .reserved, location: location)), &state)
                return true
            }
            peer.send([ok ? .ok(tag, MUpdateResponseText.done) : .no(tag, MUpdateResponseText.mailboxNotCurrentlyActive)])
        case .delete(let name):
            guard records[name] != nil else {
                if cyrus {
                    state.withLock { $0.crashes += 1 }
                    return false
                }
                peer.send([.no(tag, MUpdateResponseText.mailboxDoesNotExist)])
                return true
            }
            apply(.delete(name))
            peer.send([.ok(tag, MUpdateResponseText.done)])
        case .find(let name):
            var lines: [MUpdateResponse] = records[name].map { [$0.response(tag: tag)] } ?? []
            lines.append(.ok(tag, MUpdateResponseText.searchCompleted))
            peer.send(lines)
        case .list(let prefix):
            var lines = sortedRecords()
                .filter { prefix == nil || $0.location.description.hasPrefix(prefix!) }
                .map { $0.response(tag: tag) }
            lines.append(.ok(tag, MUpdateResponseText.listComplete))
            peer.send(lines)
        case .update:
            state.withLock { $0.updates.append(command.kind) }
            peer.updateTag.withLock { $0 = tag }
            peer.send(sortedRecords().map { $0.response(tag: tag) } + [.ok(tag, MUpdateResponseText.streamingStarts)])
        case .updateSince(let epoch, let sequence):
            state.withLock { $0.updates.append(command.kind) }
            peer.updateTag.withLock { $0 = tag }
            peer.wantsSequence.withLock { $0 = true }
            let (backlog, current) = state.withLock { state -> ([Change]?, UInt64) in
                guard epoch == self.epoch, sequence <= state.sequence else { return (nil, state.sequence) }
                return (state.log.filter { $0.0 > sequence }.map(\.1), state.sequence)
            }
            var lines: [MUpdateResponse]
            if let backlog {
                // As the master does: a backlog opens with an X-SEQ repeating the client's position.
                lines = [.sequence(tag: tag, epoch: epoch, sequence: sequence)] + backlog.map { Self.line($0, tag: tag) }
            } else {
                lines = sortedRecords().map { $0.response(tag: tag) }
            }
            lines.append(.sequence(tag: tag, epoch: self.epoch, sequence: current))
            lines.append(.ok(tag, MUpdateResponseText.streamingStarts))
            peer.send(lines)
        case .noop:
            if ignoreNoops.withLock({ $0 }) { return true }
            let deferred = state.withLock { state in
                defer { state.deferred = [] }
                return state.deferred
            }
            if !deferred.isEmpty { push(deferred, to: state.withLock { Array($0.peers.values) }) }
            peer.send([.ok(tag, MUpdateResponseText.noopDone)])
        case .logout:
            peer.send([.ok(tag, MUpdateResponseText.byeBye)])
            return false
        default:
            peer.send([.bad(tag, MUpdateResponseText.unrecognizedCommand)])
        }
        return true
    }

    func sortedRecords() -> [MUpdateRecord] {
        let records = self.records
        return MUpdateOrder.sorted(records.keys).compactMap { records[$0] }
    }
}

extension MUpdateClientConfiguration {
    static func test(port: Int, connectTimeout: Duration = .seconds(30), commandTimeout: Duration = .seconds(30)) -> Self {
        MUpdateClientConfiguration(
            host: "127.0.0.1", port: port, authenticationID: "mupdate", password: "secret",
            connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }
}
