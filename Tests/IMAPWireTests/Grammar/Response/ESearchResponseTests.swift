import MurderTestSupport
import Testing

@testable import IMAPWire

/// SEARCH, SORT and ESEARCH results.
@Suite struct ESearchResponseTests {
    @Test(
        "ESEARCH: correlator, UID, return data",
        arguments: [
            ParseFixture<ESearchResponse>.response("", "\r\n", .success(ESearchResponse(returnData: []))),
            .response(
                " (TAG \"A282\") MIN 2 COUNT 3", "\r\n",
                .success(ESearchResponse(correlator: "A282", returnData: [.min(2), .count(3)]))),
            .response(
                " (TAG A283) ALL 2,10:11", "\r\n",
                .success(
                    ESearchResponse(
                        correlator: "A283", returnData: [.all(SequenceSet([SequenceRange(2), SequenceRange(10...11)]))])
                )),
            .response(
                " (TAG \"A285\") UID MIN 7 MAX 3800", "\r\n",
                .success(ESearchResponse(correlator: "A285", uid: true, returnData: [.min(7), .max(3800)]))),
            .response(" UID", "\r\n", .success(ESearchResponse(uid: true, returnData: []))),
            .response(
                " COUNT 0 MODSEQ 1236", "\r\n", .success(ESearchResponse(returnData: [.count(0), .modSeq(1236)]))),
            .response(
                " X-FOO (1 2) X-BAR 5", "\r\n",
                .success(
                    ESearchResponse(returnData: [
                        .other(name: "X-FOO", value: .list([.string(octets("1")), .string(octets("2"))])),
                        .other(name: "X-BAR", value: .number(5)),
                    ]))),
            .response(
                " UIDS 4", "\r\n", .success(ESearchResponse(returnData: [.other(name: "UIDS", value: .number(4))]))),
            .response(" (TAG \"A1\"", "\r\n", .failure),
            .response(" (TAG \"A1\") MIN", "", .incomplete),
        ])
    func esearch(_ fixture: ParseFixture<ESearchResponse>) {
        fixture.check { try GrammarParser.parseEsearchResponse(&$0) }
    }

    @Test(
        "SEARCH, SORT and ESEARCH examples parse and re-encode byte for byte",
        arguments: [
            ("* SEARCH 2 84 882\r\n", Response.untagged(.search([2, 84, 882], modSeq: nil))),
            ("* SEARCH\r\n", .untagged(.search([], modSeq: nil))),
            // RFC 7162 §3.1.5
            (
                "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
                .untagged(.search([2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modSeq: 917_162_500))
            ),
            // RFC 5256 §4
            ("* SORT 2 84 882\r\n", .untagged(.sort([2, 84, 882], modSeq: nil))),
            ("* SORT 5 3 (MODSEQ 7)\r\n", .untagged(.sort([5, 3], modSeq: 7))),
            // RFC 4731 §3.1, RFC 7162 §3.1.5
            (
                "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
                .untagged(.esearch(ESearchResponse(correlator: "A282", returnData: [.min(2), .count(3)])))
            ),
            (
                "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n",
                .untagged(
                    .esearch(
                        ESearchResponse(
                            correlator: "A283",
                            returnData: [.all(SequenceSet([SequenceRange(2), SequenceRange(10...11)]))])))
            ),
            (
                "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n",
                .untagged(.esearch(ESearchResponse(correlator: "A285", uid: true, returnData: [.min(7), .max(3800)])))
            ),
            ("* ESEARCH (TAG \"A284\")\r\n", .untagged(.esearch(ESearchResponse(correlator: "A284", returnData: [])))),
            (
                "* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n",
                .untagged(
                    .esearch(
                        ESearchResponse(
                            correlator: "a",
                            returnData: [.all(SequenceSet([SequenceRange(1...3), SequenceRange(5)])), .modSeq(1236)])))
            ),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("search results past their bounds are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxListItems = 3
        ParseFixture<Response>(
            "* SEARCH 1 2 3\r\n", "", .success(.untagged(.search([1, 2, 3], modSeq: nil))), limits: limits
        )
        .check { try GrammarParser.parseResponse(&$0) }
        ParseFixture<Response>("* SEARCH 1 2 3 4\r\n", "", .overLimit(.listItems), limits: limits).check {
            try GrammarParser.parseResponse(&$0)
        }
        ParseFixture<Response>("* SORT 1 2 3 4\r\n", "", .overLimit(.listItems), limits: limits).check {
            try GrammarParser.parseResponse(&$0)
        }
        ParseFixture<Response>("* ESEARCH MIN 1 MAX 2 COUNT 3 MODSEQ 4\r\n", "", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
        limits = .responses
        limits.maxSequenceRanges = 2
        ParseFixture<Response>("* ESEARCH ALL 1,3,5\r\n", "", .overLimit(.sequenceRanges), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
    }

    @Test(
        "SEARCH failures",
        arguments: [
            ParseFixture<Response>.response("* SEARCH 0\r\n", "", .failure),
            .response("* ESEARCH MIN 0\r\n", "", .failure),
            .response("* ESEARCH (TAG \"A1\") UID ALL\r\n", "", .failure),
            .response("* SEARCH 1 (MODSEQ)\r\n", "", .failure),
            .response("* SEARCH 1 x\r\n", "", .failure),
            .response("* SEARCH 1 2", "", .incomplete),
        ])
    func searchFailures(_ fixture: ParseFixture<Response>) { fixture.check { try GrammarParser.parseResponse(&$0) } }
}
