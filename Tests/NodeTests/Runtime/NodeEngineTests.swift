import Logging
import Synchronization
import Testing
import Transport

@testable import Node

/// `engine = "uring" | "nio"`: the engine a node gets, and the logged fallback.
@Suite struct NodeEngineTests {
    /// Keeps the messages logged through it.
    final class Capture: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLock { $0.append("\(event.level) \(event.message)") }
        }
    }

    static func logger() -> (Logger, Capture) {
        let capture = Capture()
        return (Logger(label: "murder.test") { _ in capture }, capture)
    }

    @Test("a probe that reports no io_uring leaves the node on nio, with the reason at notice level")
    func forcedFallback() {
        let (logger, capture) = Self.logger()
        let engine = NodeEngine.make(.uring, logger: logger, environment: ["MURDER_URING_PROBE": "fail"])
        #expect(engine.name == "nio")
        #expect(capture.lines.withLock { $0 } == [
            "notice io_uring is not available (forced off); running on the pure-Swift engine (nio)"
        ])
    }

    @Test("engine = \"nio\" is NIO without probing")
    func nio() {
        let (logger, capture) = Self.logger()
        #expect(NodeEngine.make(.nio, logger: logger, environment: [:]).name == "nio")
        #expect(capture.lines.withLock { $0 }.isEmpty)
    }

    @Test("engine = \"uring\" runs on io_uring where the probe passes")
    func uring() {
        let (logger, capture) = Self.logger()
        let engine = NodeEngine.make(.uring, logger: logger, environment: [:])
        defer { NodeEngine.shutdown(engine) }
        if let why = URingEngine.unavailability() {
            print("SKIP io_uring: \(why)")
            #expect(engine.name == "nio")
            return
        }
        #expect(engine.name == "uring")
        #expect(capture.lines.withLock { $0 }.first?.hasPrefix("notice engine uring: ") == true)
    }
}
