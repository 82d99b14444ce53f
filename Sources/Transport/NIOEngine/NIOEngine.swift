public import Logging
import NIOCore
public import NIOPosix

/// The pure-Swift engine on SwiftNIO: portable, the reference for differential tests and the
/// baseline every benchmark compares against.
///
/// Sockets get `TCP_NODELAY`, remote half-closure (a client's EOF still lets the server send its
/// last response) and write-buffer watermarks of 64/256 KiB, so a peer that stops reading makes
/// writers wait instead of growing buffers.
public final class NIOEngine: Engine {
    public let name = "nio"
    public let eventLoopGroup: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool

    /// Low and high write-buffer watermarks for every connection.
    static let writeWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 64 * 1024, high: 256 * 1024)
    /// Socket reads grow with the traffic up to 256 KiB (DESIGN.md: 256 KiB buffers cost less
    /// CPU per byte than 64 KiB for bulk copies); an idle connection keeps no buffer.
    static let recvAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 * 1024)

    /// An engine on `eventLoopGroup` (the process-wide singleton by default), which it never
    /// shuts down.
    public init(eventLoopGroup: MultiThreadedEventLoopGroup = .singleton) {
        self.eventLoopGroup = eventLoopGroup
        self.ownsGroup = false
    }

    /// An engine on its own group of `numberOfThreads` loops; call ``shutdown()`` when done.
    public init(numberOfThreads: Int) {
        self.eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, numberOfThreads))
        self.ownsGroup = true
    }

    /// Shuts down the event loop group if this engine created it.
    public func shutdown() async throws {
        if self.ownsGroup {
            try await self.eventLoopGroup.shutdownGracefully()
        }
    }

    public func listen(
        host: String,
        port: Int,
        limits: ListenerLimits,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async throws -> any Listener {
        let server: NIOAsyncChannel<NIOConnection, Never>
        do {
            server = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
                .childChannelOption(.recvAllocator, value: Self.recvAllocator)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        NIOConnection(channel: channel, handler: try NIOConnection.install(on: channel))
                    }
                }
        } catch {
            throw ConnectionHandler.connectionError(error, action: "listen on \(host):\(port)")
        }
        let limiter = ConnectionLimiter(limits: limits)
        let listener = NIOListener(serverChannel: server.channel, limiter: limiter)
        var logger = logger
        logger[metadataKey: "listener"] = "\(listener.localAddress)"
        logger.info("listening")
        Task { [logger] in
            await Self.acceptLoop(server: server, limiter: limiter, logger: logger, handler: handler)
        }
        return listener
    }

    /// Accepts until the server channel closes; each connection runs in a child task and is
    /// closed when its handler returns. Returns when every connection has finished.
    private static func acceptLoop(
        server: NIOAsyncChannel<NIOConnection, Never>,
        limiter: ConnectionLimiter,
        logger: Logger,
        handler: @escaping @Sendable (any Connection) async -> Void
    ) async {
        await withDiscardingTaskGroup { group in
            do {
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        let host = connection.remoteHost
                        guard limiter.admit(host: host) else {
                            logger.notice(
                                "connection refused: over limit",
                                metadata: ["peer": "\(connection.remoteAddress)"]
                            )
                            group.addTask { await connection.refuse(with: limiter.limits.refusal) }
                            continue
                        }
                        connection.channel.closeFuture.whenComplete { _ in limiter.release(host: host) }
                        group.addTask(executorPreference: connection.executor) {
                            await handler(connection)
                            await connection.close()
                        }
                    }
                }
            } catch {
                logger.error("accept loop ended", metadata: ["error": "\(error)"])
            }
        }
        logger.info("listener closed")
    }

    public func connect(host: String, port: Int, timeout: Duration) async throws -> any Connection {
        let bootstrap = ClientBootstrap(group: self.eventLoopGroup)
            .connectTimeout(NIOConnection.timeAmount(timeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
            .channelOption(.recvAllocator, value: Self.recvAllocator)
        do {
            let (channel, handler) = try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { (channel, try NIOConnection.install(on: channel)) }
            }
            return NIOConnection(channel: channel, handler: handler)
        } catch {
            throw Self.connectError(error, host: host, port: port)
        }
    }

    /// Takes over a connected socket (the io_uring engine hands over a connection that starts
    /// TLS): the same options and handler as a connection of this engine's own.
    func adopt(descriptor: CInt) async throws -> NIOConnection {
        let bootstrap = ClientBootstrap(group: self.eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.writeBufferWaterMark, value: Self.writeWaterMark)
            .channelOption(.recvAllocator, value: Self.recvAllocator)
        let (channel, handler) = try await bootstrap.withConnectedSocket(descriptor) { channel in
            channel.eventLoop.makeCompletedFuture { (channel, try NIOConnection.install(on: channel)) }
        }
        return NIOConnection(channel: channel, handler: handler)
    }

    /// Maps NIO's connect failures to ``ConnectionError`` codes.
    static func connectError(_ error: any Error, host: String, port: Int) -> ConnectionError {
        let action = "connect to \(host):\(port)"
        var causes: [any Error] = [error]
        if let multiple = error as? NIOConnectionError {
            causes += multiple.connectionErrors.map(\.error)
            if let dns = multiple.dnsAAAAError { causes.append(dns) }
            if let dns = multiple.dnsAError { causes.append(dns) }
        }
        for cause in causes {
            if let io = cause as? IOError, io.errnoCode == ECONNREFUSED {
                return ConnectionError(.refused, action, cause: io)
            }
            if let channel = cause as? ChannelError, case .connectTimeout = channel {
                return ConnectionError(.timedOut, action, cause: channel)
            }
        }
        return ConnectionHandler.connectionError(error, action: action)
    }
}
