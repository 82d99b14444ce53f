import Auth
import IMAPWire
import Logging
import MUpdate
import Spool

/// The destination side of an XFER (SPEC.md §7.5): the private commands the source backend
/// sends, as the transfer identity, which must be an admin here (SPEC.md §12).
///
///     C: X5 XFERPUT user.bob index.sqlite {8192+}
///     C: <8192 bytes>
///     S: X5 OK Stored
///     C: X6 XFERCOMMIT user.bob
///     S: X6 OK Installed and activated                (user.bob… ACTIVE here at the master)
///     C: X7 XFERPUT user.bob ../../etc/passwd {3+}
///     S: X7 NO [CANNOT] ../../etc/passwd is not index.sqlite or mbox/<uniqueid>/<uid>.eml
extension IMAPSession {
    func transferCommand(_ tag: String, _ command: TransferCommand) async {
        guard isAdmin else { return no(tag, "Permission denied", code: .noPerm) }
        let spool = ctx.spool
        switch command {
        case .put(let owner, let path, let data):
            do {
                try await BlockingWork.run { try spool.stageTransferFile(owner: owner, path: path, bytes: data) }
                ok(tag, "Stored")
            } catch {
                transferRefused(tag, error, "XFERPUT")
            }
        case .abort(let owner):
            do {
                try spool.abortTransfer(owner: owner)
                ok(tag, "Dropped")
            } catch {
                transferRefused(tag, error, "XFERABORT")
            }
        case .commit(let owner):
            await changingList { await commitTransfer(tag, owner) }
        }
    }

    /// Installs the staged owner, then ACTIVATEs each of its mailboxes at the master with this
    /// backend's location; answers OK only after all of that. If the master refuses, the owner
    /// is uninstalled again (the source still has everything and re-ACTIVATEs its own copy).
    func commitTransfer(_ tag: String, _ owner: String) async {
        let spool = ctx.spool
        let installed: [MailboxRecord]
        do {
            installed = try await BlockingWork.run { try spool.commitTransfer(owner: owner) }
        } catch {
            return transferRefused(tag, error, "XFERCOMMIT")
        }
        for record in installed {
            do {
                try await activate(record.name, acl: record.acl)
            } catch {
                logger.warning("XFERCOMMIT \(owner): ACTIVATE \(record.name) failed, uninstalling: \(error)")
                spool.uninstallTransfer(owner: owner)
                return registrationFailed(tag, error, "XFERCOMMIT")
            }
        }
        logger.notice("XFER in: \(owner) installed with \(installed.count) mailboxes")
        ok(tag, "Installed and activated")
    }

    /// The answer to a refused XFER command, with the spool's reason in the text.
    func transferRefused(_ tag: String, _ error: any Error, _ action: String) {
        guard let e = error as? SpoolError else { return fail(tag, error, action) }
        switch e.code {
        case .badName: no(tag, e.message, code: .cannot)
        case .alreadyExists: no(tag, e.message, code: .alreadyExists)
        case .nonexistent: no(tag, e.message, code: .nonExistent)
        case .inUse: no(tag, e.message, code: .inUse)
        default:
            logger.error("\(action) failed: \(e)")
            no(tag, "\(action) failed: \(e.message)", code: .cannot)
        }
    }
}
