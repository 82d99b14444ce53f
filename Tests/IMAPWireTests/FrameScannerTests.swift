import IMAPWire
import Testing

/// One event as the tests compare them: literal chunks merged, `.needMore` dropped, and the
/// stream offset where the event ended, so that any split of the input gives the same list.
struct Recorded: Hashable, CustomStringConvertible {
    var event: FrameEvent
    var end: Int

    var description: String { "\(event) @\(end)" }
}

/// Feeds `bytes` in pieces of the given sizes (cycled; an empty list means all at once),
/// calling `next` until each piece is consumed or the scanner closes.
func record(_ bytes: [UInt8], mode: FrameScanner.Mode, limits: Limits, pieces: [Int] = []) -> [Recorded] {
    var scanner = FrameScanner(mode: mode, limits: limits)
    var out: [Recorded] = []
    var pos = 0
    var piece = 0
    while pos < bytes.count {
        var end = bytes.count
        if !pieces.isEmpty {
            end = min(bytes.count, pos + pieces[piece % pieces.count])
            piece += 1
        }
        while pos < end {
            let (event, consumed) = scanner.next(bytes[pos..<end])
            pos += consumed
            switch event {
            case .needMore:
                precondition(pos == end, "needMore must consume every byte")
            case .literal(let count, let left):
                if case .literal(let before, let beforeLeft)? = out.last?.event, beforeLeft > 0 {
                    out[out.count - 1] = Recorded(event: .literal(count: before + count, left: left), end: pos)
                } else {
                    out.append(Recorded(event: event, end: pos))
                }
            case .close:
                out.append(Recorded(event: event, end: pos))
                let (again, none) = scanner.next(bytes[pos..<bytes.count])
                precondition(none == 0, "a closed scanner consumes nothing")
                guard case .close = again else { preconditionFailure("close is sticky") }
                return out
            default:
                out.append(Recorded(event: event, end: pos))
            }
        }
    }
    return out
}

/// A segment as the scanner reports it, with the defaults of a plain continuation segment.
func seg(
    _ length: Int,
    first: Bool = true,
    cr: Bool = true,
    tag: Range<Int> = 0..<0,
    verb: Range<Int> = 0..<0,
    kind: LineInfo.ResponseKind = .none,
    status: LineInfo.Status = .none,
    literal: LiteralAnnouncement? = nil
) -> LineInfo {
    LineInfo(
        length: length, isFirst: first, hasCR: cr, tag: tag, verb: verb, responseKind: kind, status: status,
        literal: literal)
}

func sync(_ n: UInt64) -> LiteralAnnouncement { LiteralAnnouncement(kind: .synchronizing, length: n) }
func nonSync(_ n: UInt64) -> LiteralAnnouncement { LiteralAnnouncement(kind: .nonSynchronizing, length: n) }
func binary(_ n: UInt64) -> LiteralAnnouncement { LiteralAnnouncement(kind: .binary, length: n) }
func binaryNonSync(_ n: UInt64) -> LiteralAnnouncement {
    LiteralAnnouncement(kind: .binaryNonSynchronizing, length: n)
}

struct ScanCase: CustomTestStringConvertible, Sendable {
    var name: String
    var mode: FrameScanner.Mode = .commands
    var limits: Limits = .commands
    var input: [UInt8]
    var expected: [Recorded]

    init(
        _ name: String, mode: FrameScanner.Mode = .commands, limits: Limits = .commands, _ input: String,
        _ expected: [(FrameEvent, Int)]
    ) {
        self.name = name
        self.mode = mode
        self.limits = limits
        self.input = Array(input.utf8)
        self.expected = expected.map { Recorded(event: $0.0, end: $0.1) }
    }

    var testDescription: String { name }
}

extension Recorded: @unchecked Sendable {}

let tight = Limits(maxLineLength: 64, maxLiteralSize: 10, maxLiteralsPerMessage: 2)

func invalid(_ reason: FrameError.Reason, _ line: LineInfo) -> FrameEvent { .invalid(FrameError(reason, line: line)) }
func close(_ reason: FrameError.Reason, _ line: LineInfo) -> FrameEvent { .close(FrameError(reason, line: line)) }

