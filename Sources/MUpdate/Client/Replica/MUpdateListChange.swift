/// A change of a list replica's list, for code that keeps something derived from it (caches,
/// metrics). Delivered in order; a slow reader loses the oldest ones first (see
/// ``MUpdateListReplica/changes(bufferSize:)``), after which ``replaced(count:)`` is the cue to
/// rebuild from the list itself.
public enum MUpdateListChange: Sendable, Hashable {
    /// A record was added or changed (its new state).
    case updated(MUpdateRecord)
    /// A record is gone.
    case deleted(InternalMailboxName)
    /// A full dump replaced the whole list; `count` records now.
    case replaced(count: Int)
}
