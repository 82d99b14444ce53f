import Foundation

/// Mailbox naming as Cyrus 3.6 does it: external names (what clients send) to iname names
/// (the spool's and MUPDATE's keys) and back.
///
/// With `unixhierarchysep: yes` (separator `/`), the standard namespace maps
///
///     INBOX            <-> user.alice
///     INBOX/Sent       <-> user.alice.Sent
///     user/bob/Drafts  <-> user.bob.Drafts
///     shared/memo      <-> shared.memo
///     a.b              <-> a^b           (a literal `.` is stored as `^`)
///
/// and the alternate namespace puts personal folders at the top (`Sent`), other users under
/// `Other Users/` and shared mailboxes under `Shared Folders/`.
public struct Namespace: Sendable, Hashable {
    public var separator: Character
    public var alternate: Bool

    public static let otherUsersPrefix = "Other Users"
    public static let sharedPrefix = "Shared Folders"

    public init(separator: Character = "/", alternate: Bool = false) {
        self.separator = separator
        self.alternate = alternate
    }

    var sep: String { String(separator) }

    /// The iname name of an external name for `user`, nil when it cannot name a mailbox.
    public func internalName(_ external: String, user: String?) -> String? {
        guard !external.isEmpty, !external.hasSuffix(sep) else { return nil }
        var parts = external.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        if separator == "/" {
            guard !parts.contains(where: { $0.contains("^") }) else { return nil }
            parts = parts.map { $0.replacingOccurrences(of: ".", with: "^") }
        }
        let own = user.map { Self.userID($0) }
        if parts[0].uppercased() == "INBOX" {
            guard let own else { return nil }
            return (["user", own] + parts.dropFirst()).joined(separator: ".")
        }
        if alternate {
            if parts[0] == Self.otherUsersPrefix {
                guard parts.count >= 2 else { return nil }
                return (["user"] + parts.dropFirst()).joined(separator: ".")
            }
            if parts[0] == Self.sharedPrefix {
                guard parts.count >= 2 else { return nil }
                return parts.dropFirst().joined(separator: ".")
            }
            guard let own else { return nil }
            return (["user", own] + parts).joined(separator: ".")
        }
        if parts[0] == "user" && parts.count == 1 { return nil }
        return parts.joined(separator: ".")
    }

    /// The external name of an iname name as `user` sees it.
    public func externalName(_ internalName: String, user: String?) -> String {
        var parts = internalName.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if separator == "/" { parts = parts.map { $0.replacingOccurrences(of: "^", with: ".") } }
        let own = user.map { Self.userID($0).replacingOccurrences(of: "^", with: ".") }
        if parts.count >= 2, parts[0] == "user" {
            if let own, parts[1] == own {
                let rest = parts.dropFirst(2)
                return alternate && !rest.isEmpty ? rest.joined(separator: sep) : (["INBOX"] + rest).joined(separator: sep)
            }
            if alternate { return ([Self.otherUsersPrefix] + parts.dropFirst()).joined(separator: sep) }
            return parts.joined(separator: sep)
        }
        if alternate { return ([Self.sharedPrefix] + parts).joined(separator: sep) }
        return parts.joined(separator: sep)
    }

    /// A user id as it appears in iname names: `.` stored as `^`.
    public static func userID(_ user: String) -> String {
        user.replacingOccurrences(of: ".", with: "^")
    }

    /// `* NAMESPACE` as Cyrus answers it.
    public var prefixes: (personal: String, other: String, shared: String) {
        alternate ? ("", Self.otherUsersPrefix + sep, Self.sharedPrefix + sep) : ("INBOX" + sep, "user" + sep, "")
    }
}
