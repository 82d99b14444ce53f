
/// RFC 4314 rights as Cyrus computes them for a user on a mailbox.
public struct Rights: Sendable, Hashable, CustomStringConvertible {
    public var letters: Set<Character>

    public init(_ s: String) { letters = Set(s) }

    /// Every right, in Cyrus's order (with the obsolete `c` and `d` it still reports).
    public static let all = Rights("lrswipkxtecdan")
    static let order: [Character] = Array("lrswipkxtecdan0123456789")

    public func has(_ c: Character) -> Bool { letters.contains(c) }

    /// Canonical text: letters in Cyrus's order; `c` present iff `k`, `d` iff `t` and `e`
    /// (RFC 4314 §2.1.1).
    public var description: String {
        var l = letters
        l.remove("c")
        l.remove("d")
        if l.contains("k") { l.insert("c") }
        if l.contains("t") && l.contains("e") { l.insert("d") }
        return String(Self.order.filter { l.contains($0) })
    }

    /// Rights given in SETACL: `c` means `k`, `d` means `t` and `e` (RFC 4314 §2.1.1).
    public static func parse(_ s: String) -> Rights? {
        var set = Set<Character>()
        for c in s {
            guard order.contains(c) else { return nil }
            switch c {
            case "c": set.insert("k")
            case "d": set.formUnion(["t", "e"])
            default: set.insert(c)
            }
        }
        return Rights(String(set))
    }

    /// Rights of `user` under an ACL text: the union of `user`'s and `anyone`'s entries minus
    /// the negative ones, plus the owner's implicit `lkxan` on their own mailboxes; an admin has
    /// every right.
    public static func of(user: String, acl: String, isAdmin: Bool, isOwner: Bool) -> Rights {
        if isAdmin { return .all }
        return of(user: user, acl: (try? CyrusACL(parsing: Array(acl.utf8))) ?? .empty, isAdmin: false, isOwner: isOwner)
    }

    /// ``of(user:acl:isAdmin:isOwner:)`` on an ACL already parsed (a mailbox list record's).
    public static func of(user: String, acl: CyrusACL, isAdmin: Bool, isOwner: Bool) -> Rights {
        if isAdmin { return .all }
        var granted = Set<Character>()
        var denied = Set<Character>()
        for e in acl.entries {
            let id = e.isNegative ? String(e.identifier.dropFirst()) : e.identifier
            guard id == user || id == "anyone" || (id == "anonymous" && user == "anonymous") else { continue }
            let r = Rights.parse(e.rights)?.letters ?? []
            if e.isNegative { denied.formUnion(r) } else { granted.formUnion(r) }
        }
        if isOwner { granted.formUnion("lkxan") }
        return Rights(String(granted.subtracting(denied)))
    }
}
