import Testing

@testable import MUpdate

@Suite struct MailboxLocationTests {
    @Test(
        "server!partition locations parse and print back unchanged",
        arguments: [
            ("127.0.0.1:14143!default", "127.0.0.1", UInt16(14143), "default"),
            ("backend1.example.com!default", "backend1.example.com", nil, "default"),
            ("[::1]:14143!p1", "[::1]", UInt16(14143), "p1"),
            ("be_1!part-2", "be_1", nil, "part-2"),
            ("backend1", "backend1", nil, nil),
            ("BE1:143!Default", "BE1", UInt16(143), "Default"),
            // Cyrus 3.6 backends register renamed and deleted mailboxes at "server!" with an
            // empty partition until `ctl_mboxlist -m` corrects them.
            ("127.0.0.1:34661!", "127.0.0.1", UInt16(34661), ""),
        ] as [(String, String, UInt16?, String?)])
    func valid(_ c: (String, String, UInt16?, String?)) throws {
        let location = try #require(MailboxLocation(c.0))
        #expect(location.server.host == c.1)
        #expect(location.server.port == c.2)
        #expect(location.partition == c.3)
        #expect(location.description == c.0)
        #expect(MailboxLocation(Array(c.0.utf8)) == location)
    }

    @Test(
        "malformed locations",
        arguments: [
            "", "!default", "a!b!c", "be 1!p", "be1!p q", "be1:0!p", "be1:65536!p", "be1:0143!p", "be1:!p",
            "::1!p", "[::1!p", "[]!p", "be1:14x!p", "be/1!p", "be1!p\u{7F}",
        ])
    func invalid(_ text: String) {
        #expect(MailboxLocation(text) == nil)
    }

    @Test("invalid UTF-8 is no location")
    func invalidUTF8() {
        #expect(MailboxLocation([0x62, 0xFF, 0x21, 0x70]) == nil)
    }

    @Test("built from parts")
    func parts() throws {
        let server = try #require(ServerName(host: "127.0.0.1", port: 14143))
        #expect(MailboxLocation(server: server, partition: "default")?.description == "127.0.0.1:14143!default")
        #expect(MailboxLocation(server: server, partition: "")?.description == "127.0.0.1:14143!")
        #expect(MailboxLocation(server: server, partition: "a!b") == nil)
        #expect(MailboxLocation.listPrefix(for: server) == "127.0.0.1:14143!")
    }
}

@Suite struct ServerNameTests {
    @Test("host and port, 143 by default")
    func ports() throws {
        let plain = try #require(ServerName("imap.example.com"))
        #expect(plain.port == nil)
        #expect(plain.effectivePort == 143)
        let explicit = try #require(ServerName("127.0.0.1:14143"))
        #expect(explicit.host == "127.0.0.1")
        #expect(explicit.effectivePort == 14143)
        #expect(ServerName("127.0.0.1:65535")?.port == 65535)
        #expect(ServerName("[fe80::1]")?.port == nil)
        #expect(ServerName(host: "h", port: 0) == nil)
        #expect(ServerName(host: "h h") == nil)
        #expect(ServerName(host: "h", port: 3905)?.description == "h:3905")
    }
}
