import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct EnvelopeTests {
    /// The envelope of RFC 3501 §8, its editorial line breaks joined by single spaces.
    static let rfcWire =
        "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\")"

    static let nilAddress = Address(name: nil, adl: nil, mailbox: nil, host: nil)

    @Test(
        "envelopes parse",
        arguments: [
            ParseFixture<Envelope>.response(rfcWire, ")", .success(ResponseSamples.envelope)),
            .response(
                "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)", ")",
                .success(
                    Envelope(
                        date: nil, subject: nil, from: [], sender: [], replyTo: [], to: [], cc: [], bcc: [],
                        inReplyTo: nil, messageID: nil))),
            .response(
                "(\"d\" {2}\r\nhi () NIL NIL NIL NIL NIL \"\" NIL)", ")",
                .success(
                    Envelope(
                        date: octets("d"), subject: octets("hi"), from: [], sender: [], replyTo: [], to: [], cc: [],
                        bcc: [], inReplyTo: [], messageID: nil))),
            .response("(NIL NIL NIL NIL NIL NIL NIL NIL NIL)", ")", .failure),
            .response("(NIL NIL (NIL NIL NIL) NIL NIL NIL NIL NIL NIL NIL)", ")", .failure),
            .response("(NIL NIL ((NIL NIL \"a\" \"b\")", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<Envelope>) { fixture.check { try GrammarParser.parseEnvelope(&$0) } }

    @Test("the RFC 3501 envelope re-encodes byte for byte")
    func encoding() {
        expectEncoded(Self.rfcWire) { $0.writeEnvelope(ResponseSamples.envelope) }
    }

    @Test(
        "group markers fold into groups and back",
        arguments: [
            (
                "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))",
                [AddressListItem.group(AddressGroup(name: octets("undisclosed-recipients"), members: []))], true
            ),
            (
                "((NIL NIL \"team\" NIL)(\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")(NIL NIL NIL NIL)(\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))",
                [
                    .group(AddressGroup(name: octets("team"), members: [ResponseSamples.gray])),
                    .address(ResponseSamples.gray),
                ], true
            ),
            // An end marker outside a group stays an address; an unterminated group ends with the list.
            ("((NIL NIL NIL NIL))", [.address(nilAddress)], true),
            (
                "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"b\"))",
                [
                    .group(
                        AddressGroup(
                            name: octets("g"),
                            members: [Address(name: nil, adl: nil, mailbox: octets("a"), host: octets("b"))]))
                ], false
            ),
            // A start marker with a display name is an ordinary (odd) address.
            (
                "((\"n\" NIL \"g\" NIL))",
                [.address(Address(name: octets("n"), adl: nil, mailbox: octets("g"), host: nil))], true
            ),
            ("NIL", [], true),
            (
                "((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\"))",
                [
                    .address(Address(name: nil, adl: nil, mailbox: octets("a"), host: octets("b"))),
                    .address(Address(name: nil, adl: nil, mailbox: octets("c"), host: octets("d"))),
                ], false
            ),
        ] as [(String, [AddressListItem], Bool)])
    func groups(wire: String, items: [AddressListItem], reencodes: Bool) throws {
        var buffer = ParseBuffer(wire + " ", limits: .responses)
        let parsed = try GrammarParser.parseEnvAddressList(&buffer)
        #expect(parsed == items)
        #expect(buffer.remaining == 1)
        var out = EncodeBuffer(.server)
        out.writeAddressList(items)
        if reencodes { #expect(out.string == wire) }
        var again = ParseBuffer(out.bytes + [UInt8(ascii: " ")], limits: .responses)
        #expect(try GrammarParser.parseEnvAddressList(&again) == items)
    }

    @Test("addresses past the item bound and strings past the literal bound are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxListItems = 2
        ParseFixture<[AddressListItem]>(
            "((NIL NIL \"a\" \"b\")(NIL NIL \"a\" \"b\")(NIL NIL \"a\" \"b\"))", " ", .overLimit(.listItems),
            limits: limits
        )
        .check { try GrammarParser.parseEnvAddressList(&$0) }
        limits = .responses
        limits.maxStringLiteralSize = 2
        ParseFixture<Address>("({3}\r\nabc NIL NIL NIL)", " ", .overLimit(.stringLiteralSize), limits: limits)
            .check { try GrammarParser.parseAddress(&$0) }
        limits = .responses
        limits.maxNestingDepth = 1
        ParseFixture<Envelope>(
            "(NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL)", ")", .overLimit(.nestingDepth),
            limits: limits
        )
        .check { try GrammarParser.parseEnvelope(&$0) }
    }
}