let scanCases: [ScanCase] = [
    // Plain lines.
    ScanCase("command line", "a1 NOOP\r\n", [(.line(seg(9, tag: 0..<2, verb: 3..<7)), 9)]),
    ScanCase("bare LF ends a segment", "a1 NOOP\n", [(.line(seg(8, cr: false, tag: 0..<2, verb: 3..<7)), 8)]),
    ScanCase(
        "two commands in one buffer", "a1 NOOP\r\na2 CAPABILITY\r\n",
        [(.line(seg(9, tag: 0..<2, verb: 3..<7)), 9), (.line(seg(15, tag: 0..<2, verb: 3..<13)), 24)]),
    ScanCase("empty line", "\r\n", [(.line(seg(2)), 2)]),
    ScanCase("tag only", "a1\r\n", [(.line(seg(4, tag: 0..<2)), 4)]),
    ScanCase("double space leaves the verb empty", "a1  NOOP\r\n", [(.line(seg(10, tag: 0..<2)), 10)]),
    ScanCase("CR inside the tag ends it", "a\rb c\r\n", [(.line(seg(7, tag: 0..<1)), 7)]),
    ScanCase("incomplete line", "a1 NOO", []),

    // Every literal form.
    ScanCase(
        "synchronising literal, then a continuation segment",
        "a1 LOGIN {5}\r\nalice {6}\r\nsecret\r\n",
        [
            (.line(seg(14, tag: 0..<2, verb: 3..<8, literal: sync(5))), 14),
            (.literal(count: 5, left: 0), 19),
            (.line(seg(6, first: false, literal: sync(6))), 25),
            (.literal(count: 6, left: 0), 31),
            (.line(seg(2, first: false)), 33),
        ]),
    ScanCase(
        "non-synchronising literal", "a1 LOGIN {5+}\r\nalice x\r\n",
        [
            (.line(seg(15, tag: 0..<2, verb: 3..<8, literal: nonSync(5))), 15),
            (.literal(count: 5, left: 0), 20),
            (.line(seg(4, first: false)), 24),
        ]),
    ScanCase(
        "binary literal", "a1 APPEND x ~{3}\r\n\u{1}\u{2}\u{3}\r\n",
        [
            (.line(seg(18, tag: 0..<2, verb: 3..<9, literal: binary(3))), 18),
            (.literal(count: 3, left: 0), 21),
            (.line(seg(2, first: false)), 23),
        ]),
    ScanCase(
        "binary non-synchronising literal", "a1 APPEND x ~{3+}\r\nabc\r\n",
        [
            (.line(seg(19, tag: 0..<2, verb: 3..<9, literal: binaryNonSync(3))), 19),
            (.literal(count: 3, left: 0), 22),
            (.line(seg(2, first: false)), 24),
        ]),
    ScanCase(
        "announcement before a bare LF", "a1 LOGIN {2}\nab\n",
        [
            (.line(seg(13, cr: false, tag: 0..<2, verb: 3..<8, literal: sync(2))), 13),
            (.literal(count: 2, left: 0), 15),
            (.line(seg(1, first: false, cr: false)), 16),
        ]),
    ScanCase(
        "zero-length literal: no literal event", "a1 APPEND x {0}\r\n\r\n",
        [(.line(seg(17, tag: 0..<2, verb: 3..<9, literal: sync(0))), 17), (.line(seg(2, first: false)), 19)]),
    ScanCase(
        "literal bytes are not scanned", "a {4}\r\n\n{9}\na NOOP\r\n",
        [
            (.line(seg(7, tag: 0..<1, verb: 2..<5, literal: sync(4))), 7),
            (.literal(count: 4, left: 0), 11),
            (.line(seg(1, first: false, cr: false)), 12),  // "{9}" was literal data
            (.line(seg(8, tag: 0..<1, verb: 2..<6)), 20),
        ]),
    ScanCase(
        "leading zeros", "a X {007}\r\nabcdefg\r\n",
        [
            (.line(seg(11, tag: 0..<1, verb: 2..<3, literal: sync(7))), 11),
            (.literal(count: 7, left: 0), 18),
            (.line(seg(2, first: false)), 20),
        ]),
    ScanCase(
        "incomplete literal", "a X {10}\r\nabc",
        [
            (.line(seg(10, tag: 0..<1, verb: 2..<3, literal: sync(10))), 10),
            (.literal(count: 3, left: 7), 13),
        ]),

    // Not announcements.
    ScanCase("empty braces", "a1 X {}\r\n", [(.line(seg(9, tag: 0..<2, verb: 3..<4)), 9)]),
    ScanCase("letters in braces", "a1 X {12a}\r\n", [(.line(seg(12, tag: 0..<2, verb: 3..<4)), 12)]),
    ScanCase("plus without digits", "a1 X {+}\r\n", [(.line(seg(10, tag: 0..<2, verb: 3..<4)), 10)]),
    ScanCase("announcement not at the end", "a1 X {3} y\r\n", [(.line(seg(12, tag: 0..<2, verb: 3..<4)), 12)]),
    ScanCase("CR CR LF", "a1 X {3}\r\r\n", [(.line(seg(11, tag: 0..<2, verb: 3..<4)), 11)]),
    ScanCase("braces inside quotes", "a1 SELECT \"box {5}\r\n", [(.line(seg(20, tag: 0..<2, verb: 3..<9)), 20)]),
    ScanCase(
        "escaped quote keeps the quote open", "a1 X \"a\\\" {3}\r\n",
        [(.line(seg(15, tag: 0..<2, verb: 3..<4)), 15)]),
    ScanCase(
        "escaped backslash closes the quote", "a1 X \"a\\\\\" {3}\r\nabc\r\n",
        [
            (.line(seg(16, tag: 0..<2, verb: 3..<4, literal: sync(3))), 16),
            (.literal(count: 3, left: 0), 19),
            (.line(seg(2, first: false)), 21),
        ]),
    ScanCase(
        "quoted braces then a real announcement", "a1 X \"{5}\" \"x\\\"y\" {2}\r\nab\r\n",
        [
            (.line(seg(23, tag: 0..<2, verb: 3..<4, literal: sync(2))), 23),
            (.literal(count: 2, left: 0), 25),
            (.line(seg(2, first: false)), 27),
        ]),
    ScanCase(
        "quote does not span lines", "a1 X \"abc\r\na2 Y {1}\r\nz\r\n",
        [
            (.line(seg(11, tag: 0..<2, verb: 3..<4)), 11),
            (.line(seg(10, tag: 0..<2, verb: 3..<4, literal: sync(1))), 21),
            (.literal(count: 1, left: 0), 22),
            (.line(seg(2, first: false)), 24),
        ]),
    ScanCase(
        "backslash outside quotes is plain", "a1 X \\{1}\r\nz\r\n",
        [
            (.line(seg(11, tag: 0..<2, verb: 3..<4, literal: sync(1))), 11),
            (.literal(count: 1, left: 0), 12),
            (.line(seg(2, first: false)), 14),
        ]),

    // Responses.
    ScanCase(
        "untagged OK", mode: .responses, limits: .responses, "* OK ready\r\n",
        [(.line(seg(12, tag: 0..<1, verb: 2..<4, kind: .untagged, status: .ok)), 12)]),
    ScanCase(
        "tagged ok, any case", mode: .responses, limits: .responses, "a1 ok done\r\n",
        [(.line(seg(12, tag: 0..<2, verb: 3..<5, kind: .tagged, status: .ok)), 12)]),
    ScanCase(
        "tagged NO and BAD", mode: .responses, limits: .responses, "a2 No x\r\na3 bad\r\n",
        [
            (.line(seg(9, tag: 0..<2, verb: 3..<5, kind: .tagged, status: .no)), 9),
            (.line(seg(8, tag: 0..<2, verb: 3..<6, kind: .tagged, status: .bad)), 17),
        ]),
    ScanCase(
        "untagged BYE and PREAUTH", mode: .responses, limits: .responses, "* BYE\r\n* PreAuth x\n",
        [
            (.line(seg(7, tag: 0..<1, verb: 2..<5, kind: .untagged, status: .bye)), 7),
            (.line(seg(12, cr: false, tag: 0..<1, verb: 2..<9, kind: .untagged, status: .preauth)), 19),
        ]),
    ScanCase(
        "untagged data has no status", mode: .responses, limits: .responses, "* 3 EXISTS\r\n* OKAY\r\n",
        [
            (.line(seg(12, tag: 0..<1, verb: 2..<3, kind: .untagged)), 12),
            (.line(seg(8, tag: 0..<1, verb: 2..<6, kind: .untagged)), 20),
        ]),
    ScanCase(
        "continuation request", mode: .responses, limits: .responses, "+ OK\r\n+\r\n",
        [
            (.line(seg(6, tag: 0..<1, verb: 2..<4, kind: .continuation)), 6),
            (.line(seg(3, tag: 0..<1, kind: .continuation)), 9),
        ]),
    ScanCase(
        "empty tag is no response shape", mode: .responses, limits: .responses, " OK\r\n",
        [(.line(seg(5, verb: 1..<3)), 5)]),
    ScanCase("commands have no status", "* OK\r\n", [(.line(seg(6, tag: 0..<1, verb: 2..<4)), 6)]),
    ScanCase(
        "FETCH response with a literal", mode: .responses, limits: .responses,
        "* 1 FETCH (BODY[] {3}\r\nabc)\r\na OK\r\n",
        [
            (.line(seg(23, tag: 0..<1, verb: 2..<3, kind: .untagged, literal: sync(3))), 23),
            (.literal(count: 3, left: 0), 26),
            (.line(seg(3, first: false)), 29),
            (.line(seg(6, tag: 0..<1, verb: 2..<4, kind: .tagged, status: .ok)), 35),
        ]),

    // Line length: 64 bytes pass, the 65th byte is refused.
    ScanCase(
        "line of exactly max_line bytes", limits: tight, "a " + String(repeating: "x", count: 60) + "\r\n",
        [(.line(seg(64, tag: 0..<1, verb: 2..<62)), 64)]),
    ScanCase(
        "LF as byte max_line + 1", limits: tight, "a " + String(repeating: "x", count: 61) + "\r\na\r\n",
        [
            (invalid(.lineTooLong, seg(65, tag: 0..<1, verb: 2..<63)), 65),
            (.line(seg(3, tag: 0..<1)), 68),
        ]),
    ScanCase(
        "LF as byte max_line + 1 after a non-synchronising announcement", limits: tight,
        "a " + String(repeating: "x", count: 57) + "{1+}\r\n",
        [(close(.lineTooLong, seg(65, tag: 0..<1, verb: 2..<63, literal: nonSync(1))), 65)]),
    ScanCase(
        "too long: refused at once, then discarded", limits: tight,
        "a " + String(repeating: "x", count: 70) + "\r\nb NOOP\r\n",
        [
            (invalid(.lineTooLong, seg(65, cr: false, tag: 0..<1, verb: 2..<65)), 65),
            (.line(seg(8, tag: 0..<1, verb: 2..<6)), 82),
        ]),
    ScanCase(
        "too long with a synchronising announcement: discarded silently", limits: tight,
        "a " + String(repeating: "x", count: 70) + " {5}\r\nb NOOP\r\n",
        [
            (invalid(.lineTooLong, seg(65, cr: false, tag: 0..<1, verb: 2..<65)), 65),
            (.line(seg(8, tag: 0..<1, verb: 2..<6)), 86),
        ]),
    ScanCase(
        "too long with a non-synchronising announcement: close at its LF", limits: tight,
        "a " + String(repeating: "x", count: 70) + " {5+}\r\nhello\r\n",
        [
            (invalid(.lineTooLong, seg(65, cr: false, tag: 0..<1, verb: 2..<65)), 65),
            (close(.lineTooLong, seg(0, first: false, cr: false, literal: nonSync(5))), 79),
        ]),
    ScanCase(
        "too long with a quoted announcement: discarded silently", limits: tight,
        "a " + String(repeating: "x", count: 70) + " \"{5+}\r\nb\r\n",
        [
            (invalid(.lineTooLong, seg(65, cr: false, tag: 0..<1, verb: 2..<65)), 65),
            (.line(seg(3, tag: 0..<1)), 83),
        ]),
    ScanCase(
        "too long inside the tag", limits: tight, String(repeating: "t", count: 65) + "\r\n",
        [(invalid(.lineTooLong, seg(65, cr: false, tag: 0..<65)), 65)]),
    ScanCase(
        "too long in a continuation segment", limits: tight,
        "a X {1}\r\nz" + String(repeating: "y", count: 70) + "\r\nb\r\n",
        [
            (.line(seg(9, tag: 0..<1, verb: 2..<3, literal: sync(1))), 9),
            (.literal(count: 1, left: 0), 10),
            (invalid(.lineTooLong, seg(65, first: false, cr: false)), 75),
            (.line(seg(3, tag: 0..<1)), 85),
        ]),

    // Literal size: 10 passes, 11 is refused.
    ScanCase(
        "literal of exactly max_literal", limits: tight, "a X {10}\r\n0123456789\r\n",
        [
            (.line(seg(10, tag: 0..<1, verb: 2..<3, literal: sync(10))), 10),
            (.literal(count: 10, left: 0), 20),
            (.line(seg(2, first: false)), 22),
        ]),
    ScanCase(
        "synchronising literal over max_literal", limits: tight, "a X {11}\r\nb NOOP\r\n",
        [
            (invalid(.literalTooLarge, seg(10, tag: 0..<1, verb: 2..<3, literal: sync(11))), 10),
            (.line(seg(8, tag: 0..<1, verb: 2..<6)), 18),
        ]),
    ScanCase(
        "non-synchronising literal over max_literal closes", limits: tight, "a X {11+}\r\n01234567890\r\n",
        [(close(.literalTooLarge, seg(11, tag: 0..<1, verb: 2..<3, literal: nonSync(11))), 11)]),
    ScanCase(
        "binary non-synchronising literal over max_literal closes", limits: tight, "a X ~{11+}\r\n",
        [(close(.literalTooLarge, seg(12, tag: 0..<1, verb: 2..<3, literal: binaryNonSync(11))), 12)]),
    ScanCase(
        "length that overflows 64 bits", "a X {18446744073709551616}\r\nb\r\n",
        [
            (invalid(.literalTooLarge, seg(28, tag: 0..<1, verb: 2..<3, literal: sync(.max))), 28),
            (.line(seg(3, tag: 0..<1)), 31),
        ]),
    ScanCase(
        "largest 64-bit length is too large but does not overflow", "a X ~{18446744073709551615}\r\n",
        [(invalid(.literalTooLarge, seg(29, tag: 0..<1, verb: 2..<3, literal: binary(.max))), 29)]),

    // Literals per message: 2 pass, the 3rd is refused.
    ScanCase(
        "max_literals literals in one message", limits: tight, "a X {1}\r\na {1}\r\nb\r\n",
        [
            (.line(seg(9, tag: 0..<1, verb: 2..<3, literal: sync(1))), 9),
            (.literal(count: 1, left: 0), 10),
            (.line(seg(6, first: false, literal: sync(1))), 16),
            (.literal(count: 1, left: 0), 17),
            (.line(seg(2, first: false)), 19),
        ]),
    ScanCase(
        "one literal too many", limits: tight, "a X {1}\r\na {1}\r\nb {0}\r\nc NOOP\r\n",
        [
            (.line(seg(9, tag: 0..<1, verb: 2..<3, literal: sync(1))), 9),
            (.literal(count: 1, left: 0), 10),
            (.line(seg(6, first: false, literal: sync(1))), 16),
            (.literal(count: 1, left: 0), 17),
            (invalid(.tooManyLiterals, seg(6, first: false, literal: sync(0))), 23),
            (.line(seg(8, tag: 0..<1, verb: 2..<6)), 31),
        ]),
    ScanCase(
        "one non-synchronising literal too many closes", limits: tight, "a X {0}\r\n{0}\r\n{0+}\r\n",
        [
            (.line(seg(9, tag: 0..<1, verb: 2..<3, literal: sync(0))), 9),
            (.line(seg(5, first: false, literal: sync(0))), 14),
            (close(.tooManyLiterals, seg(6, first: false, literal: nonSync(0))), 20),
        ]),
    ScanCase(
        "the count starts again with each message", limits: tight, "a {0}\r\n{0}\r\n\r\nb {0}\r\n{0}\r\n\r\n",
        [
            (.line(seg(7, tag: 0..<1, verb: 2..<5, literal: sync(0))), 7),
            (.line(seg(5, first: false, literal: sync(0))), 12),
            (.line(seg(2, first: false)), 14),
            (.line(seg(7, tag: 0..<1, verb: 2..<5, literal: sync(0))), 21),
            (.line(seg(5, first: false, literal: sync(0))), 26),
            (.line(seg(2, first: false)), 28),
        ]),

    // NUL bytes.
    ScanCase(
        "NUL in a line", "a1 X\u{0}Y\r\na2 NOOP\r\n",
        [(invalid(.nul, seg(8, tag: 0..<2, verb: 3..<6)), 8), (.line(seg(9, tag: 0..<2, verb: 3..<7)), 17)]),
    ScanCase(
        "NUL inside quotes", "a1 X \"\u{0}\"\r\n",
        [(invalid(.nul, seg(10, tag: 0..<2, verb: 3..<4)), 10)]),
    ScanCase(
        "escaped NUL", "a1 X \"\\\u{0}\"\r\n",
        [(invalid(.nul, seg(11, tag: 0..<2, verb: 3..<4)), 11)]),
    ScanCase(
        "NUL in a line announcing a non-synchronising literal closes", "a1 X\u{0} {3+}\r\nabc\r\n",
        [(close(.nul, seg(12, tag: 0..<2, verb: 3..<5, literal: nonSync(3))), 12)]),
    ScanCase(
        "NUL in a literal is fine", "a1 X {1}\r\n\u{0}\r\n",
        [
            (.line(seg(10, tag: 0..<2, verb: 3..<4, literal: sync(1))), 10),
            (.literal(count: 1, left: 0), 11),
            (.line(seg(2, first: false)), 13),
        ]),
    ScanCase(
        "NUL outranks a literal that is too large", limits: tight, "a\u{0} {99}\r\n",
        [(invalid(.nul, seg(9, tag: 0..<2, verb: 3..<7, literal: sync(99))), 9)]),
]

