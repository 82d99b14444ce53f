import Auth
import Synchronization
import Testing

/// A time source the test moves by hand.
final class ManualTime: Sendable {
    private let value = Mutex<Duration>(.zero)
    var now: Duration { value.withLock { $0 } }
    func advance(_ d: Duration) { value.withLock { $0 += d } }
}

@Suite struct LoginThrottleTests {
    @Test("each failure costs the configured delay")
    func delays() async {
        let throttle = LoginThrottle(configuration: .init(delay: .milliseconds(50)))
        let clock = ContinuousClock()
        let start = clock.now
        await throttle.failed(address: "192.0.2.1")
        await throttle.failed(address: "192.0.2.1")
        #expect(clock.now - start >= .milliseconds(100))
    }

    @Test("failures are counted per address and reset by a success")
    func counts() async {
        let throttle = LoginThrottle(configuration: .init(delay: .zero))
        #expect(await throttle.failed(address: "a") == 1)
        #expect(await throttle.failed(address: "a") == 2)
        #expect(await throttle.failed(address: "b") == 1)
        #expect(await throttle.failures(address: "a") == 2)
        await throttle.succeeded(address: "a")
        #expect(await throttle.failures(address: "a") == 0)
        #expect(await throttle.failures(address: "b") == 1)
    }

    @Test("one failure is forgotten per decay interval")
    func decay() async {
        let time = ManualTime()
        let throttle = LoginThrottle(
            configuration: .init(delay: .zero, decayInterval: .seconds(10)), now: { time.now })
        for _ in 0..<3 { await throttle.failed(address: "a") }
        time.advance(.seconds(9))
        #expect(await throttle.failures(address: "a") == 3)
        time.advance(.seconds(1))
        #expect(await throttle.failures(address: "a") == 2)
        time.advance(.seconds(25))
        #expect(await throttle.failures(address: "a") == 0)
        #expect(await throttle.failed(address: "a") == 1)
    }

    @Test("the number of tracked addresses stays within the bound, dropping the oldest")
    func bounded() async {
        let time = ManualTime()
        let throttle = LoginThrottle(
            configuration: .init(delay: .zero, decayInterval: .seconds(3600), maximumAddresses: 3), now: { time.now })
        for i in 0..<10 {
            await throttle.failed(address: "198.51.100.\(i)")
            time.advance(.seconds(1))
        }
        #expect(await throttle.trackedAddresses == 3)
        #expect(await throttle.failures(address: "198.51.100.9") == 1)
        #expect(await throttle.failures(address: "198.51.100.0") == 0)
    }
}
