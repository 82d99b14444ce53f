import NIOCore
import NIOSSL

/// The last handler of every NIO connection's pipeline: it buffers what the peer sends until
/// ``NIOConnection/read(timeout:)`` asks for it, and tells writers when the socket drains.
///
/// Both directions are bounded. Inbound, it stops asking the socket for more once
/// ``maxBufferedInbound`` bytes wait unread, and asks again when a read drains them (the
/// `read()`-holding pattern of a glue handler). Outbound, a write returns while the channel is
/// writable and otherwise waits for `channelWritabilityChanged` (the channel's write-buffer
/// watermarks decide).
///
/// Every method runs on the channel's event loop.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The most bytes one read returns.
    static let maxReadChunk = 256 * 1024
    /// Unread bytes at which the handler stops reading the socket.
    static let maxBufferedInbound = 1024 * 1024

    private var context: ChannelHandlerContext?
    private var inbound = CircularBuffer<ByteBuffer>()
    private var inboundBytes = 0
    private var inputClosed = false
    private var outputClosed = false
    private var failure: (any Error)?
    private var pendingRead: EventLoopPromise<[UInt8]?>?
    private var pendingReadTimeout: Scheduled<Void>?
    private var readHeld = false
    private var writabilityWaiters: [EventLoopPromise<Void>] = []
    private var drainWaiters: [Int: EventLoopPromise<Void>] = [:]
    private var nextDrainWaiter = 0

    /// Bytes handed to the channel and not yet written to the socket.
    private(set) var queuedOutboundBytes = 0
    /// The most bytes ever queued at once: a bound the back-pressure tests check.
    private(set) var peakQueuedOutboundBytes = 0

    // MARK: - Pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.endOfStream(error: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        guard buffer.readableBytes > 0 else { return }
        self.inboundBytes += buffer.readableBytes
        self.inbound.append(buffer)
        if let promise = self.pendingRead {
            self.clearPendingRead()
            promise.succeed(self.take())
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.inputClosed = true
            self.deliverEndIfWaiting()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.endOfStream(error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.endOfStream(error: error)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = self.writabilityWaiters
            self.writabilityWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if self.inboundBytes >= Self.maxBufferedInbound {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    // MARK: - Reading

    /// The next chunk, nil at end of stream, or a failure.
    func readChunk(timeout: TimeAmount?, eventLoop: any EventLoop) -> EventLoopFuture<[UInt8]?> {
        if self.pendingRead != nil {
            return eventLoop.makeFailedFuture(
                ConnectionError(.invalidArgument, "read while another read is pending")
            )
        }
        if self.inboundBytes > 0 {
            return eventLoop.makeSucceededFuture(self.take())
        }
        if let failure = self.failure {
            return eventLoop.makeFailedFuture(Self.connectionError(failure, action: "read"))
        }
        if self.inputClosed {
            return eventLoop.makeSucceededFuture(nil)
        }
        let promise = eventLoop.makePromise(of: [UInt8]?.self)
        self.pendingRead = promise
        if let timeout {
            self.pendingReadTimeout = eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                guard let promise = self.pendingRead else { return }
                self.pendingRead = nil
                self.pendingReadTimeout = nil
                promise.fail(ConnectionError(.timedOut, "read: nothing arrived within \(timeout)"))
            }
        }
        return promise.futureResult
    }

    /// Whether writes can still go out: not closed, not failed.
    var isOpen: Bool { self.context != nil && !self.outputClosed && self.failure == nil }

    /// Removes every buffered unread byte (for ``NIOConnection/startTLS(_:)``, which hands them
    /// to the TLS handler) and resumes socket reads that were held.
    func takeUnread() -> [ByteBuffer] {
        let buffers = Array(self.inbound)
        self.inbound.removeAll()
        self.inboundBytes = 0
        if self.readHeld, let context = self.context {
            self.readHeld = false
            context.read()
        }
        return buffers
    }

    /// Fails a pending read because its task was cancelled.
    func cancelRead() {
        guard let promise = self.pendingRead else { return }
        self.clearPendingRead()
        promise.fail(CancellationError())
    }

    private func clearPendingRead() {
        self.pendingRead = nil
        self.pendingReadTimeout?.cancel()
        self.pendingReadTimeout = nil
    }

    /// Removes up to ``maxReadChunk`` buffered bytes and resumes socket reads that were held.
    private func take() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(self.inboundBytes, Self.maxReadChunk))
        while bytes.count < Self.maxReadChunk, var first = self.inbound.first {
            let wanted = min(first.readableBytes, Self.maxReadChunk - bytes.count)
            bytes.append(contentsOf: first.readableBytesView.prefix(wanted))
            first.moveReaderIndex(forwardBy: wanted)
            if first.readableBytes == 0 {
                self.inbound.removeFirst()
            } else {
                self.inbound[self.inbound.startIndex] = first
            }
        }
        self.inboundBytes -= bytes.count
        if self.readHeld, self.inboundBytes < Self.maxBufferedInbound, let context = self.context {
            self.readHeld = false
            context.read()
        }
        return bytes
    }

    private func endOfStream(error: (any Error)?) {
        self.inputClosed = true
        self.outputClosed = true
        if let error, self.failure == nil, !Self.isBenign(error) {
            self.failure = error
        }
        self.deliverEndIfWaiting()
        let waiters = self.writabilityWaiters
        self.writabilityWaiters.removeAll()
        for waiter in waiters {
            waiter.fail(ConnectionError(.closed, "write: connection closed"))
        }
        self.wakeDrainWaiters()
    }

    private func deliverEndIfWaiting() {
        guard let promise = self.pendingRead, self.inboundBytes == 0 else { return }
        self.clearPendingRead()
        if let failure = self.failure {
            promise.fail(Self.connectionError(failure, action: "read"))
        } else {
            promise.succeed(nil)
        }
    }

    // MARK: - Writing

    /// Hands `data` to the channel; the future completes at once while the channel is
    /// writable, otherwise when it becomes writable again.
    func enqueue(_ data: IOData, flush: Bool, eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        self.enqueue(data, flush: flush, eventLoop: eventLoop, completion: nil)
    }

    /// Hands `data` to the channel; the future completes when the socket has taken all of it.
    func enqueueAndWait(_ data: IOData, eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let done = eventLoop.makePromise(of: Void.self)
        _ = self.enqueue(data, flush: true, eventLoop: eventLoop, completion: done)
        return done.futureResult
    }

    private func enqueue(
        _ data: IOData,
        flush: Bool,
        eventLoop: any EventLoop,
        completion: EventLoopPromise<Void>?
    ) -> EventLoopFuture<Void> {
        let failed: ConnectionError? =
            if let failure = self.failure {
                Self.connectionError(failure, action: "write")
            } else if self.outputClosed || self.context == nil {
                ConnectionError(.closed, "write: connection closed")
            } else {
                nil
            }
        guard let context = self.context, failed == nil else {
            let error = failed ?? ConnectionError(.closed, "write: connection closed")
            completion?.fail(error)
            return eventLoop.makeFailedFuture(error)
        }
        let size = data.readableBytes
        self.queuedOutboundBytes += size
        self.peakQueuedOutboundBytes = max(self.peakQueuedOutboundBytes, self.queuedOutboundBytes)
        let promise = eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            self.queuedOutboundBytes -= size
            if self.queuedOutboundBytes == 0 { self.wakeDrainWaiters() }
            if case .failure(let error) = result, self.failure == nil, !Self.isBenign(error) {
                self.failure = error
            }
            switch result {
            case .success: completion?.succeed()
            case .failure(let error): completion?.fail(Self.connectionError(error, action: "write"))
            }
        }
        context.write(Self.wrapOutboundOut(data), promise: promise)
        let writable = context.channel.isWritable
        if flush || !writable {
            context.flush()
        }
        if context.channel.isWritable {
            return eventLoop.makeSucceededVoidFuture()
        }
        let waiter = eventLoop.makePromise(of: Void.self)
        self.writabilityWaiters.append(waiter)
        return waiter.futureResult
    }

    /// Completes once every queued write has reached the socket (or failed), or after
    /// `timeout`, whichever comes first: what a graceful close waits for.
    func drained(timeout: TimeAmount, eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard self.queuedOutboundBytes > 0, self.context != nil, !self.outputClosed else {
            return eventLoop.makeSucceededVoidFuture()
        }
        let promise = eventLoop.makePromise(of: Void.self)
        let waiter = self.nextDrainWaiter
        self.nextDrainWaiter += 1
        self.drainWaiters[waiter] = promise
        eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.drainWaiters.removeValue(forKey: waiter)?.succeed()
        }
        return promise.futureResult
    }

    private func wakeDrainWaiters() {
        let waiters = self.drainWaiters
        self.drainWaiters.removeAll()
        for waiter in waiters.values { waiter.succeed() }
    }

    // MARK: - Errors

    /// Errors that only mean "the peer went away". A TLS peer closing without close_notify
    /// counts: IMAP frames its own data, so a truncation cannot pass for a complete response.
    private static func isBenign(_ error: any Error) -> Bool {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return true }
        if let error = error as? ChannelError {
            return error == .ioOnClosedChannel || error == .alreadyClosed || error == .eof
                || error == .outputClosed
        }
        return false
    }

    static func connectionError(_ error: any Error, action: String) -> ConnectionError {
        if let error = error as? ConnectionError { return error }
        if let error = error as? IOError {
            return ConnectionError(.io(errno: error.errnoCode), "\(action): \(error)", cause: error)
        }
        if let error = error as? ChannelError {
            switch error {
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return ConnectionError(.closed, "\(action): connection closed", cause: error)
            default:
                return ConnectionError(.io(errno: nil), "\(action): \(error)", cause: error)
            }
        }
        return ConnectionError(.io(errno: nil), "\(action): \(error)")
    }
}
