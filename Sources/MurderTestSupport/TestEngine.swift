import Foundation
public import Transport

/// The socket engine that in-process integration tests run on, so that one suite runs on
/// both engines: `MURDER_TEST_ENGINE=uring` selects the io_uring engine (one for the whole
/// test process), anything else the pure-Swift one. `make test` runs those suites once per
/// engine.
///
/// Where io_uring is unavailable the uring run says so on standard error and runs on NIO:
/// it never passes silently as if it had tested the C path.
public enum TestEngine {
    public static let current: any Engine = {
        guard ProcessInfo.processInfo.environment["MURDER_TEST_ENGINE"] == "uring" else { return NIOEngine() }
        if let why = URingEngine.unavailability() {
            FileHandle.standardError.write(Data("SKIP io_uring engine: \(why); these tests run on nio\n".utf8))
            return NIOEngine()
        }
        do {
            return try URingEngine(settings: URingEngine.Settings(loops: 2))
        } catch {
            FileHandle.standardError.write(Data("SKIP io_uring engine: \(error); these tests run on nio\n".utf8))
            return NIOEngine()
        }
    }()

    /// "uring" or "nio": the engine the tests actually run on.
    public static var name: String { current.name }
}
