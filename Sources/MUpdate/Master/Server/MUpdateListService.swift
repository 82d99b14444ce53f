/// The list an MUPDATE server serves: the master's ``MUpdateStore``, or later a list replica's
/// in-memory copy. A session needs only these operations, so any list that can take a
/// consistent snapshot and feed changes can be served.
///
///     FIND, LIST        snapshot()
///     UPDATE [SINCE]    subscribe(servers:since:queueLimit:) … unsubscribe(_:)
///     RESERVE …         writer (nil: a read-only list, `BAD "read-only session"`)
public protocol MUpdateListService: Sendable {
    /// A consistent copy of the whole list.
    func snapshot() -> MUpdateIndex
    /// Registers a subscriber and takes its snapshot atomically (see ``MUpdateStore/subscribe(servers:since:queueLimit:)``).
    func subscribe(
        servers: [String], since: MUpdateStore.Position?, queueLimit: Int
    ) async throws(MUpdateStoreError) -> MUpdateStreamStart
    /// Forgets a subscriber and closes its queue.
    func unsubscribe(_ subscription: MUpdateSubscription)
    /// The write side; nil for a read-only list.
    var writer: (any MUpdateListWriter)? { get }
}

/// The write commands of RFC 3656 on a list (SPEC.md §3.3).
public protocol MUpdateListWriter: Sendable {
    func reserve(_ name: InternalMailboxName, at location: MailboxLocation) async throws(MUpdateStoreError)
        -> MUpdateWriteOutcome
    func activate(_ name: InternalMailboxName, at location: MailboxLocation, acl: CyrusACL)
        async throws(MUpdateStoreError) -> MUpdateWriteOutcome
    func deactivate(_ name: InternalMailboxName, at location: MailboxLocation) async throws(MUpdateStoreError)
        -> MUpdateWriteOutcome
    func delete(_ name: InternalMailboxName) async throws(MUpdateStoreError) -> MUpdateWriteOutcome
}

extension MUpdateStore: MUpdateListService, MUpdateListWriter {
    public var writer: (any MUpdateListWriter)? { self }
}

/// A read-only view of another list: what a list replica serves (writes answer
/// `BAD "read-only session"`).
public struct MUpdateReadOnlyList: MUpdateListService {
    public let base: any MUpdateListService

    public init(_ base: any MUpdateListService) { self.base = base }

    public func snapshot() -> MUpdateIndex { base.snapshot() }

    public func subscribe(
        servers: [String], since: MUpdateStore.Position?, queueLimit: Int
    ) async throws(MUpdateStoreError) -> MUpdateStreamStart {
        try await base.subscribe(servers: servers, since: since, queueLimit: queueLimit)
    }

    public func unsubscribe(_ subscription: MUpdateSubscription) { base.unsubscribe(subscription) }

    public var writer: (any MUpdateListWriter)? { nil }
}
