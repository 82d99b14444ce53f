import Foundation
import Auth
import Transport
import Logging
import IMAPWire
import Spool
import MUpdate

extension IMAPSession {
    var user: String { identity?.user ?? "" }
    var isAdmin: Bool { identity?.isAdmin ?? false }
    var ns: Namespace { ctx.settings.namespace }

    /// The iname name of a client's mailbox name, nil (after a tagged NO) when it is invalid.
    func resolve(_ tag: String, _ name: MailboxName) -> String? {
        guard let text = String(validating: name.bytes, as: UTF8.self),
            let iname = ns.internalName(text, user: identity?.user),
            (try? Spool.validate(iname)) != nil
        else {
            no(tag, "Invalid mailbox name", code: .cannot)
            return nil
        }
        return iname
    }

    func external(_ internalName: String) -> MailboxName {
        MailboxName(ns.externalName(internalName, user: identity?.user))
    }

    func isOwner(_ record: MailboxRecord) -> Bool {
        Spool.userOwnerKey(user) == record.owner
    }

    func rights(_ record: MailboxRecord) -> Rights {
        Rights.of(user: user, acl: record.acl, isAdmin: isAdmin, isOwner: isOwner(record))
    }

    /// The mailbox if it exists and the user may see it; otherwise a tagged NO that does not
    /// reveal whether an invisible mailbox exists.
    func visibleMailbox(_ tag: String, _ iname: String, need: Character? = nil) -> MailboxRecord? {
        guard let record = ctx.spool.mailbox(named: iname) else {
            if ctx.spool.wasMovedAway(iname) {
                no(tag, "Mailbox was moved to another server", code: .unavailable)
            } else {
                no(tag, "Mailbox does not exist", code: .nonExistent)
            }
            return nil
        }
        let r = rights(record)
        guard r.has("l") || r.has("r") || isAdmin else {
            no(tag, "Mailbox does not exist", code: .nonExistent)
            return nil
        }
        if let need, !r.has(need) {
            no(tag, "Permission denied", code: .noPerm)
            return nil
        }
        return record
    }

    func parent(of iname: String) -> String? {
        guard let dot = iname.lastIndex(of: ".") else { return nil }
        return String(iname[..<dot])
    }

    // MARK: CREATE / DELETE / RENAME

    func create(_ tag: String, _ name: MailboxName, _ partition: String?, _ params: [CreateParameter]) async {
        // A frontend placing a new user's INBOX here (SPEC.md §7.1): `CREATE INBOX` in a
        // proxied session, registered like the INBOX a first direct login creates.
        if name.isInbox, let identity, identity.isProxied, ctx.registration != nil,
            ctx.spool.mailbox(named: "user." + Namespace.userID(identity.user)) == nil
        {
            switch await createInboxIfMissing(identity.user) {
            case nil: return ok(tag, "Completed")
            case let failure as CreateFailure:
                switch failure {
                case .registration(let error): return registrationFailed(tag, error, "CREATE")
                case .local(let error): return fail(tag, error, "CREATE")
                }
            case let error?: return fail(tag, error, "CREATE")
            }
        }
        await changingList { await createLocked(tag, name, partition, params) }
    }

    func createLocked(_ tag: String, _ name: MailboxName, _ partition: String?, _ params: [CreateParameter]) async {
        // RFC 3501 §6.3.3: a trailing separator only declares the intent to create children;
        // the mailbox is created without it.
        var name = name
        if name.bytes.count > 1, name.bytes.last == Array(String(ns.separator).utf8).last {
            name = MailboxName(Array(name.bytes.dropLast()))
        }
        guard let iname = resolve(tag, name) else { return }
        if name.isInbox && !isAdmin { return no(tag, "Mailbox already exists", code: .alreadyExists) }
        var uses: [String] = []
        for p in params {
            if case .use(let u) = p { uses += u }
        }
        let known = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash", "\\Important"]
        for u in uses where !known.contains(where: { $0.lowercased() == u.lowercased() }) {
            return no(tag, "Unsupported special-use attribute \(u)", code: .useAttr)
        }
        if ctx.spool.mailbox(named: iname) != nil { return no(tag, "Mailbox already exists", code: .alreadyExists) }
        // Rights: k on the nearest existing parent; a user's own tree; admins anywhere.
        var acl: String
        let parts = iname.split(separator: ".")
        let isUserRoot = parts.count == 2 && parts[0] == "user"
        if isUserRoot {
            guard isAdmin else { return no(tag, "Permission denied", code: .noPerm) }
            let owner = String(parts[1])
            acl = "\(owner.replacingOccurrences(of: "^", with: "."))\t\(Rights.all)\t"
        } else {
            var p = parent(of: iname)
            var parentRecord: MailboxRecord? = nil
            while let candidate = p {
                if let r = ctx.spool.mailbox(named: candidate) {
                    parentRecord = r
                    break
                }
                p = parent(of: candidate)
            }
            if let parentRecord {
                guard rights(parentRecord).has("k") else { return no(tag, "Permission denied", code: .noPerm) }
                acl = parentRecord.acl
            } else if parts.first == "user" {
                guard isAdmin || Spool.owner(of: iname) == Spool.userOwnerKey(user) else {
                    return no(tag, "Permission denied", code: .noPerm)
                }
                let owner = String(parts[1]).replacingOccurrences(of: "^", with: ".")
                acl = "\(owner)\t\(Rights.all)\t"
            } else {
                guard isAdmin else { return no(tag, "Permission denied", code: .noPerm) }
                acl = "anyone\tlrs\t"
            }
        }
        do {
            try await createRegistered(iname, acl: acl, specialUse: uses, defaultQuota: isUserRoot)
        } catch {
            return createFailed(tag, error, "CREATE")
        }
        ok(tag, "Completed")
    }

