import NIOCore

/// A bound NIO server channel; its accept loop runs in a task the engine started.
final class NIOListener: Listener {
    let localPort: Int
    let localAddress: String
    private let serverChannel: any Channel
    private let limiter: ConnectionLimiter

    init(serverChannel: any Channel, limiter: ConnectionLimiter) {
        self.serverChannel = serverChannel
        self.limiter = limiter
        self.localPort = serverChannel.localAddress?.port ?? 0
        self.localAddress = serverChannel.localAddress.map(NIOConnection.text(of:)) ?? "unknown"
    }

    /// Open connections accepted by this listener (refused ones are never counted).
    var openConnections: Int { self.limiter.count() }

    func close() async {
        do {
            try await self.serverChannel.close()
        } catch {
            // Already closed: close is idempotent.
        }
    }
}
