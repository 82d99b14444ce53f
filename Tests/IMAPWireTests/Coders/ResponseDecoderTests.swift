import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ResponseDecoderTests {
    static func describe(_ event: ResponseDecoder.Event) -> DecodedItem {
        switch event {
        case .value(let r):
            var b = EncodeBuffer(.server)
            b.writeResponse(r)
            return .item(b.string)
        case .malformed(let bytes, let error):
            return .item("malformed \(String(decoding: bytes, as: UTF8.self).debugDescription) \(error)")
        case .fatal(let error): return .item("fatal \(error.reason)")
        }
    }

    static let verifier = DecoderVerifier(
        make: { ResponseDecoder() }, append: { $0.append($1) }, next: { $0.next().map(describe) })

    @Test("the RFC 3501 §8 server stream, however it is split, gives every response once")
    func sampleSession() {
        let messages = RFC3501SampleSessionTests.lines.map(\.0)
        let expected = RFC3501SampleSessionTests.lines.map { line, response -> DecodedItem in
            var b = EncodeBuffer(.server)
            b.writeResponse(response)
            return .item(b.string)
        }
        Self.verifier.verify(messages, expected: expected)
    }

    @Test("a FETCH body literal stays inside its response")
    func fetchLiteral() {
        Self.verifier.verify(
            ["* 1 FETCH (UID 7 BODY[] {12}\r\nA1 OK fake\r\n)\r\n", "A1 OK done\r\n"],
            expected: [
                .item("* 1 FETCH (UID 7 BODY[] {12}\r\nA1 OK fake\r\n)\r\n"),
                .item("A1 OK done\r\n"),
            ])
    }

    @Test("a malformed response is reported and reading goes on")
    func malformed() {
        let items = Self.verifier.verify(["* 1 FETCH (UID)\r\n", "* 2 EXISTS\r\n"])
        #expect(items.count == 2)
        #expect(items[0].description.hasPrefix("malformed \"* 1 FETCH (UID)\\r\\n\""))
        #expect(items[1] == .item("* 2 EXISTS\r\n"))
    }

    @Test("a literal over the response bound ends the stream")
    func overBound() {
        let limits = {
            var limits = Limits.responses
            limits.maxLiteralSize = 100
            return limits
        }()
        let verifier = DecoderVerifier(
            make: { ResponseDecoder(limits: limits) }, append: { $0.append($1) },
            next: { $0.next().map(Self.describe) })
        verifier.verify(["* 1 FETCH (BODY[] {101}\r\n", "* 2 EXISTS\r\n"], expected: [.item("fatal literalTooLarge")])
    }
}
