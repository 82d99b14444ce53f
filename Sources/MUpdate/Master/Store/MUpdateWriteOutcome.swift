/// How the store answered a write (SPEC.md §3.3); the session turns it into the completion.
///
///     C: X1 DELETE {9+}\r\nuser.nobody
///     S: X1 NO "mailbox doesn't exist"          (.doesNotExist)
public enum MUpdateWriteOutcome: Sendable, Hashable {
    /// Done (and durable): `OK "done"`.
    case done
    /// RESERVE of a name held at another location: `NO "mailbox already exists"`.
    case alreadyExists
    /// DEACTIVATE of a record that is not ACTIVE: `NO "mailbox not currently active"`.
    case notActive
    /// DELETE of an unknown name: `NO "mailbox doesn't exist"`.
    case doesNotExist

    /// The completion for a command with `tag`.
    public func response(tag: String) -> MUpdateResponse {
        switch self {
        case .done: .ok(tag, MUpdateResponseText.done)
        case .alreadyExists: .no(tag, MUpdateResponseText.mailboxAlreadyExists)
        case .notActive: .no(tag, MUpdateResponseText.mailboxNotCurrentlyActive)
        case .doesNotExist: .no(tag, MUpdateResponseText.mailboxDoesNotExist)
        }
    }
}
