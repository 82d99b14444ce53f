import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct CoreGrammarTests {
    @Test("atom stops at atom-specials", arguments: [
        ParseFixture<String>("abc", " ", .success("abc")),
        ParseFixture<String>("abc", "(", .success("abc")),
        ParseFixture<String>("a", "]", .success("a")),
        ParseFixture<String>("", "(", .failure),
        ParseFixture<String>("abc", "", .incomplete),
    ])
    func atom(_ fixture: ParseFixture<String>) { fixture.check { try GrammarParser.parseAtom(&$0) } }

    @Test("astring: atom chars, quoted with escapes, literal", arguments: [
        ParseFixture<[UInt8]>("INBOX]", " ", .success(Array("INBOX]".utf8))),
        ParseFixture<[UInt8]>(#""a \"b\" \\c""#, " ", .success(Array(#"a "b" \c"#.utf8))),
        ParseFixture<[UInt8]>("{3}\r\nabc", " ", .success(Array("abc".utf8))),
        ParseFixture<[UInt8]>("{3+}\r\nabc", " ", .success(Array("abc".utf8))),
        ParseFixture<[UInt8]>("{3}\r\nab", "", .incomplete),
        ParseFixture<[UInt8]>(#""bad\q""#, " ", .failure),
        ParseFixture<[UInt8]>("{70000}\r\n", "", .overLimit(.stringLiteralSize)),
        ParseFixture<[UInt8]>("{99999999999}\r\n", "", .overLimit(.literalSize)),
        ParseFixture<[UInt8]>("{99999999999999999999999}\r\n", "", .failure),
    ])
    func astring(_ fixture: ParseFixture<[UInt8]>) { fixture.check { try GrammarParser.parseAString(&$0) } }

    @Test("numbers: 32-bit bound, non-zero", arguments: [
        ParseFixture<UInt32>("4294967295", " ", .success(4_294_967_295)),
        ParseFixture<UInt32>("4294967296", " ", .failure),
        ParseFixture<UInt32>("0", " ", .success(0)),
    ])
    func number(_ fixture: ParseFixture<UInt32>) { fixture.check { try GrammarParser.parseNumber(&$0) } }

    @Test("sequence sets", arguments: [
        ParseFixture<SequenceSet>("1:4,7,9:*", " ", .success(SequenceSet([
            SequenceRange(1...4), SequenceRange(7), SequenceRange(.number(9), .last),
        ]))),
        ParseFixture<SequenceSet>("$", " ", .success(.savedResult)),
        ParseFixture<SequenceSet>("0", " ", .failure),
        ParseFixture<SequenceSet>("1,", " ", .failure),
    ])
    func sequenceSet(_ fixture: ParseFixture<SequenceSet>) { fixture.check { try GrammarParser.parseSequenceSet(&$0) } }

    @Test("sequence set over the range bound")
    func sequenceSetLimit() {
        var limits = Limits.commands
        limits.maxSequenceRanges = 3
        ParseFixture<SequenceSet>("1,2,3,4", " ", .overLimit(.sequenceRanges), limits: limits).check {
            try GrammarParser.parseSequenceSet(&$0)
        }
    }

    @Test("date-time", arguments: [
        ParseFixture<InternalDate>(#""17-Jul-1996 02:44:25 -0700""#, " ", .success(
            InternalDate(year: 1996, month: 7, day: 17, hour: 2, minute: 44, second: 25, zoneMinutes: -420)!)),
        ParseFixture<InternalDate>(#"" 7-Jul-1996 02:44:25 +0000""#, " ", .success(
            InternalDate(year: 1996, month: 7, day: 7, hour: 2, minute: 44, second: 25, zoneMinutes: 0)!)),
        ParseFixture<InternalDate>(#""31-Feb-1996 02:44:25 +0000""#, " ", .failure),
    ])
    func dateTime(_ fixture: ParseFixture<InternalDate>) { fixture.check { try GrammarParser.parseDateTime(&$0) } }

    @Test("nesting depth is bounded")
    func nesting() {
        var limits = Limits.commands
        limits.maxNestingDepth = 3
        func parseNested(_ b: inout ParseBuffer) throws -> Int {
            if try b.peek() == UInt8(ascii: "(") {
                return (try PL.parenthesized(&b) { try parseNested(&$0) }).first ?? 0 + 1
            }
            return Int(try GrammarParser.parseNumber(&b))
        }
        ParseFixture<Int>("(((1)))", " ", .success(1), limits: limits).check(parseNested)
        ParseFixture<Int>("((((1))))", " ", .overLimit(.nestingDepth), limits: limits).check(parseNested)
    }

    @Test("modified UTF-7 round trip", arguments: [
        ("Entwürfe", "Entw&APw-rfe"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("A&B", "A&-B"),
        ("😀", "&2D3eAA-"),
    ])
    func modifiedUTF7(display: String, wire: String) {
        #expect(ModifiedUTF7.encode(display) == Array(wire.utf8))
        #expect(ModifiedUTF7.decode(Array(wire.utf8)) == display)
    }

    @Test("modified UTF-7 refuses what RFC 3501 forbids", arguments: ["&AGE-", "&Jjo", "&Jjo!-", "caf\u{e9}", "&2D0-"])
    func modifiedUTF7Invalid(wire: String) {
        #expect(ModifiedUTF7.decode(Array(wire.utf8)) == nil)
    }

    @Test("strings choose atom, quoted or literal")
    func encodeStrings() {
        expectEncoded("INBOX") { $0.writeAString("INBOX") }
        expectEncoded("\"a b\"") { $0.writeAString("a b") }
        expectEncoded("\"NIL\"") { $0.writeAString("NIL") }
        expectEncoded("\"\"") { $0.writeAString("") }
        expectEncoded("{5}\r\ncafé") { $0.writeAString("café") }
        var b = EncodeBuffer(.client)
        b.writeRaw("A1 LOGIN ")
        b.writeAString("a\r\nb")
        b.writeRaw(" x\r\n")
        #expect(b.chunks.map { String(decoding: $0, as: UTF8.self) } == ["A1 LOGIN {4}\r\n", "a\r\nb x\r\n"])
    }
}
