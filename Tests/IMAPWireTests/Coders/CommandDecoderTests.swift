import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct CommandDecoderTests {
    static func describe(_ event: CommandDecoder.Event) -> DecodedItem {
        switch event {
        case .command(let c):
            var b = EncodeBuffer(.clientLiteralPlus)
            b.writeTaggedCommand(c)
            return .item("command " + b.string)
        case .literalRequest(let r): return .item("literal \(r.tag ?? "-") \(r.length)")
        case .appendStart(let s): return .item("appendStart \(s.tag) \(s.mailbox)")
        case .appendMessage(let h): return .item("message \(h.length) \(h.options.flags)")
        case .appendBytes(let b): return .bytes(Array(b))
        case .appendMessageEnd: return .item("messageEnd")
        case .appendEnd: return .item("appendEnd")
        case .line(let l): return .item("line " + String(decoding: l, as: UTF8.self))
        case .passthroughLine(let l, _): return .item("raw " + String(decoding: l, as: UTF8.self))
        case .passthroughBytes(let b, _): return .bytes(Array(b))
        case .bad(let bad): return .item("bad \(bad.tag ?? "*") \(bad.underlying)")
        case .fatal(let bad): return .item("fatal \(bad.tag ?? "*") \(bad.underlying)")
        }
    }

    static let verifier = DecoderVerifier(
        make: { CommandDecoder() }, append: { $0.append($1) }, next: { $0.next().map(describe) })

    @Test("passthrough commands come out raw, literals and all; other commands are parsed")
    func passthrough() {
        let relayed = DecoderVerifier(
            make: {
                var d = CommandDecoder()
                d.passthrough = PassthroughVerbs(verbs: ["FETCH", "SEARCH"], uidVerbs: ["FETCH", "SEARCH"])
                return d
            }, append: { $0.append($1) }, next: { $0.next().map(Self.describe) })
        relayed.verify(
            [
                "a1 fetch 1:* (FLAGS)\r\n", "a2 UID SEARCH CHARSET UTF-8 TEXT {4}\r\n", "cafe\r\n",
                "a3 UID COPY 1 Trash\r\n", "a4 LIST \"\" *\r\n",
            ],
            expected: [
                .item("raw a1 fetch 1:* (FLAGS)\r\n"),
                .item("raw a2 UID SEARCH CHARSET UTF-8 TEXT {4}\r\n"),
                .item("literal a2 4"),
                .bytes(Array("cafe".utf8)),
                .item("raw \r\n"),
                .item("command a3 UID COPY 1 Trash\r\n"),
                .item("command a4 LIST \"\" *\r\n"),
            ])
    }

    @Test("pipelined commands with synchronising and non-synchronising literals")
    func pipelined() {
        Self.verifier.verify(
            ["A1 NOOP\r\n", "A2 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n", "a3 select inbox\r\n"],
            expected: [
                .item("command A1 NOOP\r\n"),
                .item("literal A2 5"),
                .item("command A2 LOGIN alice secret\r\n"),
                .item("command a3 SELECT INBOX\r\n"),
            ])
    }

    @Test("MULTIAPPEND bodies are streamed, never parsed as commands")
    func multiappend() {
        Self.verifier.verify(
            ["A3 APPEND INBOX (\\Seen) {11}\r\nA4 NOOP\r\nxx (\\Flagged) {3+}\r\nabc\r\n", "A5 NOOP\r\n"],
            expected: [
                .item("appendStart A3 INBOX"), .item("message 11 [\\Seen]"), .item("literal A3 11"),
                .bytes(Array("A4 NOOP\r\nxx".utf8)), .item("messageEnd"),
                .item("message 3 [\\Flagged]"), .bytes(Array("abc".utf8)), .item("messageEnd"),
                .item("appendEnd"),
                .item("command A5 NOOP\r\n"),
            ])
    }

    @Test("an APPEND mailbox name as a literal, synchronising or not, before the message literal")
    func appendMailboxLiteral() {
        Self.verifier.verify(
            ["A1 APPEND {5}\r\nINBOX (\\Seen) {3}\r\nabc\r\n", "A2 APPEND {5+}\r\nINBOX {2+}\r\nxy\r\n"],
            expected: [
                .item("literal A1 5"),
                .item("appendStart A1 INBOX"), .item("message 3 [\\Seen]"), .item("literal A1 3"),
                .bytes(Array("abc".utf8)), .item("messageEnd"), .item("appendEnd"),
                .item("appendStart A2 INBOX"), .item("message 2 []"),
                .bytes(Array("xy".utf8)), .item("messageEnd"), .item("appendEnd"),
            ])
    }

    @Test("an empty APPEND literal ends its message at once")
    func emptyAppend() {
        Self.verifier.verify(
            ["A1 APPEND INBOX {0+}\r\n\r\n"],
            expected: [.item("appendStart A1 INBOX"), .item("message 0 []"), .item("messageEnd"), .item("appendEnd")])
    }

    @Test("bad commands get their tag and the stream goes on")
    func badCommands() {
        let items = Self.verifier.verify(["A1 FROB\r\n", "A2 NOOP\r\n", "\r\n", "A3 NO\0OP\r\n", "A4 NOOP\r\n"])
        #expect(items.count == 5)
        #expect(items[0].description.hasPrefix("bad A1"))
        #expect(items[1] == .item("command A2 NOOP\r\n"))
        #expect(items[2].description.hasPrefix("bad *"))
        #expect(items[3] == .item("bad A3 NUL byte in command"))
        #expect(items[4] == .item("command A4 NOOP\r\n"))
    }

    @Test("a line over the bound is refused with its tag and the rest of it dropped")
    func lineTooLong() {
        let long = "A1 LOGIN " + String(repeating: "x", count: 9000) + "\r\n"
        Self.verifier.verify(
            [long, "A2 NOOP\r\n"], expected: [.item("bad A1 line too long"), .item("command A2 NOOP\r\n")])
    }

    @Test("a string literal over its bound: synchronising is refused, non-synchronising skipped")
    func stringLiteralBound() {
        let body = String(repeating: "y", count: 70000)
        Self.verifier.verify(
            ["A1 LOGIN {70000}\r\n", "A2 LOGIN {70000+}\r\n" + body + " x\r\n", "A3 NOOP\r\n"],
            expected: [
                .item("bad A1 string literal size over 65536"),
                .item("bad A2 string literal size over 65536"),
                .item("command A3 NOOP\r\n"),
            ])
    }

    @Test("a non-synchronising literal over the literal bound closes the stream")
    func fatalLiteral() {
        Self.verifier.verify(
            ["A1 APPEND INBOX {99999999999+}\r\n", "A2 NOOP\r\n"],
            expected: [.item("fatal A1 literal too large")])
    }

    @Test("a synchronising literal over the bound is refused and the next line is a command")
    func refusedSyncLiteral() {
        Self.verifier.verify(
            ["A1 APPEND INBOX {99999999999}\r\n", "A2 NOOP\r\n"],
            expected: [.item("bad A1 literal too large"), .item("command A2 NOOP\r\n")])
    }

    @Test("a refused APPEND literal is never read")
    func refuseLiteral() {
        var decoder = CommandDecoder()
        decoder.append(Array("A1 APPEND INBOX {100}\r\n".utf8))
        var items: [DecodedItem] = []
        while let e = decoder.next() { items.append(Self.describe(e)) }
        #expect(items == [.item("appendStart A1 INBOX"), .item("message 100 []"), .item("literal A1 100")])
        decoder.refuseLiteral()
        decoder.append(Array("A2 NOOP\r\n".utf8))
        #expect(decoder.next().map(Self.describe) == .item("command A2 NOOP\r\n"))
        #expect(decoder.next() == nil)
    }

    @Test("a malformed APPEND is refused with its tag; its literal is not expected")
    func badAppend() {
        let items = Self.verifier.verify(["A1 APPEND INBOX (\\Seen {3}\r\n", "A2 NOOP\r\n"])
        #expect(items.count == 2)
        #expect(items[0].description.hasPrefix("bad A1"))
        #expect(items[1] == .item("command A2 NOOP\r\n"))
    }

    @Test("IDLE and AUTHENTICATE continuation lines in line mode")
    func lineMode() {
        var decoder = CommandDecoder()
        decoder.append(Array("A1 IDLE\r\n".utf8))
        #expect(decoder.next().map(Self.describe) == .item("command A1 IDLE\r\n"))
        decoder.mode = .lines
        decoder.append(Array("DONE\r\n".utf8))
        guard case .line(let line)? = decoder.next() else {
            Issue.record("expected a line")
            return
        }
        var buffer = ParseBuffer(line)
        #expect(throws: Never.self) { try GrammarParser.parseIdleDone(&buffer) }
        decoder.mode = .commands
        decoder.append(Array("A2 NOOP\r\n".utf8))
        #expect(decoder.next().map(Self.describe) == .item("command A2 NOOP\r\n"))
    }
}
