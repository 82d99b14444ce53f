import Testing

@testable import Spool

@Suite struct OwnerKeyTests {
    @Test(
        "owner key of an internal name",
        arguments: [
            ("user.alice", "user.alice"),
            ("user.alice.Sent", "user.alice"),
            ("user.alice.Archive.2024", "user.alice"),
            ("user.alice^smith.Drafts", "user.alice^smith"),
            ("shared", "shared"),
            ("shared.memo", "shared"),
            ("shared.memo.old", "shared"),
            ("example.com!user.bob", "example.com!user.bob"),
            ("example.com!user.bob.Drafts", "example.com!user.bob"),
            ("example.com!news.x", "example.com!news"),
            ("user", "user"),
        ]
    )
    func ownerOfName(name: String, owner: String) {
        #expect(Spool.owner(of: name) == owner)
        #expect(Spool.quotaRoot(of: name) == owner)
    }

    @Test(
        "owner key of a user id, dots stored as carets",
        arguments: [
            ("alice", "user.alice"),
            ("alice.smith", "user.alice^smith"),
            ("alice@example.com", "example.com!user.alice"),
            ("a.b@ex.org", "ex.org!user.a^b"),
        ]
    )
    func userOwnerKey(user: String, key: String) {
        #expect(Spool.userOwnerKey(user) == key)
        #expect(Spool.owner(of: key + ".INBOX-child") == key)
    }

    @Test("the owning user of a user's owner key", arguments: ["alice", "alice.smith", "alice@example.com", "a.b@ex.org"])
    func ownerUser(user: String) {
        #expect(Spool.ownerUser(Spool.userOwnerKey(user)) == user)
    }

    @Test("shared owners have no owning user", arguments: ["shared", "example.com!news", "user", "user."])
    func sharedOwnerUser(key: String) {
        #expect(Spool.ownerUser(key) == nil)
    }

    @Test(
        "folder name round trip with odd characters",
        arguments: [
            "user.alice", "example.com!user.bob", "user.a b", "user.ä", "user.x/y", "user.%41", ".hidden", "..",
            ".", "user.tab\t", "shared.日本語", "user.a^b", "%server", "user.-_@!",
        ]
    )
    func folderRoundTrip(key: String) {
        let folder = Spool.folderName(key)
        #expect(Spool.ownerKey(folder: folder) == key)
        #expect(folder != "." && folder != ".." && !folder.isEmpty)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@!^-%".utf8)
        #expect(folder.utf8.allSatisfy { allowed.contains($0) }, "\(folder)")
        #expect(!folder.hasPrefix("."))
    }

    @Test("plain owner keys are their own folder names")
    func plainKeys() {
        #expect(Spool.folderName("user.alice") == "user.alice")
        #expect(Spool.folderName("example.com!user.bob") == "example.com!user.bob")
        #expect(Spool.folderName("user.a b") == "user.a%20b")
        #expect(Spool.folderName("user.x/y") == "user.x%2Fy")
    }

    @Test("malformed percent escapes in a folder name are not owner keys", arguments: ["%", "%4", "%G1", "a%2", "%FF"])
    func malformedFolder(folder: String) {
        #expect(Spool.ownerKey(folder: folder) == nil)
    }

    @Test(
        "names the spool refuses",
        arguments: ["", "user..x", "user.x.", ".x", "user.a\u{1}b", "user.a\u{7f}", String(repeating: "a", count: 491)]
    )
    func badNames(name: String) {
        expectSpoolError(.badName) { try Spool.validate(name) }
    }

    @Test("names the spool accepts", arguments: ["user.alice", "shared.memo", "example.com!user.bob.x", "user.a b/c"])
    func goodNames(name: String) throws {
        try Spool.validate(name)
    }
}