    func delete(_ tag: String, _ name: MailboxName) async {
        await changingList { await deleteLocked(tag, name) }
    }

    func deleteLocked(_ tag: String, _ name: MailboxName) async {
        guard let iname = resolve(tag, name) else { return }
        guard let record = visibleMailbox(tag, iname) else { return }
        let parts = iname.split(separator: ".")
        let isUserRoot = parts.count == 2 && parts[0] == "user"
        if isUserRoot && !isAdmin { return no(tag, "Permission denied: cannot delete INBOX", code: .noPerm) }
        guard rights(record).has("x") else { return no(tag, "Permission denied", code: .noPerm) }
        // Deleting a user's INBOX (admin) takes the user's whole tree with it, as Cyrus does.
        var victims = [iname]
        if isUserRoot {
            victims += ctx.spool.mailboxes().map(\.name).filter { $0.hasPrefix(iname + ".") }.reversed()
        }
        guard await ensureMasterReachable(tag, "DELETE") else { return }
        var deleted: [String] = []
        do {
            for v in victims.reversed() where v != iname {
                try ctx.spool.deleteMailbox(v)
                deleted.append(v)
            }
            if selected?.record.name == iname { deselect() }
            try ctx.spool.deleteMailbox(iname)
            deleted.append(iname)
        } catch {
            await unregister(deleted)
            return fail(tag, error, "DELETE")
        }
        await unregister(deleted)
        ok(tag, "Completed")
    }

    /// Removes deleted mailboxes from the master's list (SPEC.md §4.1: after the local delete).
    /// A failure is logged: the local mailbox is gone, and the reconciliation after the next
    /// reconnect removes the record.
    func unregister(_ names: [String]) async {
        guard let registration = ctx.registration else { return }
        for name in names {
            do {
                try await registration.delete(InternalMailboxName(name))
            } catch {
                logger.warning("DELETE of \(name) not registered with the mupdate master: \(error)")
            }
        }
    }

    func rename(_ tag: String, _ from: MailboxName, _ to: MailboxName, _ partition: String?) async {
        // SPEC.md §7.3: an admin's `RENAME name name server[!partition]` moves the mailbox's
        // owner to that backend (XFER, §7.5); it takes the list gate only for its final steps.
        if let partition, isAdmin, let source = resolve(tag, from), let target = resolve(tag, to) {
            if source == target { return await transferOut(tag, source, to: partition) }
            return no(tag, "A rename cannot also move the mailbox to another server", code: .cannot)
        } else if partition != nil, isAdmin {
            return  // resolve() answered
        }
        await changingList { await renameLocked(tag, from, to, partition) }
    }

