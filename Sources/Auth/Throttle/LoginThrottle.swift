/// Slows down password guessing (SPEC §12): every failed authentication costs the client a
/// fixed delay before the `NO`, and failures are counted per client address.
///
///     C: A1 LOGIN bob wrong
///        (1 s passes: the caller awaits `failed(address:)`)
///     S: A1 NO [AUTHENTICATIONFAILED] authentication failed
///
/// Counts decay: one failure is forgotten per `decayInterval` without new failures. At most
/// `maximumAddresses` addresses are tracked; beyond that the least recently failing one is
/// dropped, so memory stays bounded whatever the number of clients.
public actor LoginThrottle {
    public struct Configuration: Sendable, Hashable {
        /// The delay each failure costs.
        public var delay: Duration
        /// How long it takes to forget one failure.
        public var decayInterval: Duration
        /// The most addresses tracked at once.
        public var maximumAddresses: Int

        public init(
            delay: Duration = .seconds(1), decayInterval: Duration = .seconds(60), maximumAddresses: Int = 10_000
        ) {
            self.delay = delay
            self.decayInterval = decayInterval
            self.maximumAddresses = max(1, maximumAddresses)
        }
    }

    private struct Entry {
        var count: Int
        var updated: Duration
    }

    public let configuration: Configuration
    private var entries: [String: Entry] = [:]
    private let now: @Sendable () -> Duration

    /// - Parameter now: a monotonic time source (tests pass a manual one); defaults to the
    ///   continuous clock.
    public init(configuration: Configuration = Configuration(), now: (@Sendable () -> Duration)? = nil) {
        self.configuration = configuration
        if let now {
            self.now = now
        } else {
            let origin = ContinuousClock.now
            self.now = { ContinuousClock.now - origin }
        }
    }

    /// Records a failure from `address` and waits the configured delay. Returns the address's
    /// failure count, including this one.
    @discardableResult
    public func failed(address: String) async -> Int {
        let count = record(address)
        try? await Task.sleep(for: configuration.delay)
        return count
    }

    /// Forgets `address`'s failures (after a successful login).
    public func succeeded(address: String) {
        entries[address] = nil
    }

    /// The decayed failure count for `address`.
    public func failures(address: String) -> Int {
        guard let entry = entries[address] else { return 0 }
        return decayed(entry, at: now()).count
    }

    /// How many addresses are tracked now.
    public var trackedAddresses: Int { entries.count }

    // MARK: - Internals

    private func record(_ address: String) -> Int {
        let t = now()
        var entry = entries[address].map { decayed($0, at: t) } ?? Entry(count: 0, updated: t)
        entry.count += 1
        entry.updated = t
        if entries[address] == nil, entries.count >= configuration.maximumAddresses { evict(at: t) }
        entries[address] = entry
        return entry.count
    }

    /// Removes fully decayed entries, or else the least recently updated one.
    private func evict(at t: Duration) {
        let before = entries.count
        entries = entries.filter { decayed($0.value, at: t).count > 0 }
        guard entries.count == before, let oldest = entries.min(by: { $0.value.updated < $1.value.updated }) else {
            return
        }
        entries[oldest.key] = nil
    }

    private func decayed(_ entry: Entry, at t: Duration) -> Entry {
        guard configuration.decayInterval > .zero, t > entry.updated else { return entry }
        let steps = Int((t - entry.updated) / configuration.decayInterval)
        guard steps > 0 else { return entry }
        let count = max(0, entry.count - steps)
        return Entry(count: count, updated: entry.updated + configuration.decayInterval * steps)
    }
}
