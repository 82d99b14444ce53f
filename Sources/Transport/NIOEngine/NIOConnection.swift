import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide connection ids, for logs.
private let nextConnectionID = Atomic<UInt64>(1)

/// A ``Connection`` over one NIO channel whose last handler is a ``ConnectionHandler``.
///
/// Each call hops onto the channel's event loop and waits there for the handler's answer, so
/// the session task that owns the connection never touches NIO state directly.
final class NIOConnection: Connection {
    let id: UInt64
    let remoteAddress: String
    let remoteHost: String
    let localAddress: String
    let channel: any Channel
    let handler: NIOLoopBound<ConnectionHandler>
    /// Set once ``startTLS(_:)`` began: a TLS handler is (or was) in the pipeline.
    let tlsStarted = Atomic<Bool>(false)
    /// The channel's event loop as a task executor.
    let executor: (any TaskExecutor)?

    /// Largest piece a write hands to the channel at once; a longer write waits for the socket
    /// between pieces, so it never holds more than this plus the high watermark in NIO buffers.
    static let maxWriteSegment = 256 * 1024

    /// How long ``close()`` waits for queued writes to reach a peer that reads slowly.
    static let closeDrainTimeout: Duration = .seconds(10)

    /// Adds a ``ConnectionHandler`` to `channel`'s pipeline; call on the channel's event loop.
    static func install(on channel: any Channel) throws -> NIOLoopBound<ConnectionHandler> {
        let handler = ConnectionHandler()
        try channel.pipeline.syncOperations.addHandler(handler)
        return NIOLoopBound(handler, eventLoop: channel.eventLoop)
    }

    init(channel: any Channel, handler: NIOLoopBound<ConnectionHandler>) {
        self.id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.channel = channel
        self.handler = handler
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
        self.remoteAddress = channel.remoteAddress.map(Self.text(of:)) ?? "unknown"
        self.remoteHost = channel.remoteAddress.map(Self.host(of:)) ?? "unknown"
        self.localAddress = channel.localAddress.map(Self.text(of:)) ?? "unknown"
    }

    // MARK: - Connection

    func read(timeout: Duration?) async throws -> [UInt8]? {
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        let amount = timeout.map(Self.timeAmount(_:))
        return try await withTaskCancellationHandler {
            try await eventLoop.flatSubmit {
                handler.value.readChunk(timeout: amount, eventLoop: eventLoop)
            }.get()
        } onCancel: {
            eventLoop.execute { handler.value.cancelRead() }
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await self.write(contentsOf: [bytes])
    }

    func write(contentsOf chunks: [[UInt8]]) async throws {
        let total = chunks.reduce(0) { $0 + $1.count }
        guard total > 0 else { return }
        var buffer = self.channel.allocator.buffer(capacity: min(total, Self.maxWriteSegment))
        var remaining = total
        for chunk in chunks {
            var start = chunk.startIndex
            while start < chunk.endIndex {
                let room = Self.maxWriteSegment - buffer.readableBytes
                let end = min(chunk.endIndex, start + room)
                buffer.writeBytes(chunk[start..<end])
                remaining -= end - start
                start = end
                if buffer.readableBytes == Self.maxWriteSegment || remaining == 0 {
                    try await self.enqueue(buffer, flush: remaining == 0)
                    buffer = self.channel.allocator.buffer(capacity: min(remaining, Self.maxWriteSegment))
                }
            }
        }
    }

    private func enqueue(_ buffer: ByteBuffer, flush: Bool) async throws {
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        try await eventLoop.flatSubmit {
            handler.value.enqueue(.byteBuffer(buffer), flush: flush, eventLoop: eventLoop)
        }.get()
    }

    func writeFile(path: String, offset: Int64, length: Int64) async throws {
        try FileRange.check(path: path, offset: offset, length: length)
        guard length > 0 else { return }
        let descriptor = try FileRange.opened(path: path, offset: offset, length: length)
        if self.isTLS {
            return try await self.writeFileCopying(descriptor: descriptor, path: path, offset: offset, length: length)
        }
        let file = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
        defer { try? file.close() }
        let region = FileRegion(fileHandle: file, readerIndex: Int(offset), endIndex: Int(offset + length))
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        try await eventLoop.flatSubmit {
            handler.value.enqueueAndWait(.fileRegion(region), eventLoop: eventLoop)
        }.get()
    }

    func close() async {
        // Writes return once queued, so give queued bytes a bounded chance to reach the peer
        // before closing discards them.
        await self.drain(timeout: Self.closeDrainTimeout)
        do {
            try await self.channel.close()
        } catch {
            // Already closed: close is idempotent.
        }
    }

    func abort() async {
        do {
            try await self.channel.close()
        } catch {
            // Already closed: abort is idempotent.
        }
    }

    /// Waits until queued writes reached the socket, at most `timeout`.
    private func drain(timeout: Duration) async {
        let handler = self.handler
        let eventLoop = self.channel.eventLoop
        let amount = Self.timeAmount(timeout)
        try? await eventLoop.flatSubmit {
            handler.value.drained(timeout: amount, eventLoop: eventLoop)
        }.get()
    }

    /// Sends `bytes`, half-closes, drains what the peer still sends for a short while (so the
    /// close does not reset the connection before the peer reads `bytes`), then closes.
    func refuse(with bytes: [UInt8]) async {
        try? await self.write(bytes)
        await self.drain(timeout: .seconds(2))
        try? await self.channel.close(mode: .output)
        let deadline = ContinuousClock.now + .seconds(2)
        var drained = 0
        while drained < 64 * 1024, ContinuousClock.now < deadline {
            guard let chunk = try? await self.read(timeout: .milliseconds(500)) else { break }
            drained += chunk.count
        }
        await self.close()
    }

    /// For tests: the most bytes this connection ever had queued in NIO's write buffer.
    func peakQueuedOutboundBytes() async throws -> Int {
        let handler = self.handler
        return try await self.channel.eventLoop.submit { handler.value.peakQueuedOutboundBytes }.get()
    }

    // MARK: - Helpers

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.clampedNanoseconds)
    }

    static func host(of address: SocketAddress) -> String {
        address.ipAddress ?? address.pathname ?? "unknown"
    }

    static func text(of address: SocketAddress) -> String {
        switch address {
        case .v4(let v4): "\(address.ipAddress ?? "\(v4)"):\(address.port ?? 0)"
        case .v6: "[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
        case .unixDomainSocket: address.pathname ?? "unix"
        }
    }
}
