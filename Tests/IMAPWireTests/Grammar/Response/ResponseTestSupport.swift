import MurderTestSupport
import Testing

@testable import IMAPWire

extension ParseFixture {
    /// A fixture parsed under ``Limits/responses``.
    static func response(
        _ input: String, _ terminator: String = "", _ expected: Expected,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParseFixture {
        ParseFixture(input, terminator, expected, limits: .responses, sourceLocation: sourceLocation)
    }
}

/// The UTF-8 bytes of `s`.
func octets(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Parses exactly one response frame from `wire`, requiring every byte to be consumed.
func parseResponseFrame(_ wire: [UInt8], limits: Limits = .responses) throws -> Response {
    var buffer = ParseBuffer(wire, limits: limits)
    let response = try GrammarParser.parseResponse(&buffer)
    #expect(buffer.isAtEnd, "stopped at \(buffer.index) of \(buffer.bytes.count)")
    return response
}

func parseResponseFrame(_ wire: String, limits: Limits = .responses) throws -> Response {
    try parseResponseFrame(Array(wire.utf8), limits: limits)
}

/// The bytes a server writes for `response`.
func encodedResponseBytes(_ response: Response) -> [UInt8] {
    var buffer = EncodeBuffer(.server)
    let n = buffer.writeResponse(response)
    #expect(n == buffer.bytes.count, "writeResponse returned \(n) for \(buffer.bytes.count) bytes")
    return buffer.bytes
}

func encodedResponse(_ response: Response) -> String {
    String(decoding: encodedResponseBytes(response), as: UTF8.self)
}

/// Encodes `response`, parses the bytes back and expects the same value.
func expectResponseRoundtrip(_ response: Response, sourceLocation: SourceLocation = #_sourceLocation) {
    let wire = encodedResponseBytes(response)
    let shown = String(decoding: wire, as: UTF8.self).debugDescription
    do {
        let parsed = try parseResponseFrame(wire)
        #expect(parsed == response, "\(shown)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(shown) did not parse back: \(error)", sourceLocation: sourceLocation)
    }
}

/// Parses `wire`, expects `expected`, and (when `reencodes`) expects the encoder to give the
/// same bytes back.
func expectResponse(
    _ wire: String, _ expected: Response, reencodes: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let parsed = try parseResponseFrame(wire)
        #expect(parsed == expected, sourceLocation: sourceLocation)
        if reencodes { #expect(encodedResponse(parsed) == wire, sourceLocation: sourceLocation) }
    } catch {
        Issue.record("\(wire.debugDescription) did not parse: \(error)", sourceLocation: sourceLocation)
    }
}

/// Sample values shared by the response suites.
enum ResponseSamples {
    static let date = InternalDate(year: 1996, month: 7, day: 17, hour: 2, minute: 44, second: 25, zoneMinutes: -420)!

    static let gray = Address(
        name: octets("Terry Gray"), adl: nil, mailbox: octets("gray"), host: octets("cac.washington.edu"))

    static let envelope = Envelope(
        date: octets("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"), subject: octets("IMAP4rev1 WG mtg summary and minutes"),
        from: [.address(gray)], sender: [.address(gray)], replyTo: [.address(gray)],
        to: [.address(Address(name: nil, adl: nil, mailbox: octets("imap"), host: octets("cac.washington.edu")))],
        cc: [
            .address(Address(name: nil, adl: nil, mailbox: octets("minutes"), host: octets("CNRI.Reston.VA.US"))),
            .address(
                Address(name: octets("John Klensin"), adl: nil, mailbox: octets("KLENSIN"), host: octets("MIT.EDU"))),
        ],
        bcc: [], inReplyTo: nil, messageID: octets("<B27397-0100000@cac.washington.edu>"))

    static let groupEnvelope = Envelope(
        date: nil, subject: octets(""), from: [.address(gray)], sender: [], replyTo: [],
        to: [.group(AddressGroup(name: octets("undisclosed-recipients"), members: []))],
        cc: [.group(AddressGroup(name: octets("team"), members: [gray])), .address(gray)],
        bcc: [], inReplyTo: octets("<a@b>"), messageID: nil)

    static let textPart = BodyStructure.singlepart(
        .init(
            kind: .text(subtype: "PLAIN", lineCount: 92),
            fields: .init(
                parameters: [.init("CHARSET", "US-ASCII")], id: nil, description: nil, encoding: "7BIT",
                octetCount: 3028)))

    /// A multipart with every kind of part and every depth of extension data.
    static let bodyStructure = BodyStructure.multipart(
        .init(
            parts: [
                .singlepart(
                    .init(
                        kind: .text(subtype: "PLAIN", lineCount: 23),
                        fields: .init(
                            parameters: [.init("CHARSET", "US-ASCII")], id: nil, description: nil, encoding: "7BIT",
                            octetCount: 1152),
                        extensionData: .init(
                            md5: nil,
                            more: .init(disposition: nil, more: .init(languages: [], more: .init(location: nil)))))),
                .singlepart(
                    .init(
                        kind: .basic(type: "APPLICATION", subtype: "PDF"),
                        fields: .init(
                            parameters: [.init("NAME", "a b.pdf")], id: "<id@x>", description: "Compiler diff",
                            encoding: "BASE64", octetCount: 4554),
                        extensionData: .init(
                            md5: "Q2hlY2sgSW50ZWdyaXR5IQ==",
                            more: .init(
                                disposition: .init(kind: "ATTACHMENT", parameters: [.init("FILENAME", "a b.pdf")]),
                                more: .init(
                                    languages: ["en", "de"],
                                    more: .init(
                                        location: "http://x/a.pdf",
                                        extensions: [
                                            .number(7), .string(nil), .string("x"),
                                            .list([.number(1), .list([.string("y")])]),
                                        ])))))),
                .singlepart(
                    .init(
                        kind: .message(subtype: "RFC822", envelope: envelope, body: textPart, lineCount: 120),
                        fields: .init(parameters: [], id: nil, description: nil, encoding: "7BIT", octetCount: 5000),
                        extensionData: .init(
                            md5: nil,
                            more: .init(
                                disposition: .init(kind: "INLINE", parameters: []), more: .init(languages: ["fr"]))))),
                .multipart(.init(parts: [textPart, textPart], subtype: "ALTERNATIVE")),
            ],
            subtype: "MIXED",
            extensionData: .init(parameters: [.init("BOUNDARY", "----=_x")], more: .init(disposition: nil))))
}

extension Response {
    static func ok(_ tag: String, _ text: String, code: ResponseCode? = nil) -> Response {
        .tagged(TaggedResponse(tag: tag, state: .ok(ResponseText(code: code, text: text))))
    }

    static func no(_ tag: String, _ text: String, code: ResponseCode? = nil) -> Response {
        .tagged(TaggedResponse(tag: tag, state: .no(ResponseText(code: code, text: text))))
    }

    static func bad(_ tag: String, _ text: String, code: ResponseCode? = nil) -> Response {
        .tagged(TaggedResponse(tag: tag, state: .bad(ResponseText(code: code, text: text))))
    }

    static func untaggedOK(_ text: String, code: ResponseCode? = nil) -> Response {
        .untagged(.state(.ok(ResponseText(code: code, text: text))))
    }
}
