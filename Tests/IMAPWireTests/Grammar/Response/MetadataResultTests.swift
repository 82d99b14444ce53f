import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct MetadataResultTests {
    @Test(
        "entry values and entry lists",
        arguments: [
            ParseFixture<MetadataResult>.response(
                "(/shared/comment NIL)", "\r\n", .success(.values([.init(entry: "/shared/comment", value: nil)]))),
            .response(
                "(/private/comment {4}\r\na\r\nb)", "\r\n",
                .success(.values([.init(entry: "/private/comment", value: octets("a\r\nb"))]))),
            .response(
                "(/private/x ~{3}\r\n\0\u{1}\u{2} \"/shared/y\" \"v\")", "\r\n",
                .success(
                    .values([
                        .init(entry: "/private/x", value: [0, 1, 2]), .init(entry: "/shared/y", value: octets("v")),
                    ]))),
            .response(
                "/shared/comment /private/comment", "\r\n", .success(.entries(["/shared/comment", "/private/comment"]))),
            .response("()", "\r\n", .failure),
            .response("(/shared/comment)", "\r\n", .failure),
            .response("(/shared/comment {4}\r\nab", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<MetadataResult>) { fixture.check { try GrammarParser.parseMetadataResult(&$0) } }

    @Test(
        "METADATA examples of RFC 5464 parse",
        arguments: [
            (
                "* METADATA \"\" (/shared/comment \"Shared comment\")\r\n",
                Response.untagged(
                    .metadata(
                        MailboxName(""), .values([.init(entry: "/shared/comment", value: octets("Shared comment"))])))
            ),
            (
                "* METADATA \"INBOX\" (/private/comment \"My own comment\")\r\n",
                .untagged(
                    .metadata(.inbox, .values([.init(entry: "/private/comment", value: octets("My own comment"))])))
            ),
            (
                "* METADATA \"\" (/shared/comment \"Shared comment\" /private/comment \"My own comment\")\r\n",
                .untagged(
                    .metadata(
                        MailboxName(""),
                        .values([
                            .init(entry: "/shared/comment", value: octets("Shared comment")),
                            .init(entry: "/private/comment", value: octets("My own comment")),
                        ])))
            ),
            (
                "* METADATA \"\" (/shared/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\n",
                .untagged(
                    .metadata(
                        MailboxName(""),
                        .values([.init(entry: "/shared/comment", value: octets("My new comment across\r\ntwo lines."))])
                    ))
            ),
            (
                "* METADATA \"\" /shared/comment\r\n",
                .untagged(.metadata(MailboxName(""), .entries(["/shared/comment"])))
            ),
        ])
    func examples(wire: String, expected: Response) throws {
        #expect(try parseResponseFrame(wire) == expected)
        expectResponseRoundtrip(expected)
    }

    @Test("values encode quoted, as a literal, or as a literal8 when they hold NUL")
    func encoding() {
        expectEncoded("* METADATA \"\" (/shared/comment \"Shared comment\")\r\n") {
            $0.writeResponse(
                .untagged(
                    .metadata(
                        MailboxName(""), .values([.init(entry: "/shared/comment", value: octets("Shared comment"))]))))
        }
        expectEncoded("* METADATA INBOX (/a {4}\r\na\r\nb /b ~{1}\r\n\0 /c NIL)\r\n") {
            $0.writeResponse(
                .untagged(
                    .metadata(
                        .inbox,
                        .values([
                            .init(entry: "/a", value: octets("a\r\nb")), .init(entry: "/b", value: [0]),
                            .init(entry: "/c", value: nil),
                        ]))))
        }
    }

    @Test("values past the string literal bound are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxStringLiteralSize = 3
        ParseFixture<MetadataResult>(
            "(/a {3}\r\nabc)", "\r\n", .success(.values([.init(entry: "/a", value: octets("abc"))])), limits: limits
        )
        .check { try GrammarParser.parseMetadataResult(&$0) }
        ParseFixture<MetadataResult>("(/a {4}\r\nabcd)", "\r\n", .overLimit(.stringLiteralSize), limits: limits)
            .check { try GrammarParser.parseMetadataResult(&$0) }
        ParseFixture<MetadataResult>("(/a ~{4}\r\nabcd)", "\r\n", .overLimit(.stringLiteralSize), limits: limits)
            .check { try GrammarParser.parseMetadataResult(&$0) }
        limits = .responses
        limits.maxListItems = 2
        ParseFixture<MetadataResult>("/a /b /c", "\r\n", .overLimit(.listItems), limits: limits).check {
            try GrammarParser.parseMetadataResult(&$0)
        }
    }
}
