/// Delays between reconnection attempts: exponential from `initial` to `maximum`, each spread
/// by up to ±`jitter` of itself so that many nodes losing one master do not return in step
/// (SPEC.md §4.2: 1 s → 30 s plus jitter).
public struct MUpdateBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    /// A fraction in 0...1.
    public var jitter: Double

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before attempt `attempt` (0 for the first retry).
    public func delay(attempt: Int) -> Duration {
        var base = initial
        for _ in 0..<min(max(attempt, 0), 32) {
            base = base * 2
            if base >= maximum { break }
        }
        base = min(base, maximum)
        guard jitter > 0 else { return base }
        let factor = 1 + Double.random(in: -jitter...jitter)
        return base * factor
    }
}
