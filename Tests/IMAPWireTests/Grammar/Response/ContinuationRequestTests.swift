import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ContinuationRequestTests {
    @Test(
        "text, base64 and empty continuation requests",
        arguments: [
            ParseFixture<ContinuationRequest>.response(
                "+ Ready for literal data\r\n", "",
                .success(.responseText(ResponseText(text: "Ready for literal data")))),
            .response("+ [ALERT] hurry\r\n", "", .success(.responseText(ResponseText(code: .alert, text: "hurry")))),
            .response("+ \r\n", "", .success(.responseText(ResponseText(text: "")))),
            .response("+\r\n", "", .success(.responseText(ResponseText(text: "")))),
            // RFC 4959 §3 / RFC 3501 §6.2.2: a GSSAPI challenge.
            .response(
                "+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n", "",
                .success(
                    .data([
                        96, 104, 6, 9, 42, 134, 72, 134, 247, 18, 1, 2, 2, 2, 1, 0, 0, 255, 255, 255, 255, 234, 55, 50,
                        27, 129, 132,
                        220, 169, 19, 204, 23, 129, 137, 81, 222, 113, 227, 246, 9, 102, 52, 73, 29, 31, 1, 0, 32, 0, 4,
                        4, 4, 4,
                    ]))),
            .response(
                "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n", "",
                .success(.data(octets("<1896.697170952@postoffice.reston.mci.net>")))),
            // Valid base64 wins over text: the parser cannot tell them apart.
            .response("+ idle\r\n", "", .success(.data([137, 217, 94]))),
            .response("+ idling\r\n", "", .success(.responseText(ResponseText(text: "idling")))),
            .response("+ abc=\r\n", "", .success(.data([0x69, 0xB7]))),
            .response("+ ab=c\r\n", "", .success(.responseText(ResponseText(text: "ab=c")))),
            .response("+ Ready", "", .incomplete),
            .response("+", "", .incomplete),
            .response("+x\r\n", "", .failure),
        ])
    func parse(_ fixture: ParseFixture<ContinuationRequest>) {
        fixture.check { try GrammarParser.parseContinueReq(&$0) }
    }

    @Test("base64 encodes with padding and decodes back", arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64(_ text: String) {
        let encoded = ContinuationRequest.base64Encode(octets(text))
        #expect(ContinuationRequest.base64Decode(encoded) == octets(text))
    }

    @Test("continuation requests encode as a server sends them")
    func encoding() {
        expectEncoded("+ go ahead\r\n") { $0.writeContinuationRequest(.responseText(ResponseText(text: "go ahead"))) }
        expectEncoded("+ Zm9vYmE=\r\n") { $0.writeContinuationRequest(.data(octets("fooba"))) }
        expectEncoded("+ \r\n") { $0.writeContinuationRequest(.data([])) }
    }
}
