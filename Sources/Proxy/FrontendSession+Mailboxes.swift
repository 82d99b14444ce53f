import Foundation
import IMAPWire
import Logging
import MUpdate
import Transport

/// CREATE (SPEC.md §7.1) and RENAME (§7.3).
extension FrontendSession {
    /// CREATE: placed at the parent's backend, else (personal folders) the user's INBOX
    /// backend, else by the placement policy; then the freshness barrier, so a SELECT that
    /// follows on any frontend finds it.
    func create(_ tagged: TaggedCommand, _ name: MailboxName, partition: String?) async {
        let tag = tagged.tag
        var text = name.description
        if text.hasSuffix(String(ns.separator)) { text.removeLast() }
        guard let internalName = ns.internalName(text, user: user) else {
            return no(tag, "Invalid mailbox name", code: .cannot)
        }
        if partition != nil, !isAdmin { return no(tag, "Only administrators may choose a server or partition", code: .noPerm) }
        if let existing = ctx.list.record(InternalMailboxName(internalName)), existing.state == .active || !isAdmin {
            return no(tag, "Mailbox already exists", code: .alreadyExists)
        }
        var server: String?
        var backendPartition = partition
        if let partition, let bang = partition.firstIndex(of: "!") {
            server = String(partition[..<bang])
            let rest = String(partition[partition.index(after: bang)...])
            backendPartition = rest.isEmpty ? nil : rest
        } else if let partition, ServerName(partition) != nil, knownServers().contains(partition) {
            server = partition
            backendPartition = nil
        }
        if server == nil { server = parentServer(of: internalName) }
        if server == nil, isOwner(InternalMailboxName(internalName)), internalName != "user." + Namespace.userID(user) {
            server = inboxServer
        }
        if server == nil { server = await placeNewMailbox() }
        guard let server else { return no(tag, "No backend to place the mailbox on", code: .unavailable) }
        guard let link = await connected(tag, server) else { return }
        var command = tagged
        if case .create(_, _, let params) = tagged.command {
            command.command = .create(MailboxName(text), partition: backendPartition, params)
        }
        guard let answer = await proxy(command, to: link) else { return }
        if answer.status == .ok {
            _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout)
            logger.info("created \(internalName) on \(server)")
        }
    }

    /// The server of the nearest existing ancestor of `internalName`.
    func parentServer(of internalName: String) -> String? {
        var parts = internalName.split(separator: ".", omittingEmptySubsequences: false)
        while parts.count > 1 {
            parts.removeLast()
            let parent = parts.joined(separator: ".")
            if parent == "user" { break }
            if let record = ctx.list.record(InternalMailboxName(parent)) { return record.location.server.description }
        }
        return nil
    }

    /// Every server of the list, or `placementServers` when configured.
    func knownServers() -> [String] {
        if !ctx.settings.placementServers.isEmpty { return ctx.settings.placementServers }
        var servers: Set<String> = []
        ctx.list.forEachRecord { servers.insert($0.location.server.description) }
        return servers.sorted()
    }

    /// The placement policy (SPEC.md §7.1): the most free space by each backend's
    /// `freespace/total` metadata (`avail;total` in KiB), or a random backend.
    func placeNewMailbox() async -> String? {
        let servers = knownServers()
        guard !servers.isEmpty else { return nil }
        if ctx.settings.placement == .random { return servers.randomElement() }
        var best: (server: String, avail: UInt64)?
        for server in servers {
            guard let link = try? await link(for: server) else { continue }
            let command = "GETMETADATA \"\" (\"/shared/vendor/cmu/cyrus-imapd/freespace/total\")"
            guard let (responses, answer) = try? await exchange(link, Array(command.utf8), untagged: .collect),
                answer.status == .ok
            else { continue }
            for response in responses {
                guard case .untagged(.metadata(_, .values(let values)))? = response.parsed(),
                    let value = values.first?.value,
                    let avail = UInt64(String(decoding: value, as: UTF8.self).split(separator: ";").first ?? "")
                else { continue }
                if best == nil || avail > best!.avail { best = (server, avail) }
            }
        }
        return best?.server ?? servers.randomElement()
    }

    /// RENAME: to the owner (the location stays; a new parent elsewhere makes a name-only
    /// rename, as Cyrus). `RENAME name name server` by an admin is an XFER.
    func rename(_ tagged: TaggedCommand, _ from: MailboxName, _ to: MailboxName, partition: String?) async {
        let tag = tagged.tag
        if partition != nil {
            guard isAdmin else { return no(tag, "Only administrators may move mailboxes", code: .noPerm) }
            guard from == to else { return no(tag, "A rename cannot also move the mailbox to another server", code: .cannot) }
            // XFER (SPEC.md §7.5): the mailbox's backend drives it; it goes there like a rename.
        }
        guard let record = await record(for: from) else { return no(tag, "Mailbox does not exist", code: .nonExistent) }
        guard record.state == .active else { return no(tag, "Mailbox is being moved", code: .unavailable) }
        guard let link = await connected(tag, record.location.server.description) else { return }
        guard let answer = await proxy(tagged, to: link) else { return }
        if answer.status == .ok { _ = await ctx.list.barrier(timeout: ctx.settings.barrierTimeout) }
    }
}
