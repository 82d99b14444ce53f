import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ThreadNodeTests {
    @Test(
        "thread-list: members then nested threads",
        arguments: [
            ParseFixture<ThreadNode>.response("(2)", "(", .success(ThreadNode([2]))),
            .response(
                "(3 6 (4 23)(44 7 96))", "",
                .success(ThreadNode([3, 6], children: [ThreadNode([4, 23]), ThreadNode([44, 7, 96])]))),
            .response("((3)(5))", "", .success(ThreadNode([], children: [ThreadNode([3]), ThreadNode([5])]))),
            .response("(1 (2) (3))", "", .success(ThreadNode([1], children: [ThreadNode([2]), ThreadNode([3])]))),
            .response("()", "", .failure),
            .response("(0)", "", .failure),
            .response("(1 x)", "", .failure),
            .response("(1 (2)", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<ThreadNode>) { fixture.check { try GrammarParser.parseThreadList(&$0) } }

    @Test(
        "THREAD examples of RFC 5256 parse and re-encode byte for byte",
        arguments: [
            (
                "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n",
                Response.untagged(
                    .thread([
                        ThreadNode([2]),
                        ThreadNode([3, 6], children: [ThreadNode([4, 23]), ThreadNode([44, 7, 96])]),
                    ]))
            ),
            (
                "* THREAD ((3)(5))\r\n",
                .untagged(.thread([ThreadNode([], children: [ThreadNode([3]), ThreadNode([5])])]))
            ),
            (
                "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)\r\n",
                .untagged(
                    .thread([
                        ThreadNode([166]), ThreadNode([167]), ThreadNode([168]), ThreadNode([169]), ThreadNode([172]),
                        ThreadNode([170]),
                        ThreadNode([171]), ThreadNode([173]),
                        ThreadNode([174], children: [175, 176, 178, 181, 180].map { ThreadNode([$0]) }),
                        ThreadNode([179]),
                        ThreadNode([177], children: [183, 182, 188, 184, 185, 186, 187, 189].map { ThreadNode([$0]) }),
                        ThreadNode([190]), ThreadNode([191]), ThreadNode([192]), ThreadNode([193]),
                        ThreadNode([194, 195]),
                        ThreadNode([196], children: [ThreadNode([197]), ThreadNode([198])]), ThreadNode([199]),
                        ThreadNode([200, 202]),
                        ThreadNode([201]), ThreadNode([203]), ThreadNode([204]), ThreadNode([205]),
                        ThreadNode([206, 207]), ThreadNode([208]),
                    ]))
            ),
            ("* THREAD\r\n", .untagged(.thread([]))),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("deep and long threads past their bounds are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxNestingDepth = 3
        ParseFixture<ThreadNode>(
            "(1 (2 (3)(4))(5))", "",
            .success(
                ThreadNode(
                    [1],
                    children: [
                        ThreadNode([2], children: [ThreadNode([3]), ThreadNode([4])]), ThreadNode([5]),
                    ])), limits: limits
        ).check { try GrammarParser.parseThreadList(&$0) }
        ParseFixture<ThreadNode>("(1 (2 (3 (4)(5))(6))(7))", "", .overLimit(.nestingDepth), limits: limits)
            .check { try GrammarParser.parseThreadList(&$0) }
        limits = .responses
        limits.maxListItems = 3
        ParseFixture<ThreadNode>("(1 2 3 4)", "", .overLimit(.listItems), limits: limits).check {
            try GrammarParser.parseThreadList(&$0)
        }
        ParseFixture<Response>("* THREAD (1)(2)(3)(4)\r\n", "", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseResponse(&$0) }
    }
}
