import NIOCore
import NIOSSL
import NIOTLS

/// Sits right after the TLS handler while a handshake runs and reports its end: success on
/// NIOSSL's `handshakeCompleted` event, failure on an error, a close or a timeout (which also
/// closes the channel). It removes itself once the handshake succeeded.
///
/// Every method runs on the channel's event loop.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var done: EventLoopPromise<Void>?
    private var timer: Scheduled<Void>?
    private let timeout: TimeAmount
    private let action: String

    /// `action` names the handshake in errors: "TLS handshake with 127.0.0.1:50123".
    init(timeout: TimeAmount, action: String, done: EventLoopPromise<Void>) {
        self.timeout = timeout
        self.action = action
        self.done = done
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let timeout = self.timeout
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.finish(.failure(ConnectionError(.timedOut, "\(self.action): not complete within \(timeout)")))
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finish(.failure(ConnectionError(.closed, "\(self.action): connection closed")))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            self.finish(.success(()))
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(ConnectionHandler.connectionError(error, action: self.action)))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(ConnectionError(.closed, "\(self.action): the peer closed the connection")))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, ConnectionError>) {
        self.timer?.cancel()
        self.timer = nil
        guard let done = self.done else { return }
        self.done = nil
        done.completeWith(result.mapError { $0 as any Error })
    }
}