    func renameLocked(_ tag: String, _ from: MailboxName, _ to: MailboxName, _ partition: String?) async {
        guard let source = resolve(tag, from), let target = resolve(tag, to) else { return }
        if partition != nil && !isAdmin { return no(tag, "Permission denied", code: .noPerm) }
        if source == target {
            return partition == nil ? no(tag, "Mailbox already exists", code: .alreadyExists) : ok(tag, "Completed")
        }
        guard let record = visibleMailbox(tag, source) else { return }
        guard rights(record).has("x") else { return no(tag, "Permission denied", code: .noPerm) }
        if ctx.spool.mailbox(named: target) != nil { return no(tag, "Mailbox already exists", code: .alreadyExists) }
        if !isAdmin, Spool.owner(of: target) != Spool.userOwnerKey(user) {
            if let p = parent(of: target), let pr = ctx.spool.mailbox(named: p), rights(pr).has("k") {
                // allowed: k on the new parent
            } else {
                return no(tag, "Permission denied", code: .noPerm)
            }
        }
        if from.isInbox {
            // RFC 3501 §6.3.5: RENAME INBOX moves its messages to the new name, INBOX stays.
            do {
                try await createRegistered(target, acl: record.acl, defaultQuota: false)
            } catch {
                return createFailed(tag, error, "RENAME")
            }
            do {
                let (_, messages) = try ctx.spool.messages(source, user: user)
                _ = try ctx.spool.copy(source, uids: messages.map(\.uid), to: target, user: user, move: true)
            } catch {
                return fail(tag, error, "RENAME")
            }
            return ok(tag, "Completed")
        }
        // SPEC.md §4.1: RESERVE the new names, rename locally, ACTIVATE the new names, DELETE
        // the old ones.
        let children = ctx.spool.mailboxes().map(\.name).filter { $0.hasPrefix(source + ".") }
        let moves = [(source, target)] + children.map { ($0, target + $0.dropFirst(source.count)) }
        guard await reserve(tag, moves.map(\.1), "RENAME") else { return }
        var renamed: [(String, String)] = []
        do {
            if selected?.record.name == source { deselect() }
            for (old, new) in moves {
                try ctx.spool.renameMailbox(old, to: new)
                renamed.append((old, new))
            }
        } catch {
            for (old, new) in renamed.reversed() { try? ctx.spool.renameMailbox(new, to: old) }
            await release(moves.map(\.1))
            return fail(tag, error, "RENAME")
        }
        for (old, new) in moves {
            let acl = ctx.spool.mailbox(named: new)?.acl ?? ""
            do {
                try await activate(new, acl: acl)
            } catch {
                // The mailboxes are renamed here; the reconciliation after the next reconnect
                // brings the master in line. The client learns the list is not up to date.
                logger.warning("RENAME \(old) -> \(new) not registered with the mupdate master: \(error)")
                return registrationFailed(tag, error, "RENAME")
            }
        }
        await unregister(moves.map(\.0))
        ok(tag, "Completed")
    }

    // MARK: SUBSCRIBE

    func subscribe(_ tag: String, _ name: MailboxName, _ on: Bool) {
        guard let iname = resolve(tag, name) else { return }
        do {
            if on {
                // In a murder the name may live on another backend: the frontend checked it
                // against the mailbox list (SPEC.md §6), and subscriptions live here.
                if ctx.registration == nil || ctx.spool.mailbox(named: iname) != nil {
                    guard visibleMailbox(tag, iname) != nil else { return }
                }
                try ctx.spool.subscribe(user: user, iname)
            } else {
                try ctx.spool.unsubscribe(user: user, iname)
            }
            ok(tag, "Completed")
        } catch {
            fail(tag, error, on ? "SUBSCRIBE" : "UNSUBSCRIBE")
        }
    }

    // MARK: NAMESPACE

    func namespace(_ tag: String) {
        let p = ns.prefixes
        let sep = ns.separator
        untagged(
            .namespace(
                NamespaceResponse(
                    personal: [NamespaceDescription(prefix: p.personal, delimiter: sep)],
                    otherUsers: [NamespaceDescription(prefix: p.other, delimiter: sep)],
                    shared: [NamespaceDescription(prefix: p.shared, delimiter: sep)]
                )
            )
        )
        ok(tag, "Completed")
    }

    // MARK: STATUS

    func status(_ tag: String, _ name: MailboxName, _ attrs: [StatusAttribute]) {
        guard let iname = resolve(tag, name) else { return }
        guard let record = visibleMailbox(tag, iname, need: "r") else { return }
        do {
            let items = try statusItems(record, attrs)
            untagged(.status(name, items))
            ok(tag, "STATUS completed")
        } catch {
            fail(tag, error, "STATUS")
        }
    }

    func statusItems(_ record: MailboxRecord, _ attrs: [StatusAttribute]) throws -> [StatusItem] {
        let s = try ctx.spool.status(record.name, user: user)
        return attrs.map { a -> StatusItem in
            switch a {
            case .messages: return .messages(UInt32(s.messages))
            case .recent: return .recent(UInt32(s.recent))
            case .uidNext: return .uidNext(s.uidNext)
            case .uidValidity: return .uidValidity(s.uidValidity)
            case .unseen: return .unseen(UInt32(s.unseen))
            case .deleted: return .deleted(UInt32(s.deleted))
            case .size: return .size(s.size)
            case .highestModSeq: return .highestModSeq(s.highestModSeq)
            case .appendLimit: return .appendLimit(ctx.settings.maxLiteralBytes)
            case .mailboxID: return .mailboxID(s.mailboxID)
            case .deletedStorage: return .deletedStorage(0)
            }
        }
    }
}