@Suite struct FrameScannerTests {
    @Test(arguments: scanCases)
    func eventsInOneBuffer(_ c: ScanCase) {
        #expect(record(c.input, mode: c.mode, limits: c.limits) == c.expected)
    }

    @Test("the same events at every split offset", arguments: scanCases)
    func resumeAtEverySplit(_ c: ScanCase) {
        for offset in 1..<max(1, c.input.count) {
            let events = record(c.input, mode: c.mode, limits: c.limits, pieces: [offset, c.input.count])
            #expect(events == c.expected, "split at \(offset)")
        }
        #expect(record(c.input, mode: c.mode, limits: c.limits, pieces: [1]) == c.expected, "byte at a time")
    }

    @Test("literal split across two reads")
    func literalSplitAcrossReads() {
        var scanner = FrameScanner(mode: .responses, limits: .responses)
        let head = Array("* 1 FETCH (BODY[] {10}\r\n01234".utf8)
        var (event, consumed) = scanner.next(head)
        #expect(consumed == 24)
        guard case .line(let info) = event else {
            Issue.record("expected a line, got \(event)")
            return
        }
        #expect(info.literal == sync(10))
        (event, consumed) = scanner.next(head[24...])
        #expect(event == .literal(count: 5, left: 5) && consumed == 5)
        (event, consumed) = scanner.next(Array("56789)\r\n".utf8))
        #expect(event == .literal(count: 5, left: 0) && consumed == 5)
        #expect(scanner.streamOffset == 34)
    }

