import CMurderCore
import Foundation
import IMAPWire
import Testing

/// One event as the differential tests compare them: literal chunks merged, `.needMore`
/// dropped, with the stream offset where the event ended.
struct Normalised: Hashable, CustomStringConvertible {
    var event: FrameEvent
    var end: Int

    var description: String { "\(event) @\(end)" }
}

/// Appends an event in normal form; returns false once the scanner has closed.
private func append(_ event: FrameEvent, end: Int, to out: inout [Normalised]) -> Bool {
    switch event {
    case .needMore:
        return true
    case .literal(let count, let left):
        if case .literal(let before, let beforeLeft)? = out.last?.event, beforeLeft > 0 {
            out[out.count - 1] = Normalised(event: .literal(count: before + count, left: left), end: end)
        } else {
            out.append(Normalised(event: event, end: end))
        }
        return true
    case .close:
        out.append(Normalised(event: event, end: end))
        return false
    default:
        out.append(Normalised(event: event, end: end))
        return true
    }
}

/// The piece boundaries of a split: `cuts` are the offsets where a new read starts.
private func pieces(_ count: Int, cuts: [Int]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var start = 0
    for cut in cuts where cut > start && cut < count {
        out.append(start..<cut)
        start = cut
    }
    out.append(start..<count)
    return out
}

/// Feeds `bytes` to FrameScanner read by read.
func swiftEvents(_ bytes: [UInt8], mode: FrameScanner.Mode, limits: Limits, cuts: [Int] = []) -> [Normalised] {
    var scanner = FrameScanner(mode: mode, limits: limits)
    var out: [Normalised] = []
    bytes.withUnsafeBytes { all in
        for piece in pieces(bytes.count, cuts: cuts) {
            var pos = piece.lowerBound
            while pos < piece.upperBound {
                let (event, consumed) = scanner.next(UnsafeRawBufferPointer(rebasing: all[pos..<piece.upperBound]))
                pos += consumed
                if !append(event, end: pos, to: &out) { return }
            }
        }
    }
    return out
}

/// The FrameEvent that a scan.c event means.
func frameEvent(_ ev: mc_scan_event) -> FrameEvent {
    func line() -> LineInfo {
        LineInfo(
            length: Int(ev.line_len), isFirst: ev.first != 0, hasCR: ev.has_cr != 0,
            tag: Int(ev.tag_off)..<Int(ev.tag_off + ev.tag_len),
            verb: Int(ev.verb_off)..<Int(ev.verb_off + ev.verb_len),
            responseKind: LineInfo.ResponseKind(rawValue: ev.response_kind)!,
            status: LineInfo.Status(rawValue: ev.status)!,
            literal: LiteralAnnouncement.Kind(rawValue: ev.literal_kind).map {
                LiteralAnnouncement(kind: $0, length: ev.literal_len)
            })
    }
    switch Int(ev.kind) {
    case MC_SCAN_NEED_MORE: return .needMore
    case MC_SCAN_LINE: return .line(line())
    case MC_SCAN_LITERAL: return .literal(count: Int(ev.consumed), left: ev.literal_left)
    case MC_SCAN_INVALID: return .invalid(FrameError(FrameError.Reason(rawValue: ev.reason)!, line: line()))
    default: return .close(FrameError(FrameError.Reason(rawValue: ev.reason)!, line: line()))
    }
}

func cLimits(_ limits: Limits) -> mc_scan_limits {
    mc_scan_limits(
        max_line: UInt32(limits.maxLineLength), max_literal: limits.maxLiteralSize,
        max_literals: UInt32(limits.maxLiteralsPerMessage))
}

/// Feeds `bytes` to scan.c read by read.
func cEvents(_ bytes: [UInt8], mode: FrameScanner.Mode, limits: Limits, cuts: [Int] = []) -> [Normalised] {
    var scanner = mc_scan()
    var lim = cLimits(limits)
    let rc = mc_scan_init(&scanner, mode == .commands ? UInt32(MC_SCAN_COMMANDS) : UInt32(MC_SCAN_RESPONSES), &lim)
    precondition(rc == 0, "mc_scan_init: \(rc)")
    var out: [Normalised] = []
    var ev = mc_scan_event()
    bytes.withUnsafeBytes { all in
        for piece in pieces(bytes.count, cuts: cuts) {
            var pos = piece.lowerBound
            while pos < piece.upperBound {
                let consumed = mc_scan_step(&scanner, all.baseAddress! + pos, piece.upperBound - pos, &ev)
                precondition(consumed >= 0 && Int(consumed) <= piece.upperBound - pos)
                pos += Int(consumed)
                if !append(frameEvent(ev), end: pos, to: &out) { return }
            }
        }
    }
    return out
}

