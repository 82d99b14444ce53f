import Testing

@testable import IMAPWire

/// The server side of the sample connection of RFC 3501 §8, with the long FETCH line's
/// editorial breaks joined by single spaces.
@Suite struct RFC3501SampleSessionTests {
    static let header = [
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", "From: Terry Gray <gray@cac.washington.edu>",
        "Subject: IMAP4rev1 WG mtg summary and minutes", "To: imap@cac.washington.edu",
        "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
        "Message-Id: <B27397-0100000@cac.washington.edu>",
        "MIME-Version: 1.0", "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII", "",
    ].map { $0 + "\r\n" }.joined()

    static let lines: [(String, Response)] = [
        ("* OK IMAP4rev1 Service Ready\r\n", .untaggedOK("IMAP4rev1 Service Ready")),
        ("a001 OK LOGIN completed\r\n", .ok("a001", "LOGIN completed")),
        ("* 18 EXISTS\r\n", .untagged(.exists(18))),
        (
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
            .untagged(.flags([.answered, .flagged, .deleted, .seen, .draft]))
        ),
        ("* 2 RECENT\r\n", .untagged(.recent(2))),
        (
            "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
            .untaggedOK("Message 17 is the first unseen message", code: .unseen(17))
        ),
        ("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", .untaggedOK("UIDs valid", code: .uidValidity(3_857_529_045))),
        ("a002 OK [READ-WRITE] SELECT completed\r\n", .ok("a002", "SELECT completed", code: .readWrite)),
        (
            "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
            .untagged(
                .fetch(
                    12,
                    [
                        .flags([.seen]), .internalDate(ResponseSamples.date), .rfc822Size(4286),
                        .envelope(ResponseSamples.envelope),
                        .body(ResponseSamples.textPart),
                    ]))
        ),
        ("a003 OK FETCH completed\r\n", .ok("a003", "FETCH completed")),
        (
            "* 12 FETCH (BODY[HEADER] {342}\r\n\(header))\r\n",
            .untagged(.fetch(12, [.bodySection(SectionSpecifier(text: .header), origin: nil, data: octets(header))]))
        ),
        ("a004 OK FETCH completed\r\n", .ok("a004", "FETCH completed")),
        ("* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n", .untagged(.fetch(12, [.flags([.seen, .deleted])]))),
        ("a005 OK +FLAGS completed\r\n", .ok("a005", "+FLAGS completed")),
        (
            "* BYE IMAP4rev1 server terminating connection\r\n",
            .untagged(.bye(ResponseText(text: "IMAP4rev1 server terminating connection")))
        ),
        ("a006 OK LOGOUT completed\r\n", .ok("a006", "LOGOUT completed")),
    ]

    @Test("the header literal is the 342 octets the RFC announces")
    func headerLength() { #expect(Self.header.utf8.count == 342) }

    @Test("each server line parses and re-encodes byte for byte", arguments: lines)
    func line(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("the whole server stream parses frame after frame and re-encodes to the same bytes")
    func stream() throws {
        let stream = Self.lines.map(\.0).joined()
        var buffer = ParseBuffer(stream, limits: .responses)
        var parsed: [Response] = []
        while !buffer.isAtEnd { parsed.append(try GrammarParser.parseResponse(&buffer)) }
        #expect(parsed == Self.lines.map(\.1))
        var out = EncodeBuffer(.server)
        for r in parsed { out.writeResponse(r) }
        #expect(out.string == stream)
    }

    @Test("the first line is a greeting")
    func greeting() throws {
        var buffer = ParseBuffer(Self.lines[0].0, limits: .responses)
        #expect(try GrammarParser.parseGreeting(&buffer) == .ok(ResponseText(text: "IMAP4rev1 Service Ready")))
    }
}
