import Auth
import Foundation
import IMAPWire
import Logging
import MUpdate
import Spool
import Synchronization

/// The source side of an XFER (SPEC.md §7.5): an admin's `RENAME name name server[!partition]`
/// moves the owner of `name` (a whole user, or a top-level shared tree) to that backend.
///
///     C: x1 RENAME user/bob user/bob 127.0.0.1:1144
///     S: * OK USER bob
///     S: x1 OK XFER completed
///     C: x2 RENAME user/bob/Sent user/bob/Sent 127.0.0.1:1144
///     S: x2 NO [CANNOT] Only a whole user can be moved: RENAME user/bob user/bob 127.0.0.1:1144
///
/// Steps: copy every message file (XFERPUT), again for the files that arrived meanwhile (at
/// most ``TransferSettings/maxPasses`` passes); DEACTIVATE every mailbox at the master; freeze
/// the owner, copy the last files and a snapshot of the index; XFERCOMMIT. Only on its OK is
/// the owner removed here. Any failure before that: XFERABORT at the destination, unfreeze,
/// re-ACTIVATE with this backend's location.
extension IMAPSession {
    func transferOut(_ tag: String, _ iname: String, to location: String) async {
        let spool = ctx.spool
        guard spool.mailbox(named: iname) != nil else {
            if spool.wasMovedAway(iname) { return no(tag, "Mailbox was moved to another server", code: .unavailable) }
            return no(tag, "Mailbox does not exist", code: .nonExistent)
        }
        let owner = Spool.owner(of: iname)
        let userID = Spool.ownerUser(owner)
        if userID != nil {
            guard iname == owner else {
                let inbox = ns.externalName(owner, user: nil)
                return no(
                    tag, "Only a whole user can be moved: RENAME \(inbox) \(inbox) \(location)", code: .cannot)
            }
        } else {
            guard spool.mailboxes(ofOwner: owner).allSatisfy({ $0.name == iname || $0.name.hasPrefix(iname + ".") })
            else {
                return no(tag, "Only a whole top-level mailbox tree can be moved", code: .cannot)
            }
        }
        let server = String(location.split(separator: "!", maxSplits: 1).first ?? "")
        guard server != ctx.settings.servername else {
            return no(tag, "The mailbox is already on \(server)", code: .alreadyExists)
        }
        guard let settings = ctx.transfer else {
            return no(tag, "This server has no transfer identity (xfer.password) to move mailboxes with", code: .cannot)
        }
        guard ctx.transfersOut.withLock({ $0.insert(owner).inserted }) else {
            return no(tag, "This mailbox is already being moved", code: .inUse)
        }
        let item = userID.map { "USER \($0)" } ?? "MAILBOX \(ns.externalName(iname, user: nil))"
        logger.notice("XFER out: \(owner) to \(server) started")
        let outcome: TransferFailure?
        do {
            try await transferOwner(owner, to: server, settings)
            outcome = nil
        } catch {
            outcome = error
        }
        ctx.transfersOut.withLock { _ = $0.remove(owner) }
        if let failure = outcome {
            logger.warning("XFER out: \(owner) to \(server) failed: \(failure)")
            untagged(.state(.no(ResponseText(text: "\(item) (\(failure.reason))"))))
            return no(tag, "XFER failed: \(failure.reason)", code: .cannot)
        }
        logger.notice("XFER out: \(owner) to \(server) completed")
        untagged(.state(.ok(ResponseText(text: item))))
        ok(tag, "XFER completed")
    }

