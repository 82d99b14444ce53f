internal import CMurderCore
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A ``Connection`` on an io_uring loop: a socket in one of ring.c's connection slots.
///
/// Every call queues its operation on the connection's loop and waits for the event. TLS is
/// not on this path yet: ``startTLS(_:)`` takes the socket out of the ring and hands it to
/// the pure-Swift engine, which serves the connection from then on (kernel TLS would keep it
/// here; DESIGN.md records that this kernel has none).
final class URingConnection: Connection, @unchecked Sendable {
    let id: UInt64
    let remoteAddress: String
    let remoteHost: String
    let localAddress: String
    let engine: URingEngine

    /// Where the socket is: a loop and a slot of it, or (after TLS started) a NIO connection.
    struct Placement {
        var loop: URingLoop
        var slot: Int32
        var closed = false
        var nio: NIOConnection?
    }

    let placement: Mutex<Placement>
    private let readIDs = Atomic<UInt64>(0)

    // Loop thread only.
    private var cancelledRead: UInt64 = 0
    private var currentRead: UInt64 = 0
    private var readPending = false

    init(engine: URingEngine, loop: URingLoop, slot: Int32, descriptor: CInt) {
        self.id = nextURingConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.engine = engine
        self.placement = Mutex(Placement(loop: loop, slot: slot))
        self.remoteAddress = SocketAddresses.peer(of: descriptor) ?? "unknown"
        self.remoteHost = SocketAddresses.host(of: remoteAddress)
        self.localAddress = SocketAddresses.local(of: descriptor) ?? "unknown"
    }

    private var current: Placement { placement.withLock { $0 } }

    var isTLS: Bool { current.nio?.isTLS ?? false }

    var executor: (any TaskExecutor)? {
        let where_ = current
        return where_.nio?.executor ?? where_.loop
    }

    // MARK: Reads

