import Logging
import MUpdate
import Transport

/// A running frontend, as the demo needs it: its IMAP ports, its copy of the mailbox list (to
/// wait for the seeded mailboxes) and how to stop it.
struct DemoFrontend: Sendable {
    var boundPorts: [Int]
    var replica: MUpdateListReplica
    var stop: @Sendable () async -> Void
}

extension DemoMurder {
    /// Starts one frontend (role `frontend`) the way `murder serve` does.
    static func startFrontend(_ config: NodeConfig, engine: any Engine, logger: Logger) async throws -> DemoFrontend {
        let node = try await FrontendNode.start(config, engine: engine, logger: logger)
        return DemoFrontend(boundPorts: node.boundPorts, replica: node.replica, stop: { await node.stop() })
    }
}
