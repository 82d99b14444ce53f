import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct MessageAttributeTests {
    @Test(
        "FETCH data items",
        arguments: [
            ParseFixture<MessageAttribute>.response(
                "FLAGS (\\Seen \\Recent $Forwarded)", ")", .success(.flags([.seen, .recent, Flag("$Forwarded")]))),
            .response(
                "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\"", ")", .success(.internalDate(ResponseSamples.date))),
            .response("RFC822 {5}\r\nab\0cd", ")", .success(.rfc822([97, 98, 0, 99, 100]))),
            .response("RFC822.HEADER \"Subject: x\"", ")", .success(.rfc822Header(octets("Subject: x")))),
            .response("rfc822.text NIL", ")", .success(.rfc822Text(nil))),
            .response("RFC822.SIZE 44827", ")", .success(.rfc822Size(44827))),
            .response("RFC822.SIZE 8589934592", ")", .success(.rfc822Size(8_589_934_592))),
            .response(
                "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)", ")",
                .success(.body(ResponseSamples.textPart))),
            .response(
                "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)", ")",
                .success(.bodyStructure(ResponseSamples.textPart))),
            .response(
                "BODY[] {3}\r\nabc", ")", .success(.bodySection(SectionSpecifier(), origin: nil, data: octets("abc")))),
            .response(
                "BODY[1.2.MIME]<0> NIL", ")",
                .success(.bodySection(SectionSpecifier(part: [1, 2], text: .mime), origin: 0, data: nil))),
            .response(
                "BODY[HEADER.FIELDS (DATE FROM)] \"Date: x\"", ")",
                .success(
                    .bodySection(
                        SectionSpecifier(text: .headerFields(["DATE", "FROM"])), origin: nil, data: octets("Date: x")))),
            .response("BINARY[1.2] ~{3}\r\n\0\u{1}\u{2}", ")", .success(.binary(section: [1, 2], data: [0, 1, 2]))),
            .response("BINARY[] {2}\r\nab", ")", .success(.binary(section: [], data: octets("ab")))),
            .response("BINARY[3] NIL", ")", .success(.binary(section: [3], data: nil))),
            .response("BINARY.SIZE[1] 2000", ")", .success(.binarySize(section: [1], size: 2000))),
            .response("UID 4827313", ")", .success(.uid(4_827_313))),
            .response("MODSEQ (624140003)", ")", .success(.modSeq(624_140_003))),
            .response("EMAILID (M6d99ac3275bb4e)", ")", .success(.emailID("M6d99ac3275bb4e"))),
            .response("THREADID (T64b478a75b7ea9)", ")", .success(.threadID("T64b478a75b7ea9"))),
            .response("THREADID NIL", ")", .success(.threadID(nil))),
            .response("BODY[1] ~{3}\r\nabc", ")", .failure),
            .response("BINARY[1.MIME] NIL", ")", .failure),
            .response("BODY[HEADER.FIELDS ()] NIL", ")", .failure),
            .response("UID 0", ")", .failure),
            .response("MODSEQ 5", ")", .failure),
            .response("EMAILID (a.b)", ")", .failure),
            .response("X-GM-MSGID 1", ")", .failure),
            .response("FLAGS \\Seen", ")", .failure),
            .response("BODY[] {10}\r\nabc", "", .incomplete),
            .response("BODY[1.2", "", .incomplete),
            .response("RFC822.SIZE", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<MessageAttribute>) {
        fixture.check { try GrammarParser.parseMessageAttribute(&$0) }
    }

    @Test(
        "FETCH examples parse and re-encode byte for byte",
        arguments: [
            (
                "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n",
                Response.untagged(.fetch(23, [.flags([.seen]), .rfc822Size(44827)]))
            ),
            ("* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n", .untagged(.fetch(12, [.flags([.seen, .deleted])]))),
            ("* 12 FETCH (FLAGS (\\Seen) UID 42)\r\n", .untagged(.fetch(12, [.flags([.seen]), .uid(42)]))),
            // RFC 7162 §3.1.4.1, §3.1.3
            (
                "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n",
                .untagged(.fetch(1, [.uid(4), .modSeq(65402), .flags([.seen])]))
            ),
            ("* 4 FETCH (UID 8 MODSEQ (12121231000))\r\n", .untagged(.fetch(4, [.uid(8), .modSeq(12_121_231_000)]))),
            // RFC 8474 §5.1, §5.2
            (
                "* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n",
                .untagged(.fetch(1, [.emailID("M6d99ac3275bb4e"), .threadID("T64b478a75b7ea9")]))
            ),
            (
                "* 3 FETCH (EMAILID (M6d99ac3275bb4e) THREADID NIL)\r\n",
                .untagged(.fetch(3, [.emailID("M6d99ac3275bb4e"), .threadID(nil)]))
            ),
            // RFC 3516 §4.2
            (
                "* 1 FETCH (BINARY.SIZE[1] 2000 UID 3)\r\n",
                .untagged(.fetch(1, [.binarySize(section: [1], size: 2000), .uid(3)]))
            ),
            (
                "* 2 FETCH (BINARY[2] ~{4}\r\n\0\u{1}\r\n)\r\n",
                .untagged(.fetch(2, [.binary(section: [2], data: [0, 1, 13, 10])]))
            ),
            // A partial fetch answered with its origin.
            (
                "* 5 FETCH (BODY[1.2]<0> {5}\r\nhello UID 9)\r\n",
                .untagged(
                    .fetch(
                        5, [.bodySection(SectionSpecifier(part: [1, 2]), origin: 0, data: octets("hello")), .uid(9)]))
            ),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("message contents are always literals, binary ones literal8 only when they hold NUL")
    func encoding() {
        expectEncoded("* 1 FETCH (BODY[TEXT] {2}\r\nhi)\r\n") {
            $0.writeResponse(
                .untagged(.fetch(1, [.bodySection(SectionSpecifier(text: .text), origin: nil, data: octets("hi"))])))
        }
        expectEncoded("* 1 FETCH (RFC822 {0}\r\n RFC822.HEADER NIL)\r\n") {
            $0.writeResponse(.untagged(.fetch(1, [.rfc822([]), .rfc822Header(nil)])))
        }
        expectEncoded("* 1 FETCH (BINARY[1] {2}\r\nhi BINARY[2] ~{1}\r\n\0)\r\n") {
            $0.writeResponse(
                .untagged(.fetch(1, [.binary(section: [1], data: octets("hi")), .binary(section: [2], data: [0])])))
        }
        expectEncoded("BODY[HEADER.FIELDS.NOT (Received \"X Y\")]<10> NIL") {
            $0.writeMessageAttribute(
                .bodySection(SectionSpecifier(text: .headerFieldsNot(["Received", "X Y"])), origin: 10, data: nil))
        }
    }

    @Test("message bodies are bounded by the literal size, not the string literal size")
    func literalLimits() {
        var limits = Limits.responses
        limits.maxStringLiteralSize = 2
        limits.maxLiteralSize = 4
        ParseFixture<MessageAttribute>(
            "BODY[] {4}\r\nabcd", ")", .success(.bodySection(SectionSpecifier(), origin: nil, data: octets("abcd"))),
            limits: limits
        )
        .check { try GrammarParser.parseMessageAttribute(&$0) }
        ParseFixture<MessageAttribute>("BODY[] {5}\r\nabcde", ")", .overLimit(.literalSize), limits: limits)
            .check { try GrammarParser.parseMessageAttribute(&$0) }
        ParseFixture<MessageAttribute>("BINARY[1] ~{5}\r\nabcde", ")", .overLimit(.literalSize), limits: limits)
            .check { try GrammarParser.parseMessageAttribute(&$0) }
        ParseFixture<MessageAttribute>("RFC822 {5}\r\nabcde", ")", .overLimit(.literalSize), limits: limits)
            .check { try GrammarParser.parseMessageAttribute(&$0) }
    }

    @Test("attribute lists and flags past the item bound are over the limit")
    func listLimits() {
        var limits = Limits.responses
        limits.maxListItems = 2
        ParseFixture<Response>("* 1 FETCH (UID 1 UID 2 UID 3)\r\n", "", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
        ParseFixture<MessageAttribute>("FLAGS (\\A \\B \\C)", ")", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseMessageAttribute(&$0) }
    }

    @Test("part numbers deeper than the nesting bound are over the limit")
    func partDepthLimit() {
        var limits = Limits.responses
        limits.maxNestingDepth = 2
        ParseFixture<MessageAttribute>("BINARY.SIZE[1.2.3] 4", ")", .overLimit(.nestingDepth), limits: limits)
            .check { try GrammarParser.parseMessageAttribute(&$0) }
    }
}
