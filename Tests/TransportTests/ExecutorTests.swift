import NIOCore
import NIOPosix
import Testing

@testable import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// The loops as task executors: a task that prefers one runs on its thread.
@Suite(.timeLimit(.minutes(1))) struct ExecutorTests {
    @Test("a task that prefers an io_uring loop runs on that loop's thread, across suspensions")
    func uringLoop() async throws {
        guard URingEngine.unavailability() == nil else {
            print("SKIP io_uring: \(URingEngine.unavailability() ?? "")")
            return
        }
        let engine = try URingEngine(settings: URingEngine.Settings(loops: 2))
        defer { engine.shutdown() }
        let loop = engine.loops[1]
        let (before, after, other) = await Task(executorPreference: loop) {
            let before = loop.onLoopThread
            try? await Task.sleep(for: .milliseconds(10))
            await Task.yield()
            let after = loop.onLoopThread
            return (before, after, engine.loops[0].onLoopThread)
        }.value
        #expect(before)
        #expect(after)
        #expect(!other)
        #expect(!loop.onLoopThread)
    }

    @Test("after its loop stopped, a task that prefers it still finishes (on the global executor)")
    func stoppedLoop() async throws {
        guard URingEngine.unavailability() == nil else { return }
        let engine = try URingEngine(settings: URingEngine.Settings(loops: 1))
        let loop = engine.loops[0]
        let gate = AsyncStream<Void>.makeStream()
        let task = Task(executorPreference: loop) {
            for await _ in gate.stream {}
            return loop.onLoopThread
        }
        try await Task.sleep(for: .milliseconds(20))
        engine.shutdown()
        gate.continuation.finish()
        #expect(await task.value == false)
    }

    @Test("a task that prefers a NIO event loop runs in that event loop")
    func eventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let results = await Task(executorPreference: executor) {
            let before = loop.inEventLoop
            try? await Task.sleep(for: .milliseconds(10))
            return (before, loop.inEventLoop)
        }.value
        #expect(results.0)
        #expect(results.1)
        try await group.shutdownGracefully()
    }
}

@Suite(.timeLimit(.minutes(1))) struct AwayFromLoopTests {
    @Test("awayFromLoop runs its body off the preferred io_uring loop, then comes back to it")
    func offAndBack() async throws {
        guard URingEngine.unavailability() == nil else { return }
        let engine = try URingEngine(settings: URingEngine.Settings(loops: 1))
        defer { engine.shutdown() }
        let loop = engine.loops[0]
        let (before, inside, after) = await Task(executorPreference: loop) {
            let before = loop.onLoopThread
            let inside = await awayFromLoop { loop.onLoopThread }
            return (before, inside, loop.onLoopThread)
        }.value
        #expect(before)
        #expect(!inside)
        #expect(after)
    }
}
