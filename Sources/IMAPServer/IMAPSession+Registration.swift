import IMAPWire
import Logging
import MUpdate
import Spool

/// Registration of list changes with the mupdate master (SPEC.md §4.1). Without a master
/// (`ctx.registration == nil`) every step is a no-op and the backend stands alone.
extension IMAPSession {
    /// Runs a change to the mailbox list while holding the node's list gate.
    func changingList(_ body: () async -> Void) async {
        await ctx.listGate.acquire()
        await body()
        await ctx.listGate.release()
    }

    /// The IMAP answer to a registration step that failed.
    ///
    ///     S: a1 NO [UNAVAILABLE] The mailbox list is unavailable, try again later
    ///     S: a1 NO [ALREADYEXISTS] Mailbox already exists          (reserved elsewhere in the murder)
    func registrationFailed(_ tag: String, _ error: MUpdateError, _ action: String) {
        switch error.code {
        case .noConnection, .timeout, .noAuthentication:
            logger.warning("\(action): mupdate master unavailable: \(error)")
            no(tag, "The mailbox list is unavailable, try again later", code: .unavailable)
        case .failReserve:
            no(tag, "Mailbox already exists", code: .alreadyExists)
        default:
            logger.error("\(action): mupdate master refused: \(error)")
            no(tag, "\(action) refused by the mailbox list", code: .cannot)
        }
    }

    /// Why ``createRegistered(_:acl:specialUse:defaultQuota:)`` failed.
    enum CreateFailure: Error {
        /// The master refused or could not be reached: nothing was created.
        case registration(MUpdateError)
        /// The spool refused: the reservation was released.
        case local(any Error)
    }

    /// Creates `name` as SPEC.md §4.1 orders it: RESERVE, local create (with the default quota
    /// of a new user when `defaultQuota`), ACTIVATE. A failure leaves neither a local mailbox
    /// nor a reservation behind (as far as the master can be reached).
    func createRegistered(
        _ name: String, acl: String, specialUse: [String] = [], defaultQuota: Bool
    ) async throws(CreateFailure) {
        if let registration = ctx.registration {
            do {
                try await registration.reserve(InternalMailboxName(name))
            } catch {
                throw .registration(error)
            }
        }
        do {
            try ctx.spool.createMailbox(name, acl: acl, specialUse: specialUse)
            if defaultQuota, ctx.settings.defaultStorageKiB != nil || ctx.settings.defaultMessages != nil {
                try ctx.spool.setQuota(
                    root: Spool.owner(of: name), storageKiB: ctx.settings.defaultStorageKiB,
                    messages: ctx.settings.defaultMessages
                )
            }
        } catch {
            await release([name])
            throw .local(error)
        }
        do {
            try await activate(name, acl: acl)
        } catch {
            try? ctx.spool.deleteMailbox(name)
            await release([name])
            throw .registration(error)
        }
    }

    /// The IMAP answer to a failed ``createRegistered(_:acl:specialUse:defaultQuota:)``.
    func createFailed(_ tag: String, _ failure: CreateFailure, _ action: String) {
        switch failure {
        case .registration(let error): registrationFailed(tag, error, action)
        case .local(let error): fail(tag, error, action)
        }
    }

    /// RESERVEs `names` in order; on a refusal, releases the ones already reserved and answers.
    /// Returns false when the command must stop.
    func reserve(_ tag: String, _ names: [String], _ action: String) async -> Bool {
        guard let registration = ctx.registration else { return true }
        var done: [String] = []
        for name in names {
            do {
                try await registration.reserve(InternalMailboxName(name))
                done.append(name)
            } catch {
                await release(done)
                registrationFailed(tag, error, action)
                return false
            }
        }
        return true
    }

    /// DELETEs reservations (or records) whose local change did not happen; best effort, the
    /// reconciliation after the next reconnect removes whatever is left.
    func release(_ names: [String]) async {
        guard let registration = ctx.registration else { return }
        for name in names.reversed() {
            do {
                try await registration.delete(InternalMailboxName(name))
            } catch {
                logger.warning("could not release \(name) at the mupdate master: \(error)")
            }
        }
    }

    /// ACTIVATEs `name` with `acl` (Cyrus's TAB form).
    func activate(_ name: String, acl: String) async throws(MUpdateError) {
        guard let registration = ctx.registration else { return }
        let parsed = (try? CyrusACL(parsing: Array(acl.utf8))) ?? CyrusACL()
        try await registration.activate(InternalMailboxName(name), acl: parsed)
    }

    /// Checks the master is reachable before a change that cannot be undone locally.
    func ensureMasterReachable(_ tag: String, _ action: String) async -> Bool {
        guard let registration = ctx.registration else { return true }
        do {
            try await registration.ensureReachable()
            return true
        } catch {
            registrationFailed(tag, error, action)
            return false
        }
    }
}