    func read(timeout: Duration?) async throws -> [UInt8]? {
        let where_ = current
        if let nio = where_.nio { return try await nio.read(timeout: timeout) }
        // As on NIO: a closed connection reads as end of stream.
        guard !where_.closed else { return nil }
        let readID = readIDs.wrappingAdd(1, ordering: .relaxed).newValue
        let loop = where_.loop
        let nanoseconds = timeout?.clampedNanoseconds ?? -1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                loop.submit { loop in
                    self.startRead(readID, loop, nanoseconds, continuation)
                }
            }
        } onCancel: {
            loop.submit { loop in self.cancelRead(readID, loop) }
        }
    }

    /// Loop thread: posts the receive of read `readID` unless it was cancelled already.
    private func startRead(
        _ readID: UInt64,
        _ loop: URingLoop,
        _ nanoseconds: Int64,
        _ continuation: CheckedContinuation<[UInt8]?, any Error>
    ) {
        let where_ = current
        guard !where_.closed, where_.loop === loop else {
            return continuation.resume(throwing: ConnectionError(.closed, "read from \(remoteAddress)"))
        }
        guard cancelledRead < readID else { return continuation.resume(throwing: CancellationError()) }
        guard !readPending else {
            return continuation.resume(throwing: ConnectionError(.invalidArgument, "read from \(remoteAddress): a read is already pending"))
        }
        let action = "read from \(remoteAddress)"
        let token = loop.register { [self] event in
            readPending = false
            if event.result > 0 {
                continuation.resume(returning: Array(event.data))
            } else if event.result == 0 {
                continuation.resume(returning: nil)
            } else if event.result == -ETIME {
                continuation.resume(throwing: ConnectionError(.timedOut, action))
            } else if event.result == -ECANCELED {
                if current.closed {
                    continuation.resume(throwing: ConnectionError(.closed, action))
                } else {
                    continuation.resume(throwing: CancellationError())
                }
            } else {
                continuation.resume(throwing: URingEngine.error(-event.result, action))
            }
        }
        let rc = mc_loop_recv(loop.pointer, where_.slot, nanoseconds, token)
        guard rc >= 0 else {
            loop.unregister(token)
            return continuation.resume(throwing: URingEngine.error(-rc, action))
        }
        readPending = true
        currentRead = readID
    }

    /// Loop thread: ends read `readID` early (its event still comes, with data if it had any).
    private func cancelRead(_ readID: UInt64, _ loop: URingLoop) {
        cancelledRead = max(cancelledRead, readID)
        let where_ = current
        guard readPending, currentRead == readID, where_.loop === loop, !where_.closed else { return }
        _ = mc_loop_recv_cancel(loop.pointer, where_.slot)
    }

    // MARK: Writes

    func write(_ bytes: [UInt8]) async throws {
        try await write(contentsOf: [bytes])
    }

    func write(contentsOf chunks: [[UInt8]]) async throws {
        let where_ = current
        if let nio = where_.nio { return try await nio.write(contentsOf: chunks) }
        let total = chunks.reduce(0) { $0 + $1.count }
        guard total > 0 else { return }
        guard !where_.closed else { throw ConnectionError(.closed, "write to \(remoteAddress)") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 16)
        var at = 0
        for chunk in chunks {
            chunk.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + $0.count)]).copyMemory(from: $0) }
            at += chunk.count
        }
        let send = SendBuffer(buffer)
        defer { send.buffer.deallocate() }
        try await operation("write to \(remoteAddress)") { loop, slot, token in
            mc_loop_send(loop.pointer, slot, send.buffer.baseAddress, total, token)
        }
    }

    func writeFile(path: String, offset: Int64, length: Int64) async throws {
        if let nio = current.nio { return try await nio.writeFile(path: path, offset: offset, length: length) }
        try FileRange.check(path: path, offset: offset, length: length)
        guard length > 0 else { return }
        let descriptor = try FileRange.opened(path: path, offset: offset, length: length)
        defer { _ = Glibc.close(descriptor) }
        try await operation("writeFile \(path) to \(remoteAddress)") { loop, slot, token in
            mc_loop_sendfile(loop.pointer, slot, descriptor, UInt64(offset), UInt64(length), token)
        }
    }

    /// Runs one operation that ends in one event with 0 or -errno.
    private func operation(
        _ action: String,
        _ start: @escaping @Sendable (URingLoop, Int32, UInt64) -> Int32
    ) async throws {
        let where_ = current
        let loop = where_.loop
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            loop.submit { loop in
                let now = self.current
                guard !now.closed, now.loop === loop else {
                    return continuation.resume(throwing: ConnectionError(.closed, action))
                }
                let token = loop.register { event in
                    if event.result >= 0 {
                        continuation.resume()
                    } else if event.result == -ECANCELED || event.result == -EPIPE || event.result == -ECONNRESET {
                        continuation.resume(throwing: ConnectionError(.closed, action))
                    } else {
                        continuation.resume(throwing: URingEngine.error(-event.result, action))
                    }
                }
                let rc = start(loop, now.slot, token)
                if rc < 0 {
                    loop.unregister(token)
                    continuation.resume(throwing: URingEngine.error(-rc, action))
                }
            }
        }
    }

    // MARK: Closing

    func close() async {
        if let nio = current.nio { return await nio.close() }
        let wasOpen = placement.withLock { p -> Bool in
            defer { p.closed = true }
            return !p.closed
        }
        guard wasOpen else { return }
        let where_ = current
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            where_.loop.submit { loop in
                let token = loop.register { _ in continuation.resume() }
                if mc_loop_close(loop.pointer, where_.slot, token) < 0 {
                    loop.unregister(token)
                    continuation.resume()
                }
            }
        }
    }

    func abort() async {
        if let nio = current.nio { return await nio.abort() }
        await close()
    }

    /// Sends `bytes` and closes: a refused connection.
    func refuse(with bytes: [UInt8]) async {
        try? await write(bytes)
        await close()
    }

    // MARK: TLS: over to the pure-Swift engine

    func startTLS(_ tls: ServerTLS) async throws {
        try await handOverToNIO().startTLS(tls)
    }

    func startTLS(_ tls: ClientTLS) async throws {
        try await handOverToNIO().startTLS(tls)
    }

    /// Takes the socket out of the ring and wraps it in a NIO channel with a
    /// ``ConnectionHandler``; every later call goes there.
    private func handOverToNIO() async throws -> NIOConnection {
        if let nio = current.nio { return nio }
        let action = "TLS on \(remoteAddress)"
        let where_ = current
        guard !where_.closed else { throw ConnectionError(.closed, action) }
        let fd = await detach(where_)
        guard fd >= 0 else { throw URingEngine.error(-fd, "\(action): detach") }
        let descriptor = fd
        do {
            let nio = try await engine.nio.adopt(descriptor: descriptor)
            placement.withLock { $0.nio = nio }
            return nio
        } catch {
            _ = Glibc.close(descriptor)
            placement.withLock { $0.closed = true }
            throw ConnectionHandler.connectionError(error, action: action)
        }
    }
}

extension URingConnection {
    /// Takes the socket out of its slot (for TLS, or a move to another loop): the fd, or
    /// -errno. A read that was just cancelled may still be in flight for a moment (its event
    /// has not come back yet): ring.c then says EBUSY, and this waits for it, briefly.
    func detach(_ where_: Placement) async -> Int32 {
        for _ in 0..<200 {
            let fd: Int32 = await withCheckedContinuation { continuation in
                where_.loop.submit { loop in continuation.resume(returning: mc_loop_detach(loop.pointer, where_.slot)) }
            }
            guard fd == -EBUSY else { return fd }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return -EBUSY
    }
}

/// A buffer handed to a send: owned by the waiting write, freed after its event.
private struct SendBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }
}

/// Process-wide ids of io_uring connections, for logs (apart from NIO's: the high bit set).
private let nextURingConnectionID = Atomic<UInt64>(1 << 40)
