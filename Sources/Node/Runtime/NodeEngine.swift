public import Logging
public import Transport

/// The socket engine of a node: what `engine` in its config asks for, where this kernel
/// allows it.
///
///     engine = "uring"     # the default: the C core on io_uring
///     engine = "nio"       # the pure-Swift engine
///
/// Where io_uring is missing (an old kernel, `kernel.io_uring_disabled`, a seccomp filter),
/// the node says why and runs on the pure-Swift engine. `MURDER_URING_PROBE=fail` in the
/// environment makes the probe fail, to try that fallback.
public enum NodeEngine {
    /// The engine for `kind`; the io_uring engine's loops run until ``shutdown(_:)``.
    public static func make(_ kind: NodeConfig.EngineKind, logger: Logger, environment: [String: String]) -> any Engine {
        guard kind == .uring else { return NIOEngine() }
        let forced = environment["MURDER_URING_PROBE"] == "fail"
        if let why = URingEngine.unavailability(force: forced) {
            logger.notice("io_uring is not available (\(why)); running on the pure-Swift engine (nio)")
            return NIOEngine()
        }
        do {
            let engine = try URingEngine()
            logger.notice("engine uring: \(URingEngine.defaultLoops) io_uring loop(s)")
            return engine
        } catch {
            logger.notice("io_uring loops could not start (\(error)); running on the pure-Swift engine (nio)")
            return NIOEngine()
        }
    }

    /// Stops an io_uring engine's loops; nothing for the pure-Swift one.
    public static func shutdown(_ engine: any Engine) {
        (engine as? URingEngine)?.shutdown()
    }
}
