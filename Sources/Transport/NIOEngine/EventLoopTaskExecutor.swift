import NIOCore

/// A NIO event loop as a `TaskExecutor`: a task that prefers it runs its jobs on the loop's
/// thread, the thread its connection's reads and writes complete on, so a command needs no
/// hand-over to Swift's cooperative pool and back.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
