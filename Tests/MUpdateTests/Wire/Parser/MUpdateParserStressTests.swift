import IMAPWire
import Testing

@testable import MUpdate

/// Every bound of SPEC.md §3.1, reached and then passed by one octet.
@Suite struct MUpdateParserStressTests {
    static let lineBound = Limits.mupdate.maxLineLength
    static let literalBound = Int(Limits.mupdate.maxLiteralSize)
    static let nameBound = Limits.mupdate.maxMailboxNameLength

    /// `tag LIST "<prefix>"` CRLF padded to exactly `length` octets.
    static func listLine(length: Int) -> String {
        let overhead = "X1 LIST \"\"\r\n".utf8.count
        return "X1 LIST \"" + String(repeating: "p", count: length - overhead) + "\"\r\n"
    }

    @Test("a line of exactly the bound is accepted")
    func lineAtBound() {
        let line = Self.listLine(length: Self.lineBound)
        #expect(line.utf8.count == Self.lineBound)
        CommandFixture(
            line, .success(MUpdateCommand(tag: "X1", .list(prefix: String(repeating: "p", count: Self.lineBound - 12))))
        )
        .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("a line one octet over the bound is refused with its tag")
    func lineOverBound() {
        CommandFixture(Self.listLine(length: Self.lineBound + 1), .badOverLimit(tag: "X1", .lineLength))
            .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("an over-long line is refused before it has fully arrived")
    func lineOverBoundIncomplete() {
        let partial = "X1 NOOP " + String(repeating: " ", count: Self.lineBound)
        CommandFixture(partial, .badOverLimit(tag: "X1", .lineLength), terminator: "")
            .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("an over-long line without a readable tag is refused without one")
    func lineOverBoundNoTag() {
        CommandFixture(
            String(repeating: "a", count: Self.lineBound + 10) + "\r\n", .badOverLimit(tag: nil, .lineLength)
        )
        .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("the line after a literal is bounded on its own")
    func lineAfterLiteral() {
        let tail = " \"" + String(repeating: "x", count: Self.lineBound) + "\"\r\n"
        // The first line is short and the literal fine; the text after the literal is too long.
        CommandFixture("X1 UPDATE {4+}\r\nsrv1" + tail, .badOverLimit(tag: "X1", .lineLength))
            .check { try MUpdateParser.parseCommand(&$0) }
        // Literal bodies themselves do not count against the line bound.
        let big = String(repeating: "b", count: 9000) + "\tlr\t"
        CommandFixture(
            "X1 ACTIVATE \"user.bob\" \"be1!p\" {\(big.utf8.count)+}\r\n\(big)\r\n",
            .success(MUpdateCommand(tag: "X1", .activate(name: "user.bob", location: location("be1!p"), acl: acl(big))))
        )
        .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("a literal of exactly the bound is accepted, one octet more is refused with the tag")
    func literalBound() {
        let rights = "\tlrswipkxtecdan\t"
        let id = String(repeating: "u", count: Self.literalBound - rights.utf8.count)
        let aclText = id + rights
        CommandFixture(
            "X1 ACTIVATE \"user.bob\" \"be1!p\" {\(aclText.utf8.count)+}\r\n\(aclText)\r\n",
            .success(
                MUpdateCommand(tag: "X1", .activate(name: "user.bob", location: location("be1!p"), acl: acl(aclText))))
        )
        .check { try MUpdateParser.parseCommand(&$0) }
        for header in ["{\(Self.literalBound + 1)+}", "{\(Self.literalBound + 1)}", "{99999999999}"] {
            CommandFixture("X1 FIND " + header + "\r\n", .badOverLimit(tag: "X1", .literalSize), terminator: "")
                .check { try MUpdateParser.parseCommand(&$0) }
        }
    }

    @Test("a name of exactly 490 octets is accepted, 491 is refused with the tag", arguments: [false, true])
    func nameBound(literal: Bool) {
        let name = "user." + String(repeating: "n", count: Self.nameBound - 5)
        let longer = name + "n"
        func arg(_ s: String) -> String { literal ? "{\(s.utf8.count)+}\r\n\(s)" : "\"\(s)\"" }
        CommandFixture(
            "X1 FIND \(arg(name))\r\n", .success(MUpdateCommand(tag: "X1", .find(name: InternalMailboxName(name))))
        )
        .check { try MUpdateParser.parseCommand(&$0) }
        CommandFixture("X1 FIND \(arg(longer))\r\n", .badOverLimit(tag: "X1", .mailboxNameLength))
            .check { try MUpdateParser.parseCommand(&$0) }
        CommandFixture("X1 RESERVE \(arg(longer)) \"be1!p\"\r\n", .badOverLimit(tag: "X1", .mailboxNameLength))
            .check { try MUpdateParser.parseCommand(&$0) }
        CommandFixture("X1 DELETE \(arg(longer))\r\n", .badOverLimit(tag: "X1", .mailboxNameLength))
            .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("a tag longer than 256 octets is no tag")
    func longTag() {
        CommandFixture(String(repeating: "t", count: 300) + " NOOP\r\n", .bad(tag: nil, reason: "tag too long"))
            .check { try MUpdateParser.parseCommand(&$0) }
    }

    @Test("responses are bounded the same way")
    func responseBounds() {
        ResponseFixture("X1 OK \"" + String(repeating: "x", count: Self.lineBound) + "\"\r\n", .overLimit(.lineLength))
            .check { try MUpdateParser.parseResponse(&$0) }
        ResponseFixture("U1 DELETE {\(Self.literalBound + 1)+}\r\n", .overLimit(.literalSize), terminator: "")
            .check { try MUpdateParser.parseResponse(&$0) }
        ResponseFixture("* FOO {\(Self.literalBound + 1)+}\r\n", .overLimit(.literalSize), terminator: "")
            .check { try MUpdateParser.parseResponse(&$0) }
        let longer = String(repeating: "n", count: Self.nameBound + 1)
        ResponseFixture("U1 DELETE \"\(longer)\"\r\n", .overLimit(.mailboxNameLength))
            .check { try MUpdateParser.parseResponse(&$0) }
    }

    @Test("literals are counted per frame, not per buffer")
    func literalCountPerFrame() throws {
        let frame = "U01 MAILBOX {8+}\r\nuser.bob {5+}\r\nbe1!p {0+}\r\n\r\n"
        var buffer = ParseBuffer(String(repeating: frame, count: 40), limits: .mupdate)
        for _ in 0..<40 { _ = try MUpdateParser.parseResponse(&buffer) }
        #expect(buffer.isAtEnd)
    }

    @Test("the answers to refused commands")
    func answers() {
        let cases: [(BadCommand, MUpdateResponse)] = [
            (
                BadCommand(tag: "X1", underlying: ParserError("Unrecognized command", at: 3)),
                .bad("X1", "Unrecognized command")
            ),
            (BadCommand(tag: "X1", underlying: LimitExceeded(.lineLength, bound: 8192)), .bad("X1", "Line too long")),
            (
                BadCommand(tag: "X1", underlying: LimitExceeded(.literalSize, bound: 65536)),
                .bad("X1", "Literal too large")
            ),
            (
                BadCommand(tag: "X1", underlying: LimitExceeded(.mailboxNameLength, bound: 490)),
                .bad("X1", "Mailbox name too long")
            ),
            (BadCommand(tag: nil, underlying: LimitExceeded(.lineLength, bound: 8192)), .untaggedBad("Line too long")),
            (BadCommand(tag: nil, underlying: ParserError("expected tag", at: 0)), .untaggedBad("expected tag")),
        ]
        for (error, answer) in cases { #expect(MUpdateResponse(answering: error) == answer) }
    }
}