/// splitmix64: seedable and the same everywhere.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random cut offsets for a stream: a few reads of random sizes, small ones now and then.
func randomCuts(_ count: Int, _ rng: inout SplitMix) -> [Int] {
    guard count > 1 else { return [] }
    let n = Int.random(in: 1...min(12, count), using: &rng)
    return (0..<n).map { _ in Int.random(in: 1..<count, using: &rng) }.sorted()
}

/// Checks that one-shot and split feeds of both scanners agree; returns the one-shot events.
@discardableResult
func expectAgreement(
    _ bytes: [UInt8], mode: FrameScanner.Mode, limits: Limits, cuts: [[Int]], name: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> [Normalised] {
    let reference = cEvents(bytes, mode: mode, limits: limits)
    let swift = swiftEvents(bytes, mode: mode, limits: limits)
    guard swift == reference else {
        Issue.record(
            "\(name()): one-shot Swift and C differ\nC:     \(reference)\nSwift: \(swift)",
            sourceLocation: sourceLocation)
        return reference
    }
    for c in cuts {
        let cs = cEvents(bytes, mode: mode, limits: limits, cuts: c)
        let ss = swiftEvents(bytes, mode: mode, limits: limits, cuts: c)
        if cs != reference || ss != reference {
            Issue.record(
                "\(name()) cut at \(c)\none-shot: \(reference)\nC:        \(cs)\nSwift:    \(ss)",
                sourceLocation: sourceLocation)
            return reference
        }
    }
    return reference
}

// MARK: - Generated streams

/// Builds random streams that look enough like IMAP to reach every state: literals of every
/// form (with bodies, truncated or not), quoted strings with escapes and braces, garbage and
/// NUL bytes, over-long lines, huge and overflowing lengths, bare LF, CR CR LF.
struct StreamGenerator {
    var rng: SplitMix

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &rng) == 0 }

    mutating func garbage(_ count: Int) -> [UInt8] {
        let alphabet = Array("{}~+0123456789\"\\ \r\n\u{0}aZ*()[]".utf8)
        return (0..<count).map { _ in
            chance(4) ? UInt8.random(in: 0...255, using: &rng) : pick(alphabet)
        }
    }

    static let tags = ["a1", "*", "+", "A003", "", "tag.x", "b", "* ", "+ "]
    static let verbs = [
        "OK", "ok", "No", "BAD", "bye", "PreAuth", "FETCH", "LOGIN", "APPEND", "OKAY", "", "3", "PREAUTHX", "IDLE",
        "DONE", "AUTHENTICATE", "LIST",
    ]
    static let args = [
        " INBOX", " \"quoted {5}\"", " \"esc \\\" {3}\"", " \"\\\\\"", " (\\Seen)", " \"open {4}", " {}", " {12a}",
        " BODY[]", " \"a\\\"", " ~", " {", " 123", " \"\"", " NIL", " ~{", " {1", " \"x\\\\\\\" {2}\"", " \\{3}",
        "{3}{", " +", " }",
    ]

    mutating func message(into out: inout [UInt8]) {
        out += Array(pick(Self.tags).utf8)
        if !chance(8) { out += Array((" " + pick(Self.verbs)).utf8) }
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            for _ in 0..<Int.random(in: 0...3, using: &rng) { out += Array(pick(Self.args).utf8) }
            switch Int.random(in: 0..<14, using: &rng) {
            case 0: out += garbage(Int.random(in: 0..<40, using: &rng))
            case 1: out += Array(repeating: UInt8(ascii: "x"), count: Int.random(in: 30..<320, using: &rng))
            case 2: out.append(0)
            default: break
            }
            var length = UInt64(chance(3) ? Int.random(in: 0..<400, using: &rng) : Int.random(in: 0..<20, using: &rng))
            var announces = true
            let announcement: String
            switch Int.random(in: 0..<11, using: &rng) {
            case 0: announcement = " {\(length)}"
            case 1: announcement = " {\(length)+}"
            case 2: announcement = " ~{\(length)}"
            case 3: announcement = " ~{\(length)+}"
            case 4:
                announcement =
                    " {\(pick(["18446744073709551616", "99999999999", "18446744073709551615", "4294967296"]))\(pick(["", "+"]))}"
                announces = false
            case 5: announcement = " {000\(length)}"
            case 6: announcement = "~{\(length)}"
            default:
                announcement = ""
                announces = false
            }
            out += Array(announcement.utf8)
            out += Array(pick(["\r\n", "\r\n", "\r\n", "\n", "\r\r\n", "\r", ""]).utf8)
            guard announces else { break }
            if chance(12) { length = UInt64.random(in: 0...length, using: &rng) }
            out += garbage(Int(length))
        }
    }

    mutating func stream() -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) { message(into: &out) }
        return out
    }

    mutating func limits() -> Limits {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return pick([.commands, .responses])
        default:
            return Limits(
                maxLineLength: Int.random(in: 64...200, using: &rng),
                maxLiteralSize: chance(4) ? UInt64.max : UInt64.random(in: 0...300, using: &rng),
                maxLiteralsPerMessage: Int.random(in: 0...5, using: &rng))
        }
    }
}

