import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct NamespaceResponseTests {
    static let personal = NamespaceDescription(prefix: "", delimiter: "/")

    @Test(
        "namespace: NIL or descriptions with extensions",
        arguments: [
            ParseFixture<[NamespaceDescription]>.response("NIL", " ", .success([])),
            .response("((\"\" \"/\"))", " ", .success([personal])),
            .response(
                "((\"INBOX.\" \".\")(\"#x\" NIL))", " ",
                .success([
                    NamespaceDescription(prefix: "INBOX.", delimiter: "."),
                    NamespaceDescription(prefix: "#x", delimiter: nil),
                ])),
            .response(
                "((\"\" \"/\") (\"#y/\" \"/\"))", " ",
                .success([personal, NamespaceDescription(prefix: "#y/", delimiter: "/")])),
            .response(
                "((\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\") \"X-B\" (\"c\")))", " ",
                .success([
                    NamespaceDescription(
                        prefix: "#mh/", delimiter: "/",
                        extensions: [
                            .init(name: "X-PARAM", values: ["FLAG1", "FLAG2"]), .init(name: "X-B", values: ["c"]),
                        ])
                ])),
            .response("()", " ", .failure),
            .response("((\"\" \"//\"))", " ", .failure),
            .response("((\"\" \"/\" \"X\" ()))", " ", .failure),
            .response("((\"\" \"/\")", "", .incomplete),
        ])
    func namespace(_ fixture: ParseFixture<[NamespaceDescription]>) {
        fixture.check { try GrammarParser.parseNamespace(&$0) }
    }

    @Test(
        "NAMESPACE examples of RFC 2342 parse and re-encode byte for byte",
        arguments: [
            (
                "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
                NamespaceResponse(personal: [personal], otherUsers: [], shared: [])
            ),
            (
                "* NAMESPACE NIL NIL ((\"\" \".\"))\r\n",
                NamespaceResponse(
                    personal: [], otherUsers: [], shared: [NamespaceDescription(prefix: "", delimiter: ".")])
            ),
            (
                "* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n",
                NamespaceResponse(
                    personal: [personal], otherUsers: [],
                    shared: [NamespaceDescription(prefix: "Public Folders/", delimiter: "/")])
            ),
            (
                "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n",
                NamespaceResponse(
                    personal: [personal], otherUsers: [NamespaceDescription(prefix: "~", delimiter: "/")], shared: [])
            ),
            (
                "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n",
                NamespaceResponse(
                    personal: [personal], otherUsers: [NamespaceDescription(prefix: "~", delimiter: "/")],
                    shared: [
                        NamespaceDescription(prefix: "#shared/", delimiter: "/"),
                        NamespaceDescription(prefix: "#public/", delimiter: "/"),
                        NamespaceDescription(prefix: "#ftp/", delimiter: "/"),
                        NamespaceDescription(prefix: "#news.", delimiter: "."),
                    ])
            ),
            ("* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n", nil),
            (
                "* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
                NamespaceResponse(
                    personal: [
                        personal,
                        NamespaceDescription(
                            prefix: "#mh/", delimiter: "/",
                            extensions: [.init(name: "X-PARAM", values: ["FLAG1", "FLAG2"])]),
                    ], otherUsers: [], shared: [])
            ),
        ] as [(String, NamespaceResponse?)])
    func examples(wire: String, expected: NamespaceResponse?) throws {
        guard let expected else {
            // Two spaces between the namespaces (seen in the wild) are not in the grammar.
            #expect(throws: ParserError.self) { try parseResponseFrame(wire) }
            return
        }
        expectResponse(wire, .untagged(.namespace(expected)))
    }

    @Test("namespace descriptions past the item or nesting bound are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxListItems = 2
        ParseFixture<[NamespaceDescription]>(
            "((\"a\" NIL)(\"b\" NIL)(\"c\" NIL))", " ", .overLimit(.listItems), limits: limits
        )
        .check { try GrammarParser.parseNamespace(&$0) }
        ParseFixture<[NamespaceDescription]>(
            "((\"a\" NIL \"X\" (\"1\" \"2\" \"3\")))", " ", .overLimit(.listItems), limits: limits
        )
        .check { try GrammarParser.parseNamespace(&$0) }
        limits = .responses
        limits.maxNestingDepth = 2
        ParseFixture<[NamespaceDescription]>(
            "((\"a\" NIL \"X\" (\"1\")))", " ", .overLimit(.nestingDepth), limits: limits
        )
        .check { try GrammarParser.parseNamespace(&$0) }
    }
}
