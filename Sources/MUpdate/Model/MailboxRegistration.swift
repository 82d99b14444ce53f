/// How a backend tells the mupdate master about the mailboxes it creates, deletes, renames and
/// re-ACLs (SPEC.md §4.1). The IMAP server calls it around its local change, in this order:
///
///     CREATE  reserve(new) → local create → activate(new, acl)     (local failure: delete(new))
///     RENAME  reserve(new) → local rename → activate(new, acl) → delete(old)
///     DELETE  ensureReachable() → local delete → delete(name)
///     SETACL  local change → activate(name, acl)                   (failure: local change undone)
///     XFER    deactivate(each) → final copy → the destination activates each
///             (failure before that: activate(each, acl) again)
///
/// Locations are the registrar's own (`servername!partition`). Every call returns once the
/// master answered OK, which means the change is durable there.
///
/// Errors are ``MUpdateError``s: ``MUpdateError/Code/noConnection`` and
/// ``MUpdateError/Code/timeout`` when the master cannot be reached (the IMAP command fails
/// with `NO [UNAVAILABLE]`), ``MUpdateError/Code/failReserve`` when the name is taken
/// elsewhere in the murder, ``MUpdateError/Code/fail`` for any other refusal.
public protocol MailboxRegistration: Sendable {
    /// Returns once the master can be reached (reconnecting at most once, quickly), so that a
    /// change that must reach the master is refused before anything is changed locally.
    func ensureReachable() async throws(MUpdateError)
    func reserve(_ name: InternalMailboxName) async throws(MUpdateError)
    func activate(_ name: InternalMailboxName, acl: CyrusACL) async throws(MUpdateError)
    func delete(_ name: InternalMailboxName) async throws(MUpdateError)
    /// `DEACTIVATE name location`: the record goes to RESERVED state while the mailbox is
    /// moved to another backend (frontends answer `NO [UNAVAILABLE]` meanwhile).
    func deactivate(_ name: InternalMailboxName) async throws(MUpdateError)
}
