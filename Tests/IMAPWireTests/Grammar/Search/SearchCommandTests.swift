import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct SearchCommandTests {
    @Test(
        "every search key of RFC 3501 §6.4.4, RFC 9051 and the extensions",
        arguments: [
            ("ALL", SearchKey.all), ("ANSWERED", .answered), ("DELETED", .deleted), ("DRAFT", .draft),
            ("FLAGGED", .flagged),
            ("SEEN", .seen), ("UNANSWERED", .unanswered), ("UNDELETED", .undeleted), ("UNDRAFT", .undraft),
            ("UNFLAGGED", .unflagged), ("UNSEEN", .unseen), ("NEW", .new), ("OLD", .old), ("RECENT", .recent),
            ("KEYWORD $Forwarded", .keyword(Flag("$Forwarded"))), ("UNKEYWORD $Junk", .unkeyword(Flag("$Junk"))),
            ("BCC x", .bcc(b("x"))), ("BODY \"two words\"", .body(b("two words"))), ("CC {3}\r\na\"b", .cc(b("a\"b"))),
            ("FROM Smith", .from(b("Smith"))), ("SUBJECT \"\"", .subject([])), ("TEXT t", .text(b("t"))),
            ("TO y", .to(b("y"))),
            ("HEADER Message-ID \"<a@b>\"", .header("Message-ID", b("<a@b>"))),
            ("BEFORE 1-Feb-1994", .before(day(1994, 2, 1))), ("ON \"01-Feb-1994\"", .on(day(1994, 2, 1))),
            ("SINCE 29-Feb-2000", .since(day(2000, 2, 29))), ("SENTBEFORE 1-jan-2000", .sentBefore(day(2000, 1, 1))),
            ("SENTON 2-Mar-2001", .sentOn(day(2001, 3, 2))), ("SENTSINCE 31-Dec-1999", .sentSince(day(1999, 12, 31))),
            ("OLDER 3600", .older(3600)), ("YOUNGER 60", .younger(60)),
            ("LARGER 10000", .larger(10000)), ("SMALLER 9223372036854775807", .smaller(9_223_372_036_854_775_807)),
            ("1:4,7:*", .sequenceSet(SequenceSet([SequenceRange(1...4), SequenceRange(.number(7), .last)]))),
            ("$", .sequenceSet(.savedResult)), ("UID 1:100", .uid(SequenceSet([SequenceRange(1...100)]))),
            ("UID $", .uid(.savedResult)),
            ("NOT SEEN", .not(.seen)), ("OR SEEN (FLAGGED DRAFT)", .or(.seen, .and([.flagged, .draft]))),
            ("(FROM a TO b)", .and([.from(b("a")), .to(b("b"))])), ("((SEEN))", .and([.and([.seen])])),
            ("MODSEQ 0", .modSeq(nil, 0)), ("MODSEQ \"/flags/\\\\Seen\" priv 5", .modSeq(.init(.seen, .private), 5)),
            ("MODSEQ \"/flags/$MDNSent\" shared 7", .modSeq(.init(Flag("$MDNSent"), .shared), 7)),
            ("EMAILID M6d99ac3275bb4e", .emailID("M6d99ac3275bb4e")),
            ("THREADID T64b478a75b7ea9", .threadID("T64b478a75b7ea9")),
            ("seen", .seen), ("not or seen draft", .not(.or(.seen, .draft))),
        ])
    func key(_ text: String, _ key: SearchKey) {
        ParseFixture<SearchKey>(text, " ", .success(key)).check { try GrammarParser.parseSearchKey(&$0) }
    }

    @Test(
        "malformed and truncated search keys",
        arguments: [
            ParseFixture<SearchKey>("BOGUS", ")", .failure),
            ParseFixture<SearchKey>("()", ")", .failure),
            ParseFixture<SearchKey>("NOT", ")", .failure),
            ParseFixture<SearchKey>("OR SEEN", ")", .failure),
            ParseFixture<SearchKey>("SINCE 30-Feb-2000", ")", .failure),
            ParseFixture<SearchKey>("SINCE yesterday", ")", .failure),
            ParseFixture<SearchKey>("LARGER -1", ")", .failure),
            ParseFixture<SearchKey>("OLDER 0", ")", .failure),
            ParseFixture<SearchKey>("HEADER Subject", ")", .failure),
            ParseFixture<SearchKey>("MODSEQ \"/flag/\\\\Seen\" all 5", ")", .failure),
            ParseFixture<SearchKey>("MODSEQ \"/flags/\\\\Seen\" every 5", ")", .failure),
            ParseFixture<SearchKey>("MODSEQ \"/flags/\" all 5", ")", .failure),
            ParseFixture<SearchKey>("EMAILID .ab", ")", .failure),
            ParseFixture<SearchKey>("EMAILID \(String(repeating: "x", count: 256))", ")", .failure),
            ParseFixture<SearchKey>("UID x", ")", .failure),
            ParseFixture<SearchKey>("(SEEN", "", .incomplete),
            ParseFixture<SearchKey>("FROM {5}\r\nab", "", .incomplete),
        ])
    func malformed(_ fixture: ParseFixture<SearchKey>) { fixture.check { try GrammarParser.parseSearchKey(&$0) } }

    @Test(
        "nesting by parentheses, NOT and OR is bounded",
        arguments: [
            ("((((SEEN))))", Limit.nestingDepth), ("NOT NOT NOT NOT SEEN", .nestingDepth),
            ("OR OR OR OR SEEN SEEN SEEN SEEN SEEN", .nestingDepth), ("(NOT (OR SEEN SEEN) SEEN)", .nestingDepth),
        ])
    func depth(_ text: String, _ limit: Limit) {
        var limits = Limits.commands
        limits.maxNestingDepth = 3
        ParseFixture<SearchKey>(text, " ", .overLimit(limit), limits: limits).check {
            try GrammarParser.parseSearchKey(&$0)
        }
        ParseFixture<SearchKey>("(NOT (SEEN))", " ", .success(.and([.not(.and([.seen]))])), limits: limits).check {
            try GrammarParser.parseSearchKey(&$0)
        }
    }

    @Test("deep nesting is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "NOT ", count: 100_000) + "SEEN"
        ParseFixture<Command>.line("SEARCH " + deep, .overLimit(.nestingDepth)).checkCommand()
        let parens = String(repeating: "(", count: 100_000) + "SEEN" + String(repeating: ")", count: 100_000)
        ParseFixture<Command>.line("SEARCH " + parens, .overLimit(.nestingDepth)).checkCommand()
    }

    @Test(
        "SEARCH and UID SEARCH: RETURN options, CHARSET, several keys",
        arguments: [
            ParseFixture<Command>.line("SEARCH ALL", .success(.search(SearchCommand(.all)))),
            ParseFixture<Command>.line(
                "SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
                .success(
                    .search(
                        SearchCommand(
                            .and([.flagged, .since(day(1994, 2, 1)), .not(.from(b("Smith")))]))))),
            ParseFixture<Command>.line(
                "SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX",
                .success(.search(SearchCommand(charset: "UTF-8", .text(b("XXXXXX")))))),
            ParseFixture<Command>.line(
                "SEARCH CHARSET \"ISO-8859-1\" ALL", .success(.search(SearchCommand(charset: "ISO-8859-1", .all)))),
            ParseFixture<Command>.line(
                "SEARCH RETURN (MIN MAX ALL COUNT SAVE) UNSEEN",
                .success(
                    .search(
                        SearchCommand(
                            returnOptions: [.min, .max, .all, .count, .save], .unseen)))),
            ParseFixture<Command>.line(
                "SEARCH RETURN () CHARSET UTF-8 1:5000",
                .success(
                    .search(
                        SearchCommand(
                            returnOptions: [], charset: "UTF-8", .sequenceSet(SequenceSet([SequenceRange(1...5000)])))))
            ),
            ParseFixture<Command>.line(
                "UID SEARCH RETURN (MIN MAX) 1:5000",
                .success(
                    .uidSearch(
                        SearchCommand(
                            returnOptions: [.min, .max], .sequenceSet(SequenceSet([SequenceRange(1...5000)])))))),
            ParseFixture<Command>.line(
                "UID SEARCH UID $ DELETED", .success(.uidSearch(SearchCommand(.and([.uid(.savedResult), .deleted]))))),
            ParseFixture<Command>.line("SEARCH", .failure),
            ParseFixture<Command>.line("SEARCH RETURN (PARTIAL 1:10) ALL", .failure),
            ParseFixture<Command>.line("SEARCH CHARSET UTF-8", .failure),
            ParseFixture<Command>.line("SEARCH ALL  SEEN", .failure),
            ParseFixture<Command>.line("SEARCH ALL BOGUS", .failure),
        ])
    func search(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("top-level keys are bounded by the list-item limit")
    func keyCount() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line(
            "SEARCH SEEN DRAFT", .success(.search(SearchCommand(.and([.seen, .draft])))), limits: limits
        ).checkCommand()
        ParseFixture<Command>.line("SEARCH SEEN DRAFT NEW", .overLimit(.listItems), limits: limits).checkCommand()
    }

    @Test(
        "SORT and THREAD",
        arguments: [
            ParseFixture<Command>.line(
                "SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994",
                .success(
                    .sort(
                        SortCommand(
                            [SortCriterion(.subject)], charset: "UTF-8", .since(day(1994, 2, 1)))))),
            ParseFixture<Command>.line(
                "UID SORT (REVERSE ARRIVAL cc DATE FROM SIZE TO DISPLAYFROM DISPLAYTO) US-ASCII UNSEEN DELETED",
                .success(
                    .uidSort(
                        SortCommand(
                            [
                                SortCriterion(.arrival, reverse: true), SortCriterion(.cc), SortCriterion(.date),
                                SortCriterion(.from),
                                SortCriterion(.size), SortCriterion(.to), SortCriterion(.displayFrom),
                                SortCriterion(.displayTo),
                            ], charset: "US-ASCII", .and([.unseen, .deleted]))))),
            ParseFixture<Command>.line(
                "THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
                .success(
                    .thread(
                        ThreadCommand(
                            .orderedSubject, charset: "UTF-8", .since(day(2000, 3, 5)))))),
            ParseFixture<Command>.line(
                "UID THREAD references US-ASCII TEXT \"gewp\"",
                .success(
                    .uidThread(
                        ThreadCommand(
                            .references, charset: "US-ASCII", .text(b("gewp")))))),
            ParseFixture<Command>.line(
                "THREAD REFS UTF-8 ALL", .success(.thread(ThreadCommand(.other("REFS"), charset: "UTF-8", .all)))),
            ParseFixture<Command>.line("SORT () UTF-8 ALL", .failure),
            ParseFixture<Command>.line("SORT (REVERSE) UTF-8 ALL", .failure),
            ParseFixture<Command>.line("SORT (SUBJECT) ALL", .failure),
            ParseFixture<Command>.line("SORT SUBJECT UTF-8 ALL", .failure),
            ParseFixture<Command>.line("THREAD REFERENCES UTF-8", .failure),
        ])
    func sortThread(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("search keys encode canonically")
    func encode() {
        expectEncoded("OR (FROM smith TEXT \"a b\") NOT MODSEQ \"/flags/\\\\Seen\" all 5") {
            $0.writeSearchKey(.or(.and([.from(b("smith")), .text(b("a b"))]), .not(.modSeq(.init(.seen, .all), 5))))
        }
        expectEncoded(" RETURN (MIN) CHARSET UTF-8 SEEN 1:*") {
            $0.writeSearchCommand(
                SearchCommand(returnOptions: [.min], charset: "UTF-8", .and([.seen, .sequenceSet(.all)])))
        }
        expectEncoded(" (SEEN)") { $0.writeSearchCommand(SearchCommand(.and([.seen]))) }
        expectEncoded("(SUBJECT REVERSE DATE) \"x y\" ALL") {
            $0.writeSortCommand(
                SortCommand([SortCriterion(.subject), SortCriterion(.date, reverse: true)], charset: "x y", .all))
        }
    }
}
