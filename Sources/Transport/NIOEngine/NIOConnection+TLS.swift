import NIOCore
import NIOSSL
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension NIOConnection {
    var isTLS: Bool { self.tlsStarted.load(ordering: .acquiring) }

    func startTLS(_ tls: ServerTLS) async throws {
        try await self.startTLS(timeout: tls.configuration.handshakeTimeout) {
            NIOSSLServerHandler(context: tls.context)
        }
    }

    func startTLS(_ tls: ClientTLS) async throws {
        try await self.startTLS(timeout: tls.handshakeTimeout) {
            try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
        }
    }

    /// Puts the TLS handler at the socket end of the pipeline, hands it whatever the
    /// ``ConnectionHandler`` buffered but nobody read (the peer's first handshake bytes, or
    /// plaintext a client pipelined after STARTTLS, which then fails the handshake), and waits
    /// for the handshake. All of it happens in one event-loop turn, so no byte that arrives
    /// meanwhile can slip past the TLS handler.
    private func startTLS(
        timeout: Duration,
        makeHandler: @escaping @Sendable () throws -> NIOSSLHandler
    ) async throws {
        let action = "TLS handshake with \(self.remoteAddress)"
        let claimed = self.tlsStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        guard claimed.exchanged else {
            throw ConnectionError(.invalidArgument, "\(action): TLS is already active")
        }
        let channel = self.channel
        let handler = self.handler
        let amount = Self.timeAmount(timeout)
        let handshake = channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            let eventLoop = channel.eventLoop
            do {
                guard handler.value.isOpen else {
                    throw ConnectionError(.closed, "\(action): connection closed")
                }
                let tlsHandler = try makeHandler()
                let done = eventLoop.makePromise(of: Void.self)
                let watcher = TLSHandshakeHandler(timeout: amount, action: action, done: done)
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(tlsHandler, position: .first)
                try pipeline.addHandler(watcher, position: .after(tlsHandler))
                let unread = handler.value.takeUnread()
                for buffer in unread { pipeline.fireChannelRead(NIOAny(buffer)) }
                if !unread.isEmpty { pipeline.fireChannelReadComplete() }
                return done.futureResult
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
        do {
            try await handshake.get()
        } catch {
            try? await self.channel.close()
            throw ConnectionHandler.connectionError(error, action: action)
        }
    }

    /// ``writeFile(path:offset:length:)`` under TLS: the bytes must pass through the TLS
    /// handler, which cannot take a `FileRegion`, so they are read in pieces and written with
    /// the usual back-pressure. Blocking `pread` on a local spool file, like NIO's own
    /// `FileRegion` fallback. Closes `descriptor`.
    func writeFileCopying(descriptor: CInt, path: String, offset: Int64, length: Int64) async throws {
        defer { _ = closeFileDescriptor(descriptor) }
        var position = offset
        let end = offset + length
        var chunk = [UInt8](repeating: 0, count: Self.maxWriteSegment)
        while position < end {
            let wanted = Int(min(Int64(chunk.count), end - position))
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(position)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConnectionError(.io(errno: errno), "writeFile: cannot read \(path)")
            }
            guard count > 0 else {
                throw ConnectionError(.invalidArgument, "writeFile \(path): the file shrank while being sent")
            }
            try await self.write(Array(chunk[0..<count]))
            position += Int64(count)
        }
    }
}

/// `close(2)`, named apart from ``NIOConnection/close()``.
private func closeFileDescriptor(_ descriptor: CInt) -> CInt {
    #if canImport(Glibc)
        Glibc.close(descriptor)
    #else
        Darwin.close(descriptor)
    #endif
}
