import MUpdate
import Auth
import Transport
import Logging
import Foundation
import IMAPWire
import Spool

extension IMAPSession {
    static let freespaceEntry = "/shared/vendor/cmu/cyrus-imapd/freespace/total"

    /// GETMETADATA (RFC 5464 §4.2) with DEPTH and MAXSIZE. Entries Cyrus frontends ask for
    /// are computed: `/private/specialuse` of a mailbox and the spool's free space.
    func getMetadata(_ tag: String, _ options: [MetadataOption], _ name: MailboxName, _ entries: [String]) {
        var record: MailboxRecord? = nil
        if !name.bytes.isEmpty {
            guard let iname = resolve(tag, name), let r = visibleMailbox(tag, iname, need: "r") else { return }
            record = r
        }
        var depth = MetadataDepth.zero
        var maxSize: UInt32? = nil
        for o in options {
            switch o {
            case .depth(let d): depth = d
            case .maxSize(let n): maxSize = n
            case .other: return bad(tag, "Unknown GETMETADATA option")
            }
        }
        let mailbox = record?.name ?? ""
        var items: [MetadataResult.Item] = []
        var longest: UInt32 = 0
        for entry in entries {
            let lower = entry.lowercased()
            guard lower.hasPrefix("/private") || lower.hasPrefix("/shared") else {
                return bad(tag, "Metadata entries start with /private or /shared")
            }
            let isPrivate = lower.hasPrefix("/private")
            var found: [(String, [UInt8])] = []
            if lower == Self.freespaceEntry, record == nil {
                found.append((Self.freespaceEntry, Array(freeSpace().utf8)))
            } else if lower == "/private/specialuse", let record {
                if !record.specialUse.isEmpty { found.append((entry, Array(record.specialUse.joined(separator: " ").utf8))) }
            } else {
                let stored = (try? ctx.spool.metadata(mailbox, user: isPrivate ? user : nil, entries: [])) ?? []
                for (e, v) in stored {
                    let full = e
                    if full == lower {
                        found.append((full, v))
                    } else if depth != .zero, full.hasPrefix(lower + "/") {
                        let rest = full.dropFirst(lower.count + 1)
                        if depth == .infinity || !rest.contains("/") { found.append((full, v)) }
                    }
                }
            }
            for (e, v) in found {
                if let maxSize, v.count > maxSize {
                    longest = max(longest, UInt32(v.count))
                    continue
                }
                items.append(MetadataResult.Item(entry: e, value: v))
            }
        }
        if !items.isEmpty { untagged(.metadata(name, .values(items))) }
        ok(tag, "Completed", code: longest > 0 ? .metadataLongEntries(longest) : nil)
    }

    /// SETMETADATA (RFC 5464 §4.3): private entries need `l`, shared ones `w` (or `n`); server
    /// entries need an admin. `/private/specialuse` sets the mailbox's special use.
    func setMetadata(_ tag: String, _ name: MailboxName, _ values: [MetadataEntryValue]) {
        var record: MailboxRecord? = nil
        if !name.bytes.isEmpty {
            guard let iname = resolve(tag, name), let r = visibleMailbox(tag, iname) else { return }
            record = r
        }
        var priv: [(String, [UInt8]?)] = []
        var shared: [(String, [UInt8]?)] = []
        for v in values {
            let lower = v.entry.lowercased()
            let data: [UInt8]?
            switch v.value {
            case .nil: data = nil
            case .string(let b), .binary(let b): data = b
            }
            if let data, data.count > 64 * 1024 { return no(tag, "Value too large", code: .metadataMaxSize(65536)) }
            if lower.hasPrefix("/private/") {
                priv.append((lower, data))
            } else if lower.hasPrefix("/shared/") {
                shared.append((lower, data))
            } else {
                return bad(tag, "Metadata entries start with /private/ or /shared/")
            }
        }
        if let record {
            let r = rights(record)
            if !priv.isEmpty && !r.has("l") { return no(tag, "Permission denied", code: .noPerm) }
            if !shared.isEmpty && !(r.has("w") || r.has("n")) { return no(tag, "Permission denied", code: .noPerm) }
        } else if !shared.isEmpty && !isAdmin {
            return no(tag, "Permission denied", code: .noPerm)
        }
        do {
            if let record, let special = priv.first(where: { $0.0 == "/private/specialuse" }) {
                let uses = special.1.map { String(decoding: $0, as: UTF8.self).split(separator: " ").map(String.init) } ?? []
                try ctx.spool.setSpecialUse(record.name, uses)
                priv.removeAll { $0.0 == "/private/specialuse" }
            }
            let mailbox = record?.name ?? ""
            if !priv.isEmpty { try ctx.spool.setMetadata(mailbox, user: user, priv) }
            if !shared.isEmpty { try ctx.spool.setMetadata(mailbox, user: nil, shared) }
            ok(tag, "Completed")
        } catch {
            fail(tag, error, "SETMETADATA")
        }
    }

    /// `"<available KiB>;<total KiB>"` of the spool's file system, as Cyrus reports it.
    func freeSpace() -> String {
        var st = statvfs()
        guard statvfs(ctx.spool.root, &st) == 0 else { return "0;0" }
        let avail = UInt64(st.f_bavail) * UInt64(st.f_frsize) / 1024
        let total = UInt64(st.f_blocks) * UInt64(st.f_frsize) / 1024
        return "\(avail);\(total)"
    }
}
