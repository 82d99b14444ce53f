/// Runs `body` on Swift's global executor, away from the loop the current task prefers, and
/// comes back to that loop afterwards.
///
/// A session task runs on its connection's loop (``Connection/executor``), and so does every
/// other connection of that loop. Work that computes for long without a suspension point (a
/// SEARCH, SORT or THREAD over a large mailbox, reading a large index at SELECT) would hold up
/// their reads and writes; here it holds up nobody's. Two thread hand-offs: for heavy commands
/// only.
public func awayFromLoop<T>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor) {
        try await body()
    }
}
