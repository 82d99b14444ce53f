import Dispatch
import Synchronization

/// A deadline that runs a closure once, on a dispatch timer source; ``cancel()`` releases the
/// timer at once.
///
/// Sessions arm one of these around every wait that has a deadline (an answer from a backend, a
/// barrier at the master). A `Task` sleeping until the deadline would do the same job, but a
/// sleep cancelled early leaves its wake-up job queued until the original deadline (about
/// 1.6 KB each): with the idle timeout as the deadline, every relayed response held memory for
/// half an hour, about three per idle session and thousands per second under load.
///
///     let timer = OneShotTimer(at: .now + .seconds(30)) { sink.yield(.fired(id)) }
///     defer { timer.cancel() }
public final class OneShotTimer: @unchecked Sendable {
    private static let armedCount = Atomic<Int>(0)

    /// Timers armed and neither fired nor cancelled, in this process.
    public static var armed: Int { armedCount.load(ordering: .relaxed) }

    /// Set once by whichever comes first, firing or cancelling.
    private final class Settled: Sendable {
        let done = Atomic<Bool>(false)
        /// True for the first caller only.
        func settle() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
    }

    private let source: any DispatchSourceTimer
    private let settled = Settled()

    /// Arms a timer that calls `fire` once at `deadline` (at once when it has passed), on a
    /// global queue, unless cancelled first.
    public init(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        Self.armedCount.add(1, ordering: .relaxed)
        let wait = max(.zero, deadline - .now).clampedNanoseconds
        source.setEventHandler { [settled] in
            guard settled.settle() else { return }
            Self.armedCount.subtract(1, ordering: .relaxed)
            fire()
        }
        source.schedule(deadline: .now() + .nanoseconds(Int(clamping: wait)))
        source.activate()
    }

    deinit { cancel() }

    /// Disarms the timer: `fire` will not run (unless it is running already), and the timer's
    /// resources go now. Calling it again, or after the timer fired, does nothing.
    public func cancel() {
        if settled.settle() {
            Self.armedCount.subtract(1, ordering: .relaxed)
        }
        source.setEventHandler(handler: nil)
        source.cancel()
    }
}
