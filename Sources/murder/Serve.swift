import ArgumentParser
import Foundation
import Logging
import Node

/// `murder serve -c node.toml`: runs the roles the config enables until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a node (backend, frontend, mupdate master) from its TOML config until SIGTERM or Ctrl-C."
    )

    @Option(name: .shortAndLong, help: "The node's config file (see the README's configuration section).")
    var config: String

    func run() async throws {
        let cfg: NodeConfig
        do {
            cfg = try NodeConfig.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = cfg.log.level
            return handler
        }
        let logger = Logger(label: "murder")
        let runnable: Set<NodeConfig.Role> = [.backend, .frontend, .mupdate]
        if let other = cfg.roles.first(where: { !runnable.contains($0) }) {
            throw ValidationError(
                "roles: \"\(other.rawValue)\" cannot run in this build; the roles that run are \"backend\", \"frontend\" and \"mupdate\"")
        }
        if cfg.roles.contains(.backend), cfg.roles.contains(.frontend) {
            throw ValidationError(
                "roles: a node that is both backend and frontend is the unified topology, which comes later; run them as separate nodes")
        }
        let engine = NodeEngine.make(cfg.engine, logger: logger, environment: ProcessInfo.processInfo.environment)
        var ports: [Int] = []
        // The master first: a backend in the same process registers with it.
        var master: MUpdateNode?
        if cfg.roles.contains(.mupdate) {
            let node = try await MUpdateNode.start(cfg, engine: engine, logger: logger)
            for address in node.boundAddresses { logger.notice("mupdate master \(cfg.servername) listening on \(address)") }
            ports += node.boundPorts
            master = node
        }
        var backend: BackendNode?
        if cfg.roles.contains(.backend) {
            let node = try await BackendNode.start(cfg, engine: engine, logger: logger)
            for address in node.boundAddresses { logger.notice("backend \(cfg.servername) listening on \(address)") }
            ports += node.boundPorts
            backend = node
        }
        var frontend: FrontendNode?
        if cfg.roles.contains(.frontend) {
            let node = try await FrontendNode.start(cfg, engine: engine, logger: logger)
            for address in node.boundAddresses { logger.notice("frontend \(cfg.servername) listening on \(address)") }
            ports += node.boundPorts
            frontend = node
        }
        // Ports chosen by the system (port 0) are printed for scripts and tests: the master's
        // MUPDATE listeners first, then the backend's or the frontend's IMAP ones.
        FileHandle.standardOutput.write(Data("listening \(ports.map(String.init).joined(separator: " "))\n".utf8))
        await Signals.wait(for: [SIGTERM, SIGINT])
        logger.notice("stopping")
        await frontend?.stop()
        await backend?.stop()
        await master?.stop()
        NodeEngine.shutdown(engine)
    }
}

/// Waits for one of the given signals (which stop being fatal while waiting).
enum Signals {
    static func wait(for signals: [Int32]) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "murder.signals")
            let once = OnceFlag()
            var sources: [any DispatchSourceSignal] = []
            for s in signals {
                signal(s, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: s, queue: queue)
                source.setEventHandler {
                    if once.fire() { done.resume() }
                }
                source.resume()
                sources.append(source)
            }
            Signals.keep = sources
        }
    }

    nonisolated(unsafe) static var keep: [any DispatchSourceSignal] = []
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false

    func fire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if fired { return false }
        fired = true
        return true
    }
}
