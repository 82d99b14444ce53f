import Testing

@testable import MUpdate

@Suite struct NamespaceTests {
    static let standard: [(String, String?, String?)] = [
        ("INBOX", "alice", "user.alice"),
        ("inbox", "alice", "user.alice"),
        ("INBOX/Sent", "alice", "user.alice.Sent"),
        ("Inbox/a.b", "alice", "user.alice.a^b"),
        ("user/bob", "alice", "user.bob"),
        ("user/bob/Drafts", "alice", "user.bob.Drafts"),
        ("shared/memo", "alice", "shared.memo"),
        ("user", "alice", nil),
        ("INBOX//x", "alice", nil),
        ("a^b", "alice", nil),
        ("INBOX", nil, nil),
        ("", "alice", nil),
    ]

    @Test("standard namespace with / maps external names to Cyrus internal names", arguments: standard)
    func standardInternal(_ external: String, _ user: String?, _ expected: String?) {
        #expect(Namespace().internalName(external, user: user) == expected)
    }

    static let back: [(String, String, String)] = [
        ("user.alice", "alice", "INBOX"),
        ("user.alice.Sent", "alice", "INBOX/Sent"),
        ("user.alice.a^b", "alice", "INBOX/a.b"),
        ("user.bob.Drafts", "alice", "user/bob/Drafts"),
        ("shared.memo", "alice", "shared/memo"),
        ("user.john^doe", "john.doe", "INBOX"),
    ]

    @Test("internal names come back as the user sees them", arguments: back)
    func standardExternal(_ internalName: String, _ user: String, _ expected: String) {
        #expect(Namespace().externalName(internalName, user: user) == expected)
    }

    static let alternate: [(String, String?)] = [
        ("INBOX", "user.alice"),
        ("Sent", "user.alice.Sent"),
        ("Other Users/bob/Drafts", "user.bob.Drafts"),
        ("Shared Folders/shared/memo", "shared.memo"),
        ("Other Users", nil),
    ]

    @Test("the alternate namespace puts personal folders at the top", arguments: alternate)
    func alternateNames(_ external: String, _ expected: String?) {
        let ns = Namespace(separator: "/", alternate: true)
        #expect(ns.internalName(external, user: "alice") == expected)
        if let expected { #expect(ns.externalName(expected, user: "alice") == external) }
    }

    @Test("with . as the separator names are as Cyrus stores them")
    func dotSeparator() {
        let ns = Namespace(separator: ".", alternate: false)
        #expect(ns.internalName("INBOX.Sent", user: "alice") == "user.alice.Sent")
        #expect(ns.externalName("user.bob.x", user: "alice") == "user.bob.x")
        #expect(ns.prefixes.personal == "INBOX.")
    }
}

@Suite struct RightsTests {
    @Test("a user's rights are theirs and anyone's, minus negative entries; owners keep lkxan")
    func union() {
        let acl = "anyone\tlr\tbob\tsw\t-bob\tr\t"
        #expect(Rights.of(user: "bob", acl: acl, isAdmin: false, isOwner: false).description == "lsw")
        #expect(Rights.of(user: "carol", acl: acl, isAdmin: false, isOwner: false).description == "lr")
        #expect(Rights.of(user: "carol", acl: "", isAdmin: false, isOwner: true).description == "lkxcan")
        #expect(Rights.of(user: "x", acl: "", isAdmin: true, isOwner: false) == .all)
    }

    @Test("c and d are the obsolete forms of k and te (RFC 4314 §2.1.1)")
    func obsolete() {
        #expect(Rights.parse("c")?.description == "kc")
        #expect(Rights.parse("d")?.description == "ted")
        #expect(Rights.parse("lrz") == nil)
        #expect(Rights.all.description == "lrswipkxtecdan")
    }
}
