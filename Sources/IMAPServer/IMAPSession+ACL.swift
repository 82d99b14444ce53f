import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import MUpdate
import Spool

extension IMAPSession {
    /// The mailbox for an ACL command, needing `a` (RFC 4314 §4).
    func aclMailbox(_ tag: String, _ name: MailboxName, need: Character = "a") -> MailboxRecord? {
        guard let iname = resolve(tag, name) else { return nil }
        return visibleMailbox(tag, iname, need: need)
    }

    func getACL(_ tag: String, _ name: MailboxName) {
        guard let record = aclMailbox(tag, name) else { return }
        let acl = (try? CyrusACL(parsing: Array(record.acl.utf8))) ?? CyrusACL()
        let entries = acl.entries.map {
            ACLIdentifierRights(identifier: $0.identifier, rights: (Rights.parse($0.rights) ?? Rights("")).description)
        }
        untagged(.acl(name, entries))
        ok(tag, "Completed")
    }

    func setACL(_ tag: String, _ name: MailboxName, _ identifier: String, _ change: RightsModification) async {
        await changingList { await setACLLocked(tag, name, identifier, change) }
    }

    func setACLLocked(_ tag: String, _ name: MailboxName, _ identifier: String, _ change: RightsModification) async {
        guard CyrusACL.isValidIdentifier(identifier) else { return bad(tag, "Invalid identifier") }
        guard let given = Rights.parse(change.rights) else {
            return bad(tag, "Invalid rights \(change.rights)")
        }
        guard let record = aclMailbox(tag, name) else { return }
        var acl = (try? CyrusACL(parsing: Array(record.acl.utf8))) ?? CyrusACL()
        var current = Rights.parse(acl[identifier] ?? "")?.letters ?? []
        switch change.mode {
        case .add: current.formUnion(given.letters)
        case .remove: current.subtract(given.letters)
        case .replace: current = given.letters
        }
        let text = Rights(String(current)).description
        acl[identifier] = text.isEmpty ? nil : text
        await changeACL(tag, record, to: acl.description, "SETACL")
    }

    func deleteACL(_ tag: String, _ name: MailboxName, _ identifier: String) async {
        await changingList {
            guard let record = aclMailbox(tag, name) else { return }
            var acl = (try? CyrusACL(parsing: Array(record.acl.utf8))) ?? CyrusACL()
            acl[identifier] = nil
            await changeACL(tag, record, to: acl.description, "DELETEACL")
        }
    }

    /// Stores a new ACL, then ACTIVATEs it at the mupdate master (SPEC.md §4.1); when the master
    /// does not take it, the old ACL is put back so that the two never disagree.
    func changeACL(_ tag: String, _ record: MailboxRecord, to acl: String, _ action: String) async {
        do {
            try ctx.spool.setACL(record.name, acl)
        } catch {
            return fail(tag, error, action)
        }
        do {
            try await activate(record.name, acl: acl)
        } catch {
            try? ctx.spool.setACL(record.name, record.acl)
            return registrationFailed(tag, error, action)
        }
        ok(tag, "Completed")
    }

    /// LISTRIGHTS as Cyrus answers it: the owner always has `lkxan`; anyone else needs nothing.
    func listRights(_ tag: String, _ name: MailboxName, _ identifier: String) {
        guard let record = aclMailbox(tag, name) else { return }
        let ownerKey = Spool.userOwnerKey(identifier)
        let required = ownerKey == record.owner ? "lkxan" : ""
        let optional = ["l", "r", "s", "w", "i", "p", "k", "x", "t", "e", "c", "d", "a", "n", "0", "1", "2", "3", "4",
            "5", "6", "7", "8", "9"].filter { !required.contains($0) }
        untagged(.listRights(name, identifier: identifier, required: required, optional: optional))
        ok(tag, "Completed")
    }

    func myRights(_ tag: String, _ name: MailboxName) {
        guard let iname = resolve(tag, name), let record = visibleMailbox(tag, iname) else { return }
        untagged(.myRights(name, rights: rights(record).description))
        ok(tag, "Completed")
    }

    // MARK: QUOTA (RFC 9208)

    func externalRoot(_ root: String) -> String { ns.externalName(root, user: nil) }

    func quotaUsage(_ q: Quota) -> [QuotaUsage] {
        var out: [QuotaUsage] = []
        if let l = q.storageLimitKiB { out.append(QuotaUsage(resource: "STORAGE", usage: q.storageUsedKiB, limit: l)) }
        if let l = q.messageLimit { out.append(QuotaUsage(resource: "MESSAGE", usage: q.messagesUsed, limit: l)) }
        return out
    }

    func getQuotaRoot(_ tag: String, _ name: MailboxName) {
        guard let iname = resolve(tag, name), let record = visibleMailbox(tag, iname) else { return }
        let root = Spool.quotaRoot(of: record.name)
        let quota = try? ctx.spool.quota(root: root)
        untagged(.quotaRoot(name, roots: quota == nil ? [] : [externalRoot(root)]))
        if let quota { untagged(.quota(root: externalRoot(root), quotaUsage(quota))) }
        ok(tag, "Completed")
    }

    func quotaRootName(_ root: [UInt8]) -> String? {
        guard let text = String(validating: root, as: UTF8.self) else { return nil }
        return ns.internalName(text, user: user)
    }

    func getQuota(_ tag: String, _ root: [UInt8]) {
        guard let iname = quotaRootName(root) else { return no(tag, "Quota root does not exist", code: .nonExistent) }
        guard isAdmin || Spool.userOwnerKey(user) == iname else {
            return no(tag, "Permission denied", code: .noPerm)
        }
        guard let quota = try? ctx.spool.quota(root: iname) else {
            return no(tag, "Quota root does not exist", code: .nonExistent)
        }
        untagged(.quota(root: externalRoot(iname), quotaUsage(quota)))
        ok(tag, "Completed")
    }

    func setQuota(_ tag: String, _ root: [UInt8], _ limits: [QuotaLimit]) {
        guard isAdmin else { return no(tag, "Permission denied", code: .noPerm) }
        guard let iname = quotaRootName(root), Spool.owner(of: iname) == iname else {
            return no(tag, "Quota roots are users and top-level shared mailboxes", code: .cannot)
        }
        var storage: UInt64? = nil
        var messages: UInt64? = nil
        for l in limits {
            switch l.resource {
            case .storage: storage = l.limit
            case .message: messages = l.limit
            default: return no(tag, "Unsupported quota resource \(l.resource)", code: .cannot)
            }
        }
        do {
            try ctx.spool.setQuota(root: iname, storageKiB: storage, messages: messages)
            if let q = try ctx.spool.quota(root: iname) {
                untagged(.quota(root: externalRoot(iname), quotaUsage(q)))
            }
            ok(tag, "Completed")
        } catch {
            fail(tag, error, "SETQUOTA")
        }
    }
}
