import MUpdate
import Auth
import Transport
import Logging
import IMAPWire
import Spool

extension IMAPSession {
    struct ListEntry {
        var name: String
        var record: MailboxRecord?
        var attributes: [String]
    }

    /// LIST, with the selection and return options of RFC 5258, RFC 6154 and RFC 5819.
    func list(_ tag: String, _ command: ListCommand) {
        let extended = !command.selectOptions.isEmpty || !command.returnOptions.isEmpty
        if command.patterns.count == 1, command.patterns[0].isEmpty, !extended {
            untagged(.list(MailboxInfo(attributes: ["\\Noselect"], delimiter: ns.separator, name: MailboxName(""))))
            return ok(tag, "Completed")
        }
        let subscribedOnly = command.selectOptions.contains(.subscribed)
        let specialOnly = command.selectOptions.contains(.specialUse)
        let wantSubscribed = subscribedOnly || command.returnOptions.contains(.subscribed)
        var statusAttrs: [StatusAttribute]? = nil
        for case .status(let a) in command.returnOptions { statusAttrs = a }
        let entries = listEntries(
            reference: command.reference.bytes, patterns: command.patterns, subscribedOnly: subscribedOnly,
            markSubscribed: wantSubscribed, extended: extended
        )
        for e in entries {
            if specialOnly && (e.record?.specialUse.isEmpty ?? true) { continue }
            let name = MailboxName(e.name)
            untagged(.list(MailboxInfo(attributes: e.attributes, delimiter: ns.separator, name: name)))
            if command.returnOptions.contains(.myRights), let record = e.record {
                untagged(.myRights(name, rights: rights(record).description))
            }
            if let attrs = statusAttrs, let record = e.record, rights(record).has("r"),
                let items = try? statusItems(record, attrs)
            {
                untagged(.status(name, items))
            }
        }
        ok(tag, "Completed (\(entries.count) mailboxes)")
    }

    func lsub(_ tag: String, _ reference: MailboxName, _ pattern: [UInt8]) {
        let entries = listEntries(
            reference: reference.bytes, patterns: [pattern], subscribedOnly: true, markSubscribed: false,
            extended: false
        )
        let subscribed = Set(ctx.spool.subscriptions(user: user).map { ns.externalName($0, user: user) })
        for e in entries {
            var attrs = e.attributes.filter { $0 != "\\HasChildren" && $0 != "\\HasNoChildren" && $0 != "\\NonExistent" }
            // RFC 3501 §6.3.9: an unsubscribed parent that `%` stops at is shown \Noselect,
            // whether or not the mailbox exists.
            let listedOnlyAsParent = e.record == nil || !subscribed.contains(e.name)
            if listedOnlyAsParent && !attrs.contains("\\Noselect") { attrs.append("\\Noselect") }
            untagged(.lsub(MailboxInfo(attributes: attrs, delimiter: ns.separator, name: MailboxName(e.name))))
        }
        ok(tag, "Completed")
    }

    /// XLIST (Cyrus semantics): LIST with special-use attributes and `\Inbox` on INBOX.
    func xlist(_ tag: String, _ reference: MailboxName, _ pattern: [UInt8]) {
        let entries = listEntries(
            reference: reference.bytes, patterns: [pattern], subscribedOnly: false, markSubscribed: false,
            extended: false
        )
        for e in entries {
            var attrs = e.attributes
            if e.name == "INBOX" { attrs.append("\\Inbox") }
            untagged(.xlist(MailboxInfo(attributes: attrs, delimiter: ns.separator, name: MailboxName(e.name))))
        }
        ok(tag, "Completed")
    }

    /// The entries matching the patterns, sorted with INBOX first. Names not visible to the user
    /// are never listed; a parent that does not exist (or is not visible) shows as `\Noselect`
    /// (`\NonExistent` too in extended LIST) when `%` stops at it.
    func listEntries(
        reference: [UInt8], patterns: [[UInt8]], subscribedOnly: Bool, markSubscribed: Bool, extended: Bool
    ) -> [ListEntry] {
        let matchers = patterns.map { ListPattern(reference + $0, separator: ns.separator) }
        var visible: [String: MailboxRecord] = [:]
        for record in ctx.spool.mailboxes() {
            let r = rights(record)
            guard r.has("l") || isAdmin else { continue }
            visible[ns.externalName(record.name, user: user)] = record
        }
        let subscribed = Set(ctx.spool.subscriptions(user: user).map { ns.externalName($0, user: user) })
        let candidates: Set<String> = subscribedOnly ? subscribed : Set(visible.keys)
        // Parents that exist only as a path to something visible.
        var implied: Set<String> = []
        for name in candidates {
            var parts = name.split(separator: ns.separator).map(String.init)
            while parts.count > 1 {
                parts.removeLast()
                let p = parts.joined(separator: String(ns.separator))
                if !candidates.contains(p) { implied.insert(p) }
            }
        }
        func matches(_ name: String) -> Bool { matchers.contains { $0.matches(Array(name.utf8)) } }
        let allNames = candidates.union(implied)
        var out: [ListEntry] = []
        for name in allNames where matches(name) {
            let prefix = name + String(ns.separator)
            let hasChildren = visible.keys.contains { $0.hasPrefix(prefix) }
            if implied.contains(name) {
                // Listed only when the pattern stops here (no child of it matches).
                if allNames.contains(where: { $0.hasPrefix(prefix) && matches($0) }) { continue }
            }
            var attrs: [String] = []
            let record = visible[name]
            if record == nil {
                attrs.append("\\Noselect")
                if extended && !implied.contains(name) || extended && subscribedOnly { attrs.append("\\NonExistent") }
            }
            attrs.append(hasChildren ? "\\HasChildren" : "\\HasNoChildren")
            if let record { attrs += record.specialUse }
            if markSubscribed && subscribed.contains(name) { attrs.append("\\Subscribed") }
            out.append(ListEntry(name: name, record: record, attributes: attrs))
        }
        out.sort { a, b in
            if a.name == "INBOX" { return b.name != "INBOX" }
            if b.name == "INBOX" { return false }
            return a.name < b.name
        }
        return out
    }
}