/// The seed corpus of the fuzzer: each file is 8 header bytes (the harness's knobs) and then
/// the stream.
func fuzzCorpus() -> [(name: String, bytes: [UInt8])] {
    let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/scan")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().compactMap { name in
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
            return nil
        }
        return (name, Array(data.dropFirst(8)))
    }
}

@Suite struct ScanDifferentialTests {
    static let modes: [FrameScanner.Mode] = [.commands, .responses]

    @Test("realistic sessions: C and Swift agree at every split offset and one byte at a time")
    func realisticSessions() {
        var rng = SplitMix(state: 1)
        let sessions = clientSessions.map { (FrameScanner.Mode.commands, $0) } + serverSessions.map { (.responses, $0) }
        for (index, (mode, text)) in sessions.enumerated() {
            let bytes = Array(text.utf8)
            let limits: Limits = mode == .commands ? .commands : .responses
            var cuts: [[Int]] = (1..<bytes.count).map { [$0] }
            cuts.append(Array(1..<bytes.count))
            for _ in 0..<50 { cuts.append(randomCuts(bytes.count, &rng)) }
            let events = expectAgreement(bytes, mode: mode, limits: limits, cuts: cuts, name: "session \(index)")
            // Real traffic frames cleanly: every byte is consumed, nothing is refused.
            #expect(events.last?.end == bytes.count, "session \(index)")
            #expect(
                !events.contains {
                    if case .invalid = $0.event { true } else if case .close = $0.event { true } else { false }
                },
                "session \(index): \(events)")
            // And under tight limits the same traffic must still agree.
            let tight = Limits(maxLineLength: 64, maxLiteralSize: 100, maxLiteralsPerMessage: 1)
            expectAgreement(
                bytes, mode: mode, limits: tight, cuts: Array(cuts.suffix(60)), name: "session \(index), tight limits")
        }
    }

    @Test("the fuzzer's seed corpus: C and Swift agree")
    func seedCorpus() {
        let corpus = fuzzCorpus()
        #expect(corpus.count >= 10, "fuzz/corpus/scan should hold the seed corpus")
        var rng = SplitMix(state: 2)
        for (name, bytes) in corpus {
            for mode in Self.modes {
                let cuts = (0..<40).map { _ in randomCuts(bytes.count, &rng) } + [Array(1..<max(1, bytes.count))]
                for limits in [
                    Limits.commands, .responses,
                    Limits(maxLineLength: 64, maxLiteralSize: 50, maxLiteralsPerMessage: 2),
                ] {
                    expectAgreement(bytes, mode: mode, limits: limits, cuts: cuts, name: "\(name) \(mode)")
                }
            }
        }
    }

    /// 100,000 generated streams in 10 shards (the shards run in parallel).
    @Test("generated streams: C and Swift agree, one-shot and split", arguments: 0..<10)
    func generatedStreams(shard: Int) {
        var generator = StreamGenerator(rng: SplitMix(state: 0x5CA4_0000 + UInt64(shard)))
        var failures = 0
        for i in 0..<10_000 {
            let bytes = generator.stream()
            let mode = generator.pick(Self.modes)
            let limits = generator.limits()
            var cuts = [randomCuts(bytes.count, &generator.rng)]
            if i % 100 == 0 { cuts.append(Array(1..<max(1, bytes.count))) }  // a byte at a time
            if i % 2000 == 0 { cuts += (1..<bytes.count).map { [$0] } }  // every split offset
            let reference = cEvents(bytes, mode: mode, limits: limits)
            let swift = swiftEvents(bytes, mode: mode, limits: limits)
            var ok = swift == reference
            if ok {
                for c in cuts
                where cEvents(bytes, mode: mode, limits: limits, cuts: c) != reference
                    || swiftEvents(bytes, mode: mode, limits: limits, cuts: c) != reference
                {
                    ok = false
                    break
                }
            }
            if !ok {
                failures += 1
                if failures <= 3 {
                    // Report with the full comparison so the difference can be read.
                    expectAgreement(
                        bytes, mode: mode, limits: limits, cuts: cuts,
                        name: "shard \(shard) stream \(i) \(mode) \(limits) bytes \(bytes)")
                }
            }
        }
        #expect(failures == 0, "shard \(shard): \(failures) streams disagree")
    }
}