    @Test("a closed scanner stays closed")
    func closeIsSticky() {
        var scanner = FrameScanner(mode: .commands, limits: tight)
        let (event, consumed) = scanner.next(Array("a X {11+}\r\n".utf8))
        #expect(consumed == 11)
        guard case .close(let error) = event else {
            Issue.record("expected close, got \(event)")
            return
        }
        #expect(error.reason == .literalTooLarge && error.limit == .literalSize)
        for _ in 0..<3 {
            let (again, none) = scanner.next(Array("a NOOP\r\n".utf8))
            #expect(none == 0)
            #expect(again == close(.literalTooLarge, seg(0, first: false, cr: false)))
        }
    }

    @Test("empty input consumes nothing")
    func emptyInput() {
        var scanner = FrameScanner(mode: .commands, limits: .commands)
        let (event, consumed) = scanner.next([])
        #expect(event == .needMore && consumed == 0)
    }

    @Test(
        "reasons name the limit they pass",
        arguments: [
            (FrameError.Reason.lineTooLong, Limit?.some(.lineLength)),
            (.literalTooLarge, .literalSize),
            (.tooManyLiterals, .literalsPerMessage),
            (.nul, nil),
        ])
    func reasonLimits(_ reason: FrameError.Reason, _ limit: Limit?) {
        #expect(FrameError(reason, line: seg(0)).limit == limit)
    }
}
