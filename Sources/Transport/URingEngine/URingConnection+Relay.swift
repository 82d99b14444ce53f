internal import CMurderCore
import Synchronization

/// The relay of ring.c and relay.c for a pair of io_uring connections.
extension URingConnection {
    var canRelay: Bool { placement.withLock { $0.nio == nil && !$0.closed } }

    /// Runs the C relay between this connection (the client) and `backend`; nil when either is
    /// on the NIO engine (TLS). The backend moves to this connection's loop first if needed.
    func relay(with backend: URingConnection, _ request: RelayRequest) async -> RelayOutcome? {
        let me = placement.withLock { $0 }
        guard me.nio == nil, !me.closed else { return nil }
        guard await backend.move(to: me.loop) else { return nil }
        let other = backend.placement.withLock { $0 }
        guard other.nio == nil, !other.closed else { return nil }

        let size = mc_relay_size()
        let storage = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { storage.deallocate() }
        let relay = OpaquePointer(storage)
        var config = mc_relay_config()
        config.verbs = Self.bits(request.verbs)
        config.uid_verbs = Self.bits(request.uidVerbs)
        mc_scan_default_limits(UInt32(MC_SCAN_COMMANDS), &config.client)
        config.client.max_line = UInt32(clamping: max(64, request.maxLineBytes))
        config.client.max_literal = UInt64(max(0, request.maxLiteralBytes))
        mc_scan_default_limits(UInt32(MC_SCAN_RESPONSES), &config.backend)
        guard mc_relay_init(relay, &config) == 0 else { return nil }
        let idle = request.idleTimeout?.clampedNanoseconds ?? -1
        let box = RelayBox(relay)
        let clientSlot = me.slot
        let backendSlot = other.slot
        let clientBytes = request.clientBytes
        let backendBytes = request.backendBytes

        return await withCheckedContinuation { (continuation: CheckedContinuation<RelayOutcome?, Never>) in
            me.loop.submit { loop in
                let token = loop.register { event in
                    var outcome = RelayOutcome(
                        reason: Self.reason(event.result),
                        clientBytes: Self.leftover(loop, box.relay, UInt32(MC_RELAY_FROM_CLIENT)),
                        backendBytes: Self.leftover(loop, box.relay, UInt32(MC_RELAY_FROM_BACKEND))
                    )
                    outcome.clientMidCommand = mc_relay_client_mid_command(box.relay) != 0
                    var stats = mc_relay_stats()
                    mc_relay_stats_get(box.relay, &stats)
                    outcome.copiedToBackend = stats.copied.0
                    outcome.copiedToClient = stats.copied.1
                    outcome.splicedToClient = stats.spliced.1
                    continuation.resume(returning: outcome)
                }
                let rc = clientBytes.withUnsafeBytes { c in
                    backendBytes.withUnsafeBytes { b in
                        mc_loop_relay(
                            loop.pointer, clientSlot, backendSlot, box.relay,
                            c.baseAddress, c.count, b.baseAddress, b.count, idle, token)
                    }
                }
                if rc < 0 {
                    // Not startable now (an operation still in flight on either side): the
                    // session relays itself this time.
                    loop.unregister(token)
                    continuation.resume(returning: nil)
                }
            }
        }
    }

    /// Moves this connection to `loop` (nothing may be in flight); false when it cannot.
    func move(to loop: URingLoop) async -> Bool {
        let now = placement.withLock { $0 }
        if now.nio != nil || now.closed { return false }
        if now.loop === loop { return true }
        let fd = await detach(now)
        guard fd >= 0 else { return false }
        let slot: Int32 = await withCheckedContinuation { continuation in
            loop.submit { new in continuation.resume(returning: mc_loop_attach(new.pointer, fd)) }
        }
        guard slot >= 0 else {
            placement.withLock { $0.closed = true }
            return false
        }
        placement.withLock {
            $0.loop = loop
            $0.slot = slot
        }
        return true
    }

    static func bits(_ words: Set<String>) -> UInt32 {
        words.reduce(0) { bits, word in
            bits | Array(word.utf8).withUnsafeBytes { mc_relay_verb_bit($0.baseAddress, $0.count) }
        }
    }

    static func reason(_ code: Int32) -> RelayOutcome.Reason {
        switch Int(code) {
        case Int(MC_RELAY_INTERCEPT): .intercepted
        case Int(MC_RELAY_CLIENT_EOF): .clientClosed
        case Int(MC_RELAY_BACKEND_EOF): .backendClosed
        case Int(MC_RELAY_BACKEND_BYE): .backendBye
        case Int(MC_RELAY_CLIENT_CLOSE): .clientUnreadable
        case Int(MC_RELAY_BACKEND_INVALID): .backendUnreadable
        case Int(MC_RELAY_TIMEOUT): .timedOut
        case Int(MC_RELAY_SHUTDOWN): .shutdown
        case Int(MC_RELAY_BACKEND_ERROR): .backendFailed
        default: .clientFailed
        }
    }

    /// Loop thread, inside the relay's event: the bytes of `from` it read and did not pass on.
    static func leftover(_ loop: URingLoop, _ relay: OpaquePointer, _ from: UInt32) -> [UInt8] {
        var p1: UnsafeRawPointer?
        var p2: UnsafeRawPointer?
        var n1 = 0
        var n2 = 0
        let total = mc_loop_relay_leftover(loop.pointer, relay, from, &p1, &n1, &p2, &n2)
        guard total > 0 else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        if let p1, n1 > 0 { out.append(contentsOf: UnsafeRawBufferPointer(start: p1, count: n1)) }
        if let p2, n2 > 0 { out.append(contentsOf: UnsafeRawBufferPointer(start: p2, count: n2)) }
        return out
    }
}

/// The relay's C state, handed to the loop thread.
private struct RelayBox: @unchecked Sendable {
    let relay: OpaquePointer
    init(_ relay: OpaquePointer) { self.relay = relay }
}
