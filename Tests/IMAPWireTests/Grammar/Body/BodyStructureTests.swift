import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct BodyStructureTests {
    typealias B = BodyStructure

    static func text(
        _ subtype: String = "PLAIN", charset: String = "US-ASCII", octets: UInt32, lines: UInt64,
        ext: B.SinglePartExtension? = nil
    ) -> B {
        .singlepart(
            .init(
                kind: .text(subtype: subtype, lineCount: lines),
                fields: .init(
                    parameters: [.init("CHARSET", charset)], id: nil, description: nil, encoding: "7BIT",
                    octetCount: octets),
                extensionData: ext))
    }

    /// Cyrus writes all four single-part extension fields, NIL when absent.
    static let cyrusNILs = B.SinglePartExtension(
        md5: nil, more: .init(disposition: nil, more: .init(languages: [], more: .init(location: nil))))

    static let rfcMultipart = B.multipart(
        .init(
            parts: [
                text(octets: 1152, lines: 23),
                .singlepart(
                    .init(
                        kind: .text(subtype: "PLAIN", lineCount: 73),
                        fields: .init(
                            parameters: [.init("CHARSET", "US-ASCII"), .init("NAME", "cc.diff")],
                            id: "<960723163407.20117h@cac.washington.edu>", description: "Compiler diff",
                            encoding: "BASE64", octetCount: 4554))),
            ], subtype: "MIXED"))

    @Test(
        "body structures parse",
        arguments: [
            // RFC 3501 §7.4.2
            ParseFixture<B>.response(
                "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2279 48)", ")",
                .success(text(octets: 2279, lines: 48))),
            .response(
                "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")",
                ")",
                .success(rfcMultipart)),
            // Cyrus: every extension field present.
            .response(
                "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)", ")",
                .success(text(charset: "us-ascii", octets: 1152, lines: 23, ext: cyrusNILs))),
            .response(
                "((\"text\" \"html\" NIL NIL NIL \"quoted-printable\" 10 1) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL \"EN\" \"http://x/\" 5 (6 NIL \"z\"))",
                ")",
                .success(
                    .multipart(
                        .init(
                            parts: [
                                .singlepart(
                                    .init(
                                        kind: .text(subtype: "html", lineCount: 1),
                                        fields: .init(
                                            parameters: [], id: nil, description: nil, encoding: "quoted-printable",
                                            octetCount: 10)))
                            ],
                            subtype: "ALTERNATIVE",
                            extensionData: .init(
                                parameters: [.init("BOUNDARY", "b1")],
                                more: .init(
                                    disposition: nil,
                                    more: .init(
                                        languages: ["EN"],
                                        more: .init(
                                            location: "http://x/",
                                            extensions: [.number(5), .list([.number(6), .string(nil), .string("z")])])))
                            ))))),
            .response(
                "(\"IMAGE\" \"GIF\" (\"NAME\" \"a.gif\") \"<id>\" NIL \"BASE64\" 4554 \"md5sum\" (\"ATTACHMENT\" (\"FILENAME\" \"a.gif\")) (\"EN\" \"DE\"))",
                ")",
                .success(
                    .singlepart(
                        .init(
                            kind: .basic(type: "IMAGE", subtype: "GIF"),
                            fields: .init(
                                parameters: [.init("NAME", "a.gif")], id: "<id>", description: nil, encoding: "BASE64",
                                octetCount: 4554),
                            extensionData: .init(
                                md5: "md5sum",
                                more: .init(
                                    disposition: .init(kind: "ATTACHMENT", parameters: [.init("FILENAME", "a.gif")]),
                                    more: .init(languages: ["EN", "DE"]))))))),
            .response(
                "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) 12)",
                ")",
                .success(
                    .singlepart(
                        .init(
                            kind: .message(
                                subtype: "RFC822",
                                envelope: Envelope(
                                    date: nil, subject: octets("s"), from: [], sender: [], replyTo: [], to: [], cc: [],
                                    bcc: [], inReplyTo: nil, messageID: nil),
                                body: ResponseSamples.textPart, lineCount: 12),
                            fields: .init(parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 342))
                    ))),
            // Servers' loose forms: a space between parts, () parameters, TEXT without lines, MESSAGE/RFC822 without envelope.
            .response(
                "((\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 2) \"MIXED\")",
                ")",
                .success(
                    .multipart(
                        .init(
                            parts: [
                                .singlepart(
                                    .init(
                                        kind: .text(subtype: "PLAIN", lineCount: 1),
                                        fields: .init(
                                            parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 1))
                                ),
                                .singlepart(
                                    .init(
                                        kind: .text(subtype: "PLAIN", lineCount: 2),
                                        fields: .init(
                                            parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 2))
                                ),
                            ], subtype: "MIXED")))),
            .response(
                "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10)", ")",
                .success(
                    .singlepart(
                        .init(
                            kind: .basic(type: "TEXT", subtype: "PLAIN"),
                            fields: .init(parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 10)))
                )),
            .response(
                "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 10 NIL)", ")",
                .success(
                    .singlepart(
                        .init(
                            kind: .basic(type: "MESSAGE", subtype: "RFC822"),
                            fields: .init(parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 10),
                            extensionData: .init(md5: nil))))),
            .response("(\"TEXT\")", ")", .failure),
            .response("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\")", ")", .failure),
            .response("(NIL \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)", ")", .failure),
            .response("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1))", ")", .failure),
            .response("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL ())", ")", .failure),
            .response("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1", "", .incomplete),
            .response("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<B>) { fixture.check { try GrammarParser.parseBody(&$0) } }

    @Test("the RFC 3501 multipart example encodes byte for byte")
    func rfcEncoding() {
        expectEncoded(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")"
        ) {
            $0.writeBodyStructure(Self.rfcMultipart)
        }
        expectEncoded("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)") {
            $0.writeBodyStructure(Self.text(charset: "us-ascii", octets: 1152, lines: 23, ext: Self.cyrusNILs))
        }
    }

    @Test(
        "every depth of extension data survives encode then parse",
        arguments: [
            ResponseSamples.bodyStructure, ResponseSamples.bodyStructure.withoutExtensions, rfcMultipart,
            text(octets: 1, lines: 1, ext: .init(md5: "x")),
            text(octets: 1, lines: 1, ext: .init(md5: nil, more: .init(disposition: nil))),
            text(
                octets: 1, lines: 1, ext: .init(md5: nil, more: .init(disposition: nil, more: .init(languages: ["en"])))
            ),
            text(
                octets: 1, lines: 1,
                ext: .init(
                    md5: nil,
                    more: .init(
                        disposition: nil,
                        more: .init(
                            languages: [], more: .init(location: "l", extensions: [.list([.list([.number(1)])])]))))),
            B.multipart(
                .init(parts: [text(octets: 1, lines: 1)], subtype: "MIXED", extensionData: .init(parameters: []))),
            B.singlepart(
                .init(
                    kind: .message(
                        subtype: "GLOBAL", envelope: ResponseSamples.groupEnvelope, body: ResponseSamples.bodyStructure,
                        lineCount: 3),
                    fields: .init(parameters: [], id: nil, description: nil, encoding: "8BIT", octetCount: 9))),
        ])
    func roundtrip(_ body: B) throws {
        var out = EncodeBuffer(.server)
        let n = out.writeBodyStructure(body)
        #expect(n == out.bytes.count)
        var buffer = ParseBuffer(out.bytes + [UInt8(ascii: ")")], limits: .responses)
        #expect(try GrammarParser.parseBody(&buffer) == body, "\(out.string)")
    }

    @Test("withoutExtensions drops extension data at every level")
    func withoutExtensions() {
        guard case .multipart(let m) = ResponseSamples.bodyStructure.withoutExtensions else {
            Issue.record("not a multipart")
            return
        }
        #expect(m.extensionData == nil)
        for part in m.parts {
            if case .singlepart(let s) = part {
                #expect(s.extensionData == nil)
                if case .message(_, _, let inner, _) = s.kind { #expect(inner == inner.withoutExtensions) }
            }
        }
    }

    @Test("deep nesting and long lists are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxNestingDepth = 3
        let leaf = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"
        ParseFixture<B>(
            "((\(leaf) \"A\") \"B\")", ")",
            .success(
                .multipart(
                    .init(
                        parts: [
                            .multipart(
                                .init(
                                    parts: [
                                        .singlepart(
                                            .init(
                                                kind: .text(subtype: "PLAIN", lineCount: 1),
                                                fields: .init(
                                                    parameters: [], id: nil, description: nil, encoding: "7BIT",
                                                    octetCount: 1)))
                                    ], subtype: "A"))
                        ], subtype: "B"))), limits: limits
        ).check { try GrammarParser.parseBody(&$0) }
        ParseFixture<B>("(((\(leaf) \"A\") \"B\") \"C\")", ")", .overLimit(.nestingDepth), limits: limits).check {
            try GrammarParser.parseBody(&$0)
        }
        ParseFixture<B>(
            "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL (((1))))", ")", .overLimit(.nestingDepth),
            limits: limits
        )
        .check { try GrammarParser.parseBody(&$0) }
        limits = .responses
        limits.maxListItems = 2
        ParseFixture<B>("(\(leaf)\(leaf)\(leaf) \"MIXED\")", ")", .overLimit(.listItems), limits: limits).check {
            try GrammarParser.parseBody(&$0)
        }
        ParseFixture<B>(
            "(\"TEXT\" \"PLAIN\" (\"A\" \"1\" \"B\" \"2\" \"C\" \"3\") NIL NIL \"7BIT\" 1 1)", ")",
            .overLimit(.listItems), limits: limits
        )
        .check { try GrammarParser.parseBody(&$0) }
        limits = .responses
        limits.maxStringLiteralSize = 2
        ParseFixture<B>(
            "(\"TEXT\" {3}\r\nabc NIL NIL NIL \"7BIT\" 1 1)", ")", .overLimit(.stringLiteralSize), limits: limits
        )
        .check { try GrammarParser.parseBody(&$0) }
    }
}
