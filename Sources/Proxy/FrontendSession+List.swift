import IMAPWire
import Logging
import MUpdate
import Transport

/// LIST, XLIST, MYRIGHTS and GETACL from the mailbox list (SPEC.md §6), with what only the
/// backends know (subscriptions, special-use, STATUS) asked of them.
extension FrontendSession {
    struct ListEntry {
        var name: String
        var record: MUpdateRecord?
        var attributes: [String]
    }

    func rights(_ record: MUpdateRecord) -> Rights {
        Rights.of(user: user, acl: record.acl, isAdmin: isAdmin, isOwner: isOwner(record.name))
    }

    /// `user.<id>` and what is below it belong to that user.
    func isOwner(_ name: InternalMailboxName) -> Bool {
        let own = "user." + Namespace.userID(user)
        let text = name.description
        return text == own || text.hasPrefix(own + ".")
    }

    /// The mailboxes the user may see (`l`, or admin), by external name.
    func visibleMailboxes() -> [String: MUpdateRecord] {
        var visible: [String: MUpdateRecord] = [:]
        ctx.list.forEachRecord { record in
            guard record.state == .active, rights(record).has("l") || isAdmin else { return }
            visible[ns.externalName(record.name.description, user: user)] = record
        }
        return visible
    }

    /// The entries matching the patterns, INBOX first: parents that exist only as a path show
    /// `\Noselect` where `%` stops at them; `subscribed` (when given) restricts and marks.
    func listEntries(
        reference: [UInt8], patterns: [[UInt8]], visible: [String: MUpdateRecord], subscribed: Set<String>?,
        subscribedOnly: Bool, extended: Bool
    ) -> [ListEntry] {
        let matchers = patterns.map { ListPattern(reference + $0, separator: ns.separator) }
        let candidates: Set<String> = subscribedOnly ? (subscribed ?? []) : Set(visible.keys)
        var implied: Set<String> = []
        for name in candidates {
            var parts = name.split(separator: ns.separator).map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                let p = parts.joined(separator: String(ns.separator))
                if !candidates.contains(p) { implied.insert(p) }
            }
        }
        // Every name that has a visible child, so \\HasChildren costs a lookup, not a scan.
        var parents: Set<String> = []
        for name in visible.keys {
            var parts = name.split(separator: ns.separator).map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                guard parents.insert(parts.joined(separator: String(ns.separator))).inserted else { break }
            }
        }
        func matches(_ name: String) -> Bool { matchers.contains { $0.matches(Array(name.utf8)) } }
        let all = candidates.union(implied)
        var out: [ListEntry] = []
        for name in all where matches(name) {
            let prefix = name + String(ns.separator)
            if implied.contains(name), all.contains(where: { $0.hasPrefix(prefix) && matches($0) }) { continue }
            let hasChildren = parents.contains(name)
            var attrs: [String] = []
            let record = visible[name]
            if record == nil {
                attrs.append("\\Noselect")
                if extended && (!implied.contains(name) || subscribedOnly) { attrs.append("\\NonExistent") }
            }
            attrs.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            if let subscribed, subscribed.contains(name) { attrs.append("\\Subscribed") }
            out.append(ListEntry(name: name, record: record, attributes: attrs))
        }
        out.sort { a, b in
            if a.name == "INBOX" { return b.name != "INBOX" }
            if b.name == "INBOX" { return false }
            return a.name < b.name
        }
        return out
    }

    /// Plain LIST and XLIST, from the list alone.
    func listLocal(_ tag: String, _ command: ListCommand, verb: String) {
        if command.patterns.count == 1, command.patterns[0].isEmpty {
            untagged(.list(MailboxInfo(attributes: ["\\Noselect"], delimiter: ns.separator, name: MailboxName(""))))
            return ok(tag, "Completed")
        }
        let entries = listEntries(
            reference: command.reference.bytes, patterns: command.patterns, visible: visibleMailboxes(),
            subscribed: nil, subscribedOnly: false, extended: false)
        for e in entries {
            var attrs = e.attributes
            if verb == "XLIST", e.name == "INBOX" { attrs.append("\\Inbox") }
            let info = MailboxInfo(attributes: attrs, delimiter: ns.separator, name: MailboxName(e.name))
            untagged(verb == "XLIST" ? .xlist(info) : .list(info))
        }
        ok(tag, "Completed (\(entries.count) mailboxes)")
    }

    /// LIST: local for the plain form; with selection or return options (RFC 5258, RFC 6154,
    /// RFC 5819) the names still come from the list, subscriptions from the INBOX backend, and
    /// special-use, STATUS and MYRIGHTS from one LIST per backend involved.
    func list(_ tagged: TaggedCommand, _ command: ListCommand) async {
        let tag = tagged.tag
        let extended = !command.selectOptions.isEmpty || !command.returnOptions.isEmpty
        guard extended else { return listLocal(tag, command, verb: "LIST") }
        let subscribedOnly = command.selectOptions.contains(.subscribed)
        let wantSubscribed = subscribedOnly || command.returnOptions.contains(.subscribed)
        var subscribed: Set<String>?
        if wantSubscribed {
            guard let set = await subscriptions(tag) else { return }
            subscribed = set
        }
        let visible = visibleMailboxes()
        let entries = listEntries(
            reference: command.reference.bytes, patterns: command.patterns, visible: visible, subscribed: subscribed,
            subscribedOnly: subscribedOnly, extended: true)
        // What only the backends know.
        let specialOnly = command.selectOptions.contains(.specialUse)
        let needBackends =
            specialOnly
            || command.returnOptions.contains { if case .subscribed = $0 { return false } else { return $0 != .children } }
        var extra: [String: (attributes: [String], data: [BackendResponse])] = [:]
        if needBackends {
            var backendCommand = command
            backendCommand.selectOptions.removeAll { $0 == .subscribed }
            backendCommand.returnOptions.removeAll { $0 == .subscribed }
            let servers = Set(entries.compactMap { $0.record?.location.server.description })
            for server in servers.sorted() {
                guard let link = await connected(tag, server) else { return }
                var buffer = EncodeBuffer(.clientLiteralPlus)
                buffer.writeCommand(.list(backendCommand))
                do {
                    let (responses, _) = try await exchange(link, buffer.bytes, untagged: .collect)
                    for response in responses {
                        switch response.parsed() {
                        case .untagged(.list(let info))?:
                            let special = info.attributes.filter { Self.specialUse.contains($0.lowercased()) }
                            extra[info.name.description, default: ([], [])].attributes = special
                        case .untagged(.status(let name, _))?, .untagged(.myRights(let name, _))?, .untagged(.metadata(let name, _))?:
                            extra[name.description, default: ([], [])].data.append(response)
                        default:
                            break
                        }
                    }
                } catch {
                    return await backendFailed(tag, link, error)
                }
            }
        }
        var count = 0
        for e in entries {
            let more = extra[e.name]
            if specialOnly && (more?.attributes.isEmpty ?? true) { continue }
            var attrs = e.attributes
            if command.returnOptions.contains(.specialUse) || specialOnly { attrs += more?.attributes ?? [] }
            untagged(.list(MailboxInfo(attributes: attrs, delimiter: ns.separator, name: MailboxName(e.name))))
            for data in more?.data ?? [] { write(data.bytes) }
            count += 1
        }
        ok(tag, "Completed (\(count) mailboxes)")
    }

    /// LSUB: the subscriptions held by the INBOX backend, shown against the whole list, so a
    /// subscribed mailbox on another backend is not `\Noselect` (SPEC.md §6).
    func lsub(_ tag: String, _ reference: MailboxName, _ pattern: [UInt8]) async {
        guard let subscribed = await subscriptions(tag) else { return }
        let entries = listEntries(
            reference: reference.bytes, patterns: [pattern], visible: visibleMailboxes(), subscribed: subscribed,
            subscribedOnly: true, extended: false)
        let structural: Set<String> = ["\\HasChildren", "\\HasNoChildren", "\\NonExistent", "\\Subscribed"]
        for e in entries {
            var attrs = e.attributes.filter { !structural.contains($0) }
            // RFC 3501 §6.3.9: a parent `%` stops at, or a name not in the list, is \Noselect.
            if (e.record == nil || !subscribed.contains(e.name)) && !attrs.contains("\\Noselect") { attrs.append("\\Noselect") }
            untagged(.lsub(MailboxInfo(attributes: attrs, delimiter: ns.separator, name: MailboxName(e.name))))
        }
        ok(tag, "Completed")
    }

    static let specialUse: Set<String> = ["\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash"]

    /// The user's subscriptions (external names), from the INBOX backend; nil after answering NO.
    func subscriptions(_ tag: String) async -> Set<String>? {
        guard let server = inboxServer else {
            no(tag, "Your INBOX is not in the mailbox list", code: .unavailable)
            return nil
        }
        guard let link = await connected(tag, server) else { return nil }
        do {
            let (responses, _) = try await exchange(link, Array("LSUB \"\" \"*\"".utf8), untagged: .collect)
            var names: Set<String> = []
            for response in responses {
                if case .untagged(.lsub(let info))? = response.parsed() { names.insert(info.name.description) }
            }
            return names
        } catch {
            await backendFailed(tag, link, error)
            return nil
        }
    }

    /// MYRIGHTS from the list's ACL (RFC 4314 §3.5).
    func myRights(_ tag: String, _ name: MailboxName) async {
        guard let record = await record(for: name) else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
        let r = rights(record)
        guard !r.letters.isEmpty else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
        untagged(.myRights(name, rights: r.description))
        ok(tag, "MYRIGHTS completed")
    }

    /// GETACL from the list's ACL (RFC 4314 §3.3): needs `a`.
    func getACL(_ tagged: TaggedCommand, _ name: MailboxName) async {
        let tag = tagged.tag
        guard let record = await record(for: name) else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
        let r = rights(record)
        guard r.has("l") || r.has("a") else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
        guard r.has("a") else { return no(tag, "Permission denied", code: .noPerm) }
        let entries = record.acl.entries.map { ACLIdentifierRights(identifier: $0.identifier, rights: $0.rights) }
        untagged(.acl(name, entries))
        ok(tag, "GETACL completed")
    }
}
