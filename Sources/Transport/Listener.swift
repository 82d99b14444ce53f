/// A listening socket that hands accepted connections to a handler.
///
/// Closing a listener stops accepting; connections already accepted carry on until their
/// handlers return or they are closed.
public protocol Listener: Sendable {
    /// The bound port (the ephemeral one when listening on port 0).
    var localPort: Int { get }
    /// The bound address, "127.0.0.1:1143" or "[::1]:1143".
    var localAddress: String { get }
    /// Stops accepting; idempotent.
    func close() async
}
