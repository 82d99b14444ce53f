/// What a backend's reconciliation with the master did, or (a dry run, for
/// `murder admin check`) would do (SPEC.md §4.1).
///
///     activated   local mailboxes missing at the master or different there (ACL, state, location)
///     deleted     master records of this server with no local mailbox
///     conflicts   local mailboxes the master records on another server: never touched
public struct MUpdateReconciliationReport: Sendable, Hashable, CustomStringConvertible {
    /// A local mailbox whose name the master gives to another server.
    public struct Conflict: Sendable, Hashable, CustomStringConvertible {
        public var name: InternalMailboxName
        /// The master's record (its location names the other server).
        public var master: MUpdateRecord

        public init(name: InternalMailboxName, master: MUpdateRecord) {
            self.name = name
            self.master = master
        }

        public var description: String { "\(name) is local, but the master has it at \(master.location)" }
    }

    /// An ACTIVATE or DELETE the master refused.
    public struct Failure: Sendable, Hashable {
        public var name: InternalMailboxName
        public var message: String
    }

    public var activated: [InternalMailboxName] = []
    public var deleted: [InternalMailboxName] = []
    public var conflicts: [Conflict] = []
    public var failures: [Failure] = []
    /// True for ``MUpdateRegistrar/check()``: nothing was sent but LIST and FIND.
    public var isDryRun: Bool
    public var localCount = 0
    /// Records of this server at the master before reconciling.
    public var masterCount = 0

    public init(isDryRun: Bool) { self.isDryRun = isDryRun }

    /// Master and backend agree.
    public var isClean: Bool { activated.isEmpty && deleted.isEmpty && conflicts.isEmpty && failures.isEmpty }

    public var description: String {
        let verb = isDryRun ? "would " : ""
        return "\(localCount) local, \(masterCount) at the master: \(verb)activate \(activated.count), "
            + "\(verb)delete \(deleted.count), \(conflicts.count) conflicts, \(failures.count) failures"
    }
}
