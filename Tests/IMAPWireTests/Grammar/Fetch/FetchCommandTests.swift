import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct FetchCommandTests {
    @Test(
        "every fetch attribute",
        arguments: [
            ("ENVELOPE", FetchAttribute.envelope), ("FLAGS", .flags), ("INTERNALDATE", .internalDate),
            ("RFC822", .rfc822),
            ("RFC822.HEADER", .rfc822Header), ("RFC822.SIZE", .rfc822Size), ("RFC822.TEXT", .rfc822Text),
            ("BODY", .body),
            ("BODYSTRUCTURE", .bodyStructure), ("UID", .uid), ("MODSEQ", .modSeq), ("EMAILID", .emailID),
            ("THREADID", .threadID),
            ("body[]", .bodySection(.complete, partial: nil, peek: false)),
            ("BODY.PEEK[]<0.2048>", .bodySection(.complete, partial: Partial(offset: 0, length: 2048), peek: true)),
            ("BODY[HEADER]", .bodySection(SectionSpecifier(text: .header), partial: nil, peek: false)),
            ("BODY[TEXT]", .bodySection(SectionSpecifier(text: .text), partial: nil, peek: false)),
            (
                "BODY[HEADER.FIELDS (DATE FROM)]",
                .bodySection(SectionSpecifier(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false)
            ),
            (
                "BODY.PEEK[HEADER.FIELDS.NOT (\"X Odd\" {2}\r\nTo)]",
                .bodySection(SectionSpecifier(text: .headerFieldsNot(["X Odd", "To"])), partial: nil, peek: true)
            ),
            ("BODY[1]", .bodySection(SectionSpecifier(part: [1]), partial: nil, peek: false)),
            (
                "BODY[4.2.2.1]<10.5>",
                .bodySection(
                    SectionSpecifier(part: [4, 2, 2, 1]), partial: Partial(offset: 10, length: 5), peek: false)
            ),
            ("BODY[1.2.MIME]", .bodySection(SectionSpecifier(part: [1, 2], text: .mime), partial: nil, peek: false)),
            ("BODY[3.HEADER]", .bodySection(SectionSpecifier(part: [3], text: .header), partial: nil, peek: false)),
            ("BODY[3.TEXT]", .bodySection(SectionSpecifier(part: [3], text: .text), partial: nil, peek: false)),
            (
                "BODY[3.1.HEADER.FIELDS (Subject)]",
                .bodySection(
                    SectionSpecifier(part: [3, 1], text: .headerFields(["Subject"])), partial: nil, peek: false)
            ),
            ("BINARY[1.1]", .binary(part: [1, 1], partial: nil, peek: false)),
            ("BINARY.PEEK[]<0.100>", .binary(part: [], partial: Partial(offset: 0, length: 100), peek: true)),
            ("BINARY.SIZE[2]", .binarySize(part: [2])),
        ])
    func attribute(_ text: String, _ attribute: FetchAttribute) {
        ParseFixture<FetchAttribute>(text, " ", .success(attribute)).check {
            try GrammarParser.parseFetchAttribute(&$0)
        }
        expectRoundtrip(TaggedCommand(tag: "A1", command: .fetch(FetchCommand(SequenceSet(1), .list([attribute])))))
    }

    @Test(
        "malformed fetch attributes and sections",
        arguments: [
            ParseFixture<FetchAttribute>("BOGUS", " ", .failure),
            ParseFixture<FetchAttribute>("ALL", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[MIME]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[0]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[1.]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[HEADER.FIELDS ()]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[HEADER.FIELDS]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[FOO]", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[]<0.0>", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[]<5>", " ", .failure),
            ParseFixture<FetchAttribute>("BODY.PEEK", " ", .failure),
            ParseFixture<FetchAttribute>("BINARY[HEADER]", " ", .failure),
            ParseFixture<FetchAttribute>("BINARY.SIZE", " ", .failure),
            ParseFixture<FetchAttribute>("BODY[1", "", .incomplete),
            ParseFixture<FetchAttribute>("BODY[]<1.", "", .incomplete),
        ])
    func malformed(_ fixture: ParseFixture<FetchAttribute>) {
        fixture.check { try GrammarParser.parseFetchAttribute(&$0) }
    }

    @Test("section parts nest no deeper than the nesting bound")
    func partDepth() {
        var limits = Limits.commands
        limits.maxNestingDepth = 3
        ParseFixture<FetchAttribute>(
            "BODY[1.2.3]", " ", .success(.bodySection(SectionSpecifier(part: [1, 2, 3]), partial: nil, peek: false)),
            limits: limits
        ).check { try GrammarParser.parseFetchAttribute(&$0) }
        ParseFixture<FetchAttribute>("BODY[1.2.3.4]", " ", .overLimit(.nestingDepth), limits: limits).check {
            try GrammarParser.parseFetchAttribute(&$0)
        }
        ParseFixture<FetchAttribute>("BINARY[1.2.3.4]", " ", .overLimit(.nestingDepth), limits: limits).check {
            try GrammarParser.parseFetchAttribute(&$0)
        }
    }

    @Test(
        "FETCH and UID FETCH: macros, one item, lists, modifiers",
        arguments: [
            ParseFixture<Command>.line("FETCH 12 FULL", .success(.fetch(FetchCommand(SequenceSet(12), .full)))),
            ParseFixture<Command>.line("FETCH 1:* all", .success(.fetch(FetchCommand(.all, .all)))),
            ParseFixture<Command>.line("FETCH $ FAST", .success(.fetch(FetchCommand(.savedResult, .fast)))),
            ParseFixture<Command>.line(
                "FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])",
                .success(
                    .fetch(
                        FetchCommand(
                            SequenceSet([SequenceRange(2...4)]),
                            .list([
                                .flags,
                                .bodySection(
                                    SectionSpecifier(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false),
                            ]))))),
            ParseFixture<Command>.line(
                "UID FETCH 4827313:4828442 FLAGS",
                .success(
                    .uidFetch(
                        FetchCommand(
                            SequenceSet([SequenceRange(4_827_313...4_828_442)]), .list([.flags]))))),
            ParseFixture<Command>.line(
                "UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
                .success(
                    .uidFetch(
                        FetchCommand(
                            SequenceSet([SequenceRange(300...500)]), .list([.flags]),
                            modifiers: [.changedSince(12345), .vanished])))),
            ParseFixture<Command>.line(
                "FETCH 1 FLAGS (X-MOD 3)",
                .success(
                    .fetch(
                        FetchCommand(
                            SequenceSet(1), .list([.flags]), modifiers: [.other(TaggedExtension("X-MOD", .number(3)))]))
                )),
            ParseFixture<Command>.line("FETCH 1 ()", .failure),
            ParseFixture<Command>.line("FETCH 1 (ALL)", .failure),
            ParseFixture<Command>.line("FETCH 1 (FLAGS) (CHANGEDSINCE 0)", .failure),
            ParseFixture<Command>.line("FETCH 1 (FLAGS) ()", .failure),
            ParseFixture<Command>.line("FETCH 1", .failure),
            ParseFixture<Command>.line("FETCH FLAGS", .failure),
            ParseFixture<Command>.line("FETCH 1 (FLAGS  UID)", .failure),
            ParseFixture<Command>.frame("A1 FETCH 1 (FLAGS", .incomplete),
        ])
    func fetch(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("fetch attribute lists are bounded by the list-item limit")
    func listLimit() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("FETCH 1 (FLAGS UID ENVELOPE)", .overLimit(.listItems), limits: limits)
            .checkCommand()
        ParseFixture<Command>.line("FETCH 1 BODY[HEADER.FIELDS (A B C)]", .overLimit(.listItems), limits: limits)
            .checkCommand()
    }

    @Test("fetch macros expand as RFC 9051 §6.4.5 says")
    func macros() {
        #expect(FetchAttributes.fast.expanded == [.flags, .internalDate, .rfc822Size])
        #expect(FetchAttributes.all.expanded == [.flags, .internalDate, .rfc822Size, .envelope])
        #expect(FetchAttributes.full.expanded == [.flags, .internalDate, .rfc822Size, .envelope, .body])
    }

    @Test("FETCH encodes canonically")
    func encode() {
        expectEncoded("1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS.NOT (\"X Odd\" To)]<0.10>) (CHANGEDSINCE 5 VANISHED)") {
            $0.writeFetchCommand(
                FetchCommand(
                    .all,
                    .list([
                        .flags,
                        .bodySection(
                            SectionSpecifier(part: [1, 2], text: .headerFieldsNot(["X Odd", "To"])),
                            partial: Partial(offset: 0, length: 10), peek: true),
                    ]), modifiers: [.changedSince(5), .vanished]))
        }
        expectEncoded("BINARY.SIZE[]") { $0.writeFetchAttribute(.binarySize(part: [])) }
    }
}