    /// The whole move of one owner; on return without error the owner lives on `server` only.
    func transferOwner(_ owner: String, to server: String, _ settings: TransferSettings) async throws(TransferFailure) {
        let client = try await TransferClient.connect(to: server, settings)
        var sent: [String: Int64] = [:]
        do throws(TransferFailure) {
            // (1) The identity must be an admin there: XFERABORT checks that and clears what an
            // earlier attempt may have left staged.
            let probe = try await client.run("XFERABORT " + TransferClient.astring(owner))
            guard probe.ok else { throw TransferFailure("\(server) refused the transfer identity: \(probe.text)") }
            // (2) Copy while the owner stays online, until a pass finds few new files.
            for _ in 0..<max(1, settings.maxPasses) {
                let count = try await copyNewFiles(owner, client, &sent)
                if count <= settings.fewFiles { break }
            }
        } catch {
            _ = try? await client.run("XFERABORT " + TransferClient.astring(owner))
            await client.close()
            throw error
        }
        // (3)–(5) under the list gate: no CREATE, DELETE or RENAME in between.
        await ctx.listGate.acquire()
        let result: TransferFailure?
        do {
            try await finishTransfer(owner, client, &sent)
            result = nil
        } catch {
            result = error
        }
        await ctx.listGate.release()
        await client.logout()
        if let result { throw result }
    }

    /// DEACTIVATE, freeze, last files, index snapshot, XFERCOMMIT; undone on failure.
    func finishTransfer(_ owner: String, _ client: TransferClient, _ sent: inout [String: Int64])
        async throws(TransferFailure)
    {
        let spool = ctx.spool
        let records = spool.mailboxes(ofOwner: owner)
        var deactivated: [MailboxRecord] = []
        var frozen = false
        let snapshot = spool.ownerFilePath(owner, "tmp/xfer-\(UUID().uuidString.lowercased()).sqlite")
        do throws(TransferFailure) {
            if let registration = ctx.registration {
                for record in records {
                    do {
                        try await registration.deactivate(InternalMailboxName(record.name))
                    } catch {
                        throw TransferFailure("DEACTIVATE \(record.name) at the mupdate master failed: \(error)")
                    }
                    deactivated.append(record)
                }
            }
            do {
                try spool.freeze(owner: owner)
            } catch {
                throw TransferFailure("cannot freeze \(owner): \(error)")
            }
            frozen = true
            _ = try await copyNewFiles(owner, client, &sent)
            do {
                try await BlockingWork.run { try spool.snapshotIndex(owner: owner, to: snapshot) }
            } catch {
                throw TransferFailure("cannot copy the index of \(owner): \(error)")
            }
            guard let index = FileManager.default.contents(atPath: snapshot) else {
                throw TransferFailure("cannot read the copy of the index of \(owner)")
            }
            try? FileManager.default.removeItem(atPath: snapshot)
            let put = try await client.put(owner: owner, path: "index.sqlite", bytes: Array(index))
            guard put.ok else { throw TransferFailure("\(client.server) refused the index: \(put.text)") }
            let commit = try await client.run("XFERCOMMIT " + TransferClient.astring(owner))
            guard commit.ok else { throw TransferFailure("\(client.server) refused XFERCOMMIT: \(commit.text)") }
        } catch {
            try? FileManager.default.removeItem(atPath: snapshot)
            _ = try? await client.run("XFERABORT " + TransferClient.astring(owner))
            if frozen { spool.unfreeze(owner: owner) }
            for record in deactivated {
                do {
                    try await activate(record.name, acl: record.acl)
                } catch {
                    // The next reconciliation ACTIVATEs it again (the record differs from ours).
                    logger.error("XFER out: could not re-ACTIVATE \(record.name) at the master: \(error)")
                }
            }
            throw error
        }
        // (5) The destination holds and registered the owner: forget it here.
        if let view = selected, view.record.owner == owner { deselect() }
        spool.removeOwner(owner)
    }

    /// Sends every file of the owner not sent yet (or sent with another size); returns how many.
    func copyNewFiles(_ owner: String, _ client: TransferClient, _ sent: inout [String: Int64])
        async throws(TransferFailure) -> Int
    {
        let spool = ctx.spool
        var count = 0
        for file in spool.ownerFiles(owner) where sent[file.path] != file.size {
            // Read whole (bounded by the message size limit): a file removed meanwhile (an
            // expunged message past its grace period) is skipped rather than half sent.
            guard let data = FileManager.default.contents(atPath: spool.ownerFilePath(owner, file.path)) else { continue }
            let answer = try await client.put(owner: owner, path: file.path, bytes: Array(data))
            guard answer.ok else { throw TransferFailure("\(client.server) refused \(file.path): \(answer.text)") }
            sent[file.path] = Int64(data.count)
            count += 1
        }
        return count
    }
}
