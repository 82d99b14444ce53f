import IMAPWire
import Testing

@testable import MUpdate

@Suite struct CyrusACLTests {
    @Test(
        "the TAB form parses and prints back unchanged",
        arguments: [
            ("", [] as [(String, String)]),
            ("bob\tlrswipkxtecdan\t", [("bob", "lrswipkxtecdan")]),
            ("alice\tlrswipkxtecdan\tanyone\tlr\t", [("alice", "lrswipkxtecdan"), ("anyone", "lr")]),
            ("-bob\tw\tgroup:staff\tlrs0123\t", [("-bob", "w"), ("group:staff", "lrs0123")]),
            ("jörg@example.com\tlrs\t", [("jörg@example.com", "lrs")]),
            ("anonymous\tl\tadmin user\ta\t", [("anonymous", "l"), ("admin user", "a")]),
        ])
    func valid(_ c: (String, [(String, String)])) throws {
        let parsed = try CyrusACL(parsing: c.0)
        #expect(parsed.entries.map(\.identifier) == c.1.map(\.0))
        #expect(parsed.entries.map(\.rights) == c.1.map(\.1))
        #expect(parsed.description == c.0)
        #expect(parsed.bytes == Array(c.0.utf8))
        #expect(parsed.isEmpty == c.1.isEmpty)
    }

    @Test(
        "malformed ACLs",
        arguments: [
            "bob\tlrs", "bob", "\tlrs\t", "bob\t\t", "bob\tlrsZ\t", "bob\tLRS\t", "-\tlrs\t", "bob\tlr\tbob\tw\t",
            "b\u{1}ob\tlr\t", "bob\tlr\t\t", "bob\tl r\t",
        ])
    func invalid(_ text: String) {
        #expect(throws: ParserError.self) { try CyrusACL(parsing: text) }
    }

    @Test("invalid UTF-8 in an identifier is refused")
    func invalidUTF8() {
        #expect(throws: ParserError.self) { try CyrusACL(parsing: [0x62, 0xFF, 0x09, 0x6C, 0x09]) }
    }

    @Test("rights letters of RFC 4314 and Cyrus's additions")
    func letters() {
        for letter in "lrswipkxtecdan0123456789" { #expect(CyrusACL.isValidRights(String(letter))) }
        for letter in "bfghjmoquvyzLR*+-" { #expect(!CyrusACL.isValidRights(String(letter))) }
        #expect(!CyrusACL.isValidRights(""))
        #expect(CyrusACL.isValidIdentifier("anyone"))
        #expect(!CyrusACL.isValidIdentifier(""))
        #expect(!CyrusACL.isValidIdentifier("a\tb"))
    }

    @Test("the dictionary view and in-place edits keep the order")
    func dictionary() throws {
        var acl = try CyrusACL(parsing: "alice\tlrswipkxtecdan\tanyone\tlr\t-bob\tw\t")
        #expect(acl.dictionary == ["alice": "lrswipkxtecdan", "anyone": "lr", "-bob": "w"])
        #expect(acl["anyone"] == "lr")
        #expect(acl["-bob"] == "w")
        #expect(acl.entries.map(\.isNegative) == [false, false, true])
        acl["anyone"] = "lrs"
        acl["carol"] = "lrsip"
        acl["-bob"] = nil
        #expect(acl.description == "alice\tlrswipkxtecdan\tanyone\tlrs\tcarol\tlrsip\t")
        #expect(acl["nobody"] == nil)
    }

    @Test("building from entries refuses a repeated identifier")
    func entries() throws {
        let a = try #require(CyrusACL.Entry(identifier: "a", rights: "lr"))
        #expect(CyrusACL([a, a]) == nil)
        #expect(CyrusACL([a])?.description == "a\tlr\t")
        #expect(CyrusACL.Entry(identifier: "a", rights: "lrZ") == nil)
    }

    @Test("a repeated identifier is refused in a short ACL and in a long one, and a long one parses whole")
    func repeatedIdentifiers() throws {
        #expect(throws: ParserError.self) { _ = try CyrusACL(parsing: "bob\tlr\talice\tlr\tbob\tw\t") }
        let long = (0..<3000).map { "user\($0)\tlrswipkxtecdan\t" }.joined()
        let acl = try CyrusACL(parsing: long)
        #expect(acl.entries.count == 3000 && acl.description == long)
        #expect(throws: ParserError.self) { _ = try CyrusACL(parsing: long + "user2999\tlr\t") }
        #expect(throws: ParserError.self) { _ = try CyrusACL(parsing: long + "user7\tlr\t") }
    }
}
