import Testing

/// The parent of every frontend wire suite, run one test at a time: each test starts a whole
/// murder (master, two backends, a frontend) on loopback, and two cores running many at once
/// would make the harness's timeouts fire on a slow machine rather than on a wrong frontend.
@Suite(.serialized) struct FrontendWireTests {}
