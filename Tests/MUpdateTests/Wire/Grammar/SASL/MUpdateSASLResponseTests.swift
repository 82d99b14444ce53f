import IMAPWire
import Testing

@testable import MUpdate

typealias SASLFixture = MUpdateFixture<MUpdateSASLResponse>

@Suite struct MUpdateSASLResponseTests {
    @Test(
        "client responses: bare base64 line, quoted, literal, cancel",
        arguments: [
            SASLFixture("AGJvYgBzZWNyZXQ=\r\n", .success(.data("AGJvYgBzZWNyZXQ="))),
            SASLFixture("AGJvYgBzZWNyZXQ=\n", .success(.data("AGJvYgBzZWNyZXQ="))),
            SASLFixture("\r\n", .success(.data(""))),
            SASLFixture("\"AGJvYgBzZWNyZXQ=\"\r\n", .success(.data("AGJvYgBzZWNyZXQ="))),
            SASLFixture("{16+}\r\nAGJvYgBzZWNyZXQ=\r\n", .success(.data("AGJvYgBzZWNyZXQ="))),
            SASLFixture("{16}\r\nAGJvYgBzZWNyZXQ=\r\n", .success(.data("AGJvYgBzZWNyZXQ="))),
            SASLFixture("*\r\n", .success(.cancel)),
            SASLFixture("AGJv YgBz\r\n", .failure("expected base64")),
            SASLFixture("\"AG Jv\"\r\n", .failure("expected base64")),
            SASLFixture("*abc\r\n", .failure(nil)),
            SASLFixture("AGJvYgBz", .incomplete),
            SASLFixture("{16+}\r\nAGJv", .incomplete),
        ])
    func parse(_ fixture: SASLFixture) { fixture.check { try MUpdateParser.parseSASLResponse(&$0) } }

    @Test("a long bare response over the line bound is refused, the literal form takes it")
    func bound() {
        let long = String(repeating: "QUFB", count: 2100)
        SASLFixture(long + "\r\n", .overLimit(.lineLength)).check { try MUpdateParser.parseSASLResponse(&$0) }
        SASLFixture("{\(long.utf8.count)+}\r\n" + long + "\r\n", .success(.data(long))).check {
            try MUpdateParser.parseSASLResponse(&$0)
        }
    }

    @Test("written as Cyrus's clients write them, and read back")
    func encoding() throws {
        for (response, wire) in [
            (MUpdateSASLResponse.data("AGJvYgBzZWNyZXQ="), "AGJvYgBzZWNyZXQ=\r\n"), (.data(""), "\r\n"),
            (.cancel, "*\r\n"),
        ] {
            expectEncoded(wire) { $0.writeMUpdateSASLResponse(response) }
            var buffer = ParseBuffer(wire, limits: .mupdate)
            #expect(try MUpdateParser.parseSASLResponse(&buffer) == response)
        }
    }
}
