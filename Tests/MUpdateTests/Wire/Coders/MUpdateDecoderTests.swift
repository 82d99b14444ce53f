import IMAPWire
import MurderTestSupport
import Testing

@testable import MUpdate

@Suite struct MUpdateDecoderTests {
    static func describe(_ event: MUpdateCommandDecoder.Event) -> DecodedItem {
        switch event {
        case .command(let c):
            var b = EncodeBuffer(.client)
            b.writeMUpdateCommand(c)
            return .item(b.string)
        case .saslResponse(let r): return .item("sasl \(r)")
        case .literalRequest(let r): return .item("literal \(r.tag ?? "-") \(r.length)")
        case .bad(let bad): return .item("bad \(bad.tag ?? "*")")
        case .fatal(let bad): return .item("fatal \(bad.tag ?? "*")")
        }
    }

    static func describe(_ event: MUpdateResponseDecoder.Event) -> DecodedItem {
        switch event {
        case .value(let r):
            var b = EncodeBuffer(.server)
            b.writeMUpdateResponse(r)
            return .item(b.string)
        case .malformed(let bytes, _): return .item("malformed \(String(decoding: bytes, as: UTF8.self))")
        case .fatal(let e): return .item("fatal \(e.reason)")
        }
    }

    static let commands = DecoderVerifier(
        make: { MUpdateCommandDecoder() }, append: { $0.append($1) }, next: { $0.next().map(describe) })
    static let responses = DecoderVerifier(
        make: { MUpdateResponseDecoder() }, append: { $0.append($1) }, next: { $0.next().map(describe) })

    /// Splits a transcript after each frame's final CRLF (a line with no literal announced).
    static func frames(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var rest = Substring(s)
        while let nl = rest.firstIndex(of: "\n") {
            let line = rest[...nl]
            rest = rest[rest.index(after: nl)...]
            current += line
            if let open = line.lastIndex(of: "{"), line.hasSuffix("+}\r\n") || line.hasSuffix("}\r\n"),
                let n = Int(line[line.index(after: open)...].prefix { $0.isNumber })
            {
                current += rest.prefix(n)
                rest = rest.dropFirst(n)
                continue
            }
            out.append(current)
            current = ""
        }
        return out
    }

    @Test("what Cyrus clients send, however split, decodes to the same commands, re-encoded byte for byte")
    func cyrusClients() {
        let frames = Self.frames(CyrusTranscriptTests.cyrusClientBytes)
        Self.commands.verify(frames, expected: frames.map { .item($0) })
    }

    @Test("what a Cyrus master sends, however split, decodes and re-encodes byte for byte")
    func cyrusMaster() {
        let frames = Self.frames(CyrusTranscriptTests.cyrusMasterDumpAndStream)
        Self.responses.verify(frames, expected: frames.map { .item($0) })
    }

    @Test("a synchronising literal asks for a continuation; errors carry the tag")
    func literalsAndErrors() {
        Self.commands.verify(
            ["A1 FIND {8}\r\nuser.bob\r\n", "A2 FROB\r\n", "A3 NOOP\r\n"],
            expected: [
                .item("literal A1 8"), .item("A1 FIND {8+}\r\nuser.bob\r\n"), .item("bad A2"), .item("A3 NOOP\r\n"),
            ])
    }

    @Test("a non-synchronising literal over 65536 octets closes; a synchronising one is refused")
    func literalBounds() {
        Self.commands.verify(["A1 FIND {65537}\r\n", "A2 NOOP\r\n"], expected: [.item("bad A1"), .item("A2 NOOP\r\n")])
        Self.commands.verify(["A1 FIND {65537+}\r\n", "A2 NOOP\r\n"], expected: [.item("fatal A1")])
    }
}
