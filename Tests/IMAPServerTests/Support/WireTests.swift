import Testing

/// The parent of every wire suite, run one test at a time.
///
/// A session does its disk work (SQLite commits, fsync) and libsasl2 calls synchronously in its
/// task, as it does in the server. With every test of the target in parallel, a hundred such
/// sessions on a two-core machine starve the cooperative thread pool and the harness's
/// timeouts fire on a slow machine rather than on a wrong server; one at a time, the whole
/// target still runs in seconds.
@Suite(.serialized) struct WireTests {}
