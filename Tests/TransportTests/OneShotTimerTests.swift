import Synchronization
import Testing

@testable import Transport

@Suite struct OneShotTimerTests {
    final class Token: Sendable {}

    final class Counter: Sendable {
        let n = Atomic<Int>(0)
        func add() { n.add(1, ordering: .relaxed) }
        var value: Int { n.load(ordering: .relaxed) }
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        for _ in 0..<Int(seconds * 100) {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("fires once at its deadline, and one already passed fires at once")
    func firesOnce() async throws {
        let fired = Counter()
        let timer = OneShotTimer(at: .now + .milliseconds(20)) { fired.add() }
        #expect(await Self.eventually { fired.value == 1 })
        timer.cancel()
        let late = Counter()
        let past = OneShotTimer(at: .now - .seconds(1)) { late.add() }
        #expect(await Self.eventually { late.value == 1 })
        past.cancel()
        try await Task.sleep(for: .milliseconds(50))
        #expect(fired.value == 1)
        #expect(late.value == 1)
    }

    @Test("cancelled before its deadline: never fires, and what its closure holds is released at once")
    func cancelReleases() async throws {
        let fired = Counter()
        weak var weakToken: Token?
        do {
            let token = Token()
            weakToken = token
            let timer = OneShotTimer(at: .now + .seconds(3600)) {
                _ = token
                fired.add()
            }
            timer.cancel()
            timer.cancel()
        }
        // Released long before the hour: a sleeping Task would hold its wake-up until then.
        #expect(await Self.eventually { weakToken == nil })
        #expect(fired.value == 0)
    }

    @Test("the count of armed timers follows arming, firing and cancelling")
    func armedCount() async throws {
        let before = OneShotTimer.armed
        let timers = (0..<100).map { _ in OneShotTimer(at: .now + .seconds(3600)) {} }
        #expect(OneShotTimer.armed >= before + 100)
        for t in timers { t.cancel() }
        let fired = OneShotTimer(at: .now) {}
        #expect(await Self.eventually { OneShotTimer.armed <= before })
        fired.cancel()
    }
}
