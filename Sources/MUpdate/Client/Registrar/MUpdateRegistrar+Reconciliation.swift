import Logging
extension MUpdateRegistrar {
    /// Reconciles now (as Cyrus's `ctl_mboxlist -m`): ACTIVATE local mailboxes missing or
    /// different at the master, DELETE this server's master records that have no local mailbox,
    /// report (never touch) local mailboxes the master gives to another server.
    ///
    ///     C: A02 LIST {16+}
    ///     C: 127.0.0.1:14143!            (Cyrus matches the prefix against the location text)
    ///     C: A03 FIND {10+} user.dave    (a local name not listed: is it elsewhere?)
    ///     C: A04 ACTIVATE {10+} user.dave {23+} 127.0.0.1:14143!default {20+} dave\tlrswipkxtecdan\t
    ///     C: A05 FIND {10+} user.gone    (before any DELETE)
    ///     C: A06 DELETE {10+} user.gone
    @discardableResult
    public func reconcile() async throws(MUpdateError) -> MUpdateReconciliationReport {
        let report = try await compare(apply: true)
        lastReport = report
        return report
    }

    /// The same comparison without changing anything (`murder admin check`).
    public func check() async throws(MUpdateError) -> MUpdateReconciliationReport {
        try await compare(apply: false)
    }

    func scheduleReconciliation() {
        let previous = reconciliation
        reconciliation = Task {
            await previous?.value
            guard !Task.isCancelled else { return }
            do {
                let report = try await self.reconcile()
                self.logger.info("mupdate: reconciled with the master", metadata: ["report": "\(report)"])
            } catch {
                self.logger.notice("mupdate: reconciliation failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Above this many local names missing from the LIST, one LIST of everything replaces a
    /// FIND per name.
    static let findLimit = 256

    func compare(apply: Bool) async throws(MUpdateError) -> MUpdateReconciliationReport {
        let master = try await current()
        var report = MUpdateReconciliationReport(isDryRun: !apply)
        let here = settings.location
        let began = ContinuousClock.now
        /// Names a live command touched since the comparison began: left to that command.
        func busy(_ name: InternalMailboxName) -> Bool {
            isProtected(name) || (touched[name].map { $0 >= began } ?? false)
        }
        do {
            let listed = try await master.list(prefix: MailboxLocation.listPrefix(for: here.server))
            // The local list is read after the master's: a CREATE activates its name only after
            // the local create, so a record the LIST returned is local by now unless it is truly
            // gone or still reserved (protected below). Read before the LIST, a mailbox created
            // in between would look gone and be deleted at the master.
            let local = try await readLocalMailboxes()
            let localNames = Set(local.map(\.name))
            report.localCount = local.count
            let listedHere = listed.filter { $0.location.server == here.server }
            report.masterCount = listedHere.count
            var atMaster: [InternalMailboxName: MUpdateRecord] = [:]
            for record in listedHere { atMaster[record.name] = record }

            // Local names the LIST did not return may be recorded for another server.
            let missing = local.filter { atMaster[$0.name] == nil }
            var elsewhere: [InternalMailboxName: MUpdateRecord] = [:]
            if missing.count > Self.findLimit {
                for record in try await master.list() where localNames.contains(record.name) && atMaster[record.name] == nil {
                    elsewhere[record.name] = record
                }
            } else {
                for mailbox in missing {
                    if let record = try await master.find(mailbox.name) { elsewhere[mailbox.name] = record }
                }
            }

            for mailbox in local.sorted(by: { MUpdateOrder.areInIncreasingOrder($0.name, $1.name) }) {
                if let record = elsewhere[mailbox.name], record.location.server != here.server {
                    let conflict = MUpdateReconciliationReport.Conflict(name: mailbox.name, master: record)
                    logger.warning("mupdate: mailbox conflict", metadata: ["conflict": "\(conflict)"])
                    report.conflicts.append(conflict)
                    continue
                }
                if let record = atMaster[mailbox.name] ?? elsewhere[mailbox.name], record.state == .active,
                    record.location == here, record.acl.dictionary == mailbox.acl.dictionary
                {
                    continue
                }
                if busy(mailbox.name) { continue }
                report.activated.append(mailbox.name)
                guard apply else { continue }
                do {
                    try await master.activate(mailbox.name, location: here, acl: mailbox.acl)
                } catch let error where error.code == .fail || error.code == .failReserve {
                    report.activated.removeLast()
                    report.failures.append(.init(name: mailbox.name, message: error.message))
                }
            }

            for record in listedHere where !localNames.contains(record.name) && !busy(record.name) {
                guard apply else {
                    report.deleted.append(record.name)
                    continue
                }
                // FIND first: DELETE of a name the master no longer holds crashes a Cyrus master.
                guard let now = try await master.find(record.name), now.location.server == here.server else { continue }
                guard !busy(record.name) else { continue }
                do {
                    try await master.delete(record.name)
                    report.deleted.append(record.name)
                } catch let error where error.code == .fail {
                    report.failures.append(.init(name: record.name, message: error.message))
                }
            }
        } catch {
            throw dropIfBroken(error)
        }
        touch()
        return report
    }

    func readLocalMailboxes() async throws(MUpdateError) -> [LocalMailbox] {
        do {
            return try await localMailboxes()
        } catch {
            throw MUpdateError(.fail, "cannot read the local mailbox list", cause: error)
        }
    }

    /// A name reserved by this registrar recently, whose CREATE or RENAME is under way.
    func isProtected(_ name: InternalMailboxName) -> Bool {
        guard let since = inFlight[name] else { return false }
        return ContinuousClock.now - since < settings.reservationGrace
    }
}
