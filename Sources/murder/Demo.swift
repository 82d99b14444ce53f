import ArgumentParser
import Foundation
import Logging
import Node

/// `murder demo`: a whole murder in this process on loopback, seeded, until SIGTERM or Ctrl-C.
///
///     $ murder demo --port-base 10143 --env-file demo.env
///     … summary: addresses, users and passwords, how to connect …
///     ready
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole murder in one process on loopback (master, two backends, frontends), seeded with users.",
        discussion: """
            Ports: frontend P, backend1 P+1, backend2 P+2, mupdate master P+3, second frontend P+4 \
            (P = --port-base, default \(DemoMurder.Ports.defaultBase); 0 picks a free base). Users alice \
            (INBOX on backend1), bob (INBOX and shared/memo on backend2), admin and murder get random \
            passwords, printed, and kept in the data folder for the next run with the same --data-dir.
            """
    )

    @Option(help: "The murder's shape; only \"discrete\" exists in this build.")
    var topology = "discrete"

    @Option(help: "First of the five ports: frontend, then backend1, backend2, master, frontend 2 (0: any free).")
    var portBase = DemoMurder.Ports.defaultBase

    @Option(help: "How many frontends: 1 or 2 (0 runs the master and the backends alone).")
    var frontends = 1

    @Option(help: "Keep the murder's data in this folder across runs (default: a temporary folder, removed at exit).")
    var dataDir: String?

    @Option(help: "Write the addresses, users and passwords here as shell variables once the murder is ready.")
    var envFile: String?

    @Option(help: "Socket engine: \"uring\" (io_uring, falling back to nio where the kernel refuses it) or \"nio\".")
    var engine = "uring"

    @Option(help: "Log level of the nodes (trace, debug, info, notice, warning, error, critical); logs go to stderr.")
    var logLevel = "notice"

    func validate() throws {
        guard DemoMurder.Topology(rawValue: topology) != nil else {
            let known = DemoMurder.Topology.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw ValidationError(
                "--topology \"\(topology)\" does not exist in this build; the topologies that exist: \(known)")
        }
        guard (0...2).contains(frontends) else { throw ValidationError("--frontends must be 1 or 2") }
        guard portBase == 0 || (1...65531).contains(portBase) else {
            throw ValidationError("--port-base must be 1 to 65531 (the demo uses it and the 4 ports after it), or 0")
        }
        guard NodeConfig.EngineKind(rawValue: engine) != nil else {
            throw ValidationError("--engine must be \"uring\" or \"nio\"")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: not a level (trace, debug, info, notice, warning, error, critical)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var options = DemoMurder.Options()
        options.topology = DemoMurder.Topology(rawValue: topology) ?? .discrete
        options.frontends = frontends
        options.dataDirectory = dataDir
        options.logLevel = level
        var base = portBase
        if base == 0 {
            guard let free = DemoMurder.Ports.freeBase() else {
                throw ValidationError("found no five free ports in a row; give --port-base")
            }
            base = free
        }
        options.ports = DemoMurder.Ports(base: base)
        // Signals are caught from here on, so Ctrl-C during the start-up still stops cleanly.
        let stopRequested = Task { await Signals.wait(for: [SIGTERM, SIGINT]) }
        let logger = Logger(label: "murder.demo")
        let socketEngine = NodeEngine.make(
            NodeConfig.EngineKind(rawValue: engine) ?? .uring, logger: logger,
            environment: ProcessInfo.processInfo.environment)
        let demo: DemoMurder
        do {
            demo = try await DemoMurder.start(options, engine: socketEngine, logger: logger)
        } catch let error as DemoMurderError {
            stopRequested.cancel()
            Self.fail(error.message)
        }
        if let envFile {
            do {
                try demo.writeEnvironmentFile(to: envFile)
            } catch {
                await demo.stop()
                Self.fail("\(error)")
            }
        }
        // Unbuffered, so that a script reading the pipe sees `ready` at once.
        FileHandle.standardOutput.write(Data((demo.facts.summary + "\nready\n").utf8))
        await stopRequested.value
        Logger(label: "murder.demo").notice("stopping")
        await demo.stop()
        NodeEngine.shutdown(socketEngine)
        if let envFile { try? FileManager.default.removeItem(atPath: envFile) }
    }

    /// A start-up failure: one line on standard error, exit status 1 (no usage text: the
    /// arguments were fine).
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("murder demo: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
