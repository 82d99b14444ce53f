// scanbench: how fast the framing scanners go, next to the least any framing pass must do.
//
// Builds realistic streams in memory (FETCH responses carrying 4 KB, 100 KB and 10 MB message
// literals, ~64 MB each, and a stream of ~40-byte commands), then times, for each: a memchr
// pass counting LFs (the physical limit), scan.c driven from C, and IMAPWire's FrameScanner.
// Scanners get the stream in 64 KiB reads, as a recv loop would. Each figure is the best of
// five runs. Prints one Markdown table.
internal import CScanBench
internal import IMAPWire

let megabytes = 64 << 20
let readSize = 64 << 10
let repeats = 5
let commandsMode: UInt32 = 0  // MC_SCAN_COMMANDS
let responsesMode: UInt32 = 1  // MC_SCAN_RESPONSES

/// Deterministic message text: CRLF lines of 60 to 78 characters, like a mail body.
func messageText(_ count: Int, seed: UInt64) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    var x = seed | 1
    let words = "the quick brown fox jumps over lazy dogs while IMAP servers frame {literals} \"quoted\" text"
        .split(separator: " ").map { Array($0.utf8) }
    var line = 0
    while out.count < count {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        let word = words[Int(x % UInt64(words.count))]
        out += word
        line += word.count
        if line >= 60 + Int(x % 19) {
            out += [0x0D, 0x0A]
            line = 0
        } else {
            out.append(0x20)
            line += 1
        }
    }
    out.removeLast(out.count - count)
    return out
}

/// `* n FETCH (UID u FLAGS (\Seen) BODY[] {size}` CRLF, the message, `)` CRLF, repeated.
func fetchStream(literal size: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(megabytes + size + 256)
    let body = messageText(size, seed: UInt64(size))
    var n = 1
    while out.count < megabytes {
        out += Array("* \(n) FETCH (UID \(1000 + n) FLAGS (\\Seen) BODY[] {\(size)}\r\n".utf8)
        out += body
        out += Array(")\r\n".utf8)
        n += 1
    }
    return out
}

/// Pipelined client commands of about 40 bytes.
func commandStream() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(megabytes + 64)
    var n = 1
    while out.count < megabytes {
        let command: String
        switch n % 4 {
        case 0: command = "a\(n) UID FETCH \(n):\(n + 9) (FLAGS UID)\r\n"
        case 1: command = "a\(n) UID STORE \(n) +FLAGS (\\Seen)\r\n"
        case 2: command = "a\(n) SELECT \"Archive/2026\"\r\n"
        default: command = "a\(n) NOOP\r\n"
        }
        out += Array(command.utf8)
        n += 1
    }
    return out
}

/// The best of `repeats` timings of `body`, which returns a value that must be used.
func best(_ body: () -> UInt64) -> (seconds: Double, result: UInt64) {
    var fastest = Double.infinity
    var result: UInt64 = 0
    let clock = ContinuousClock()
    for _ in 0..<repeats {
        var r: UInt64 = 0
        let d = clock.measure { r = body() }
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        fastest = min(fastest, s)
        result = r
    }
    return (fastest, result)
}

@inline(never)
func swiftScan(_ bytes: UnsafeRawBufferPointer, mode: FrameScanner.Mode, limits: Limits) -> UInt64 {
    var scanner = FrameScanner(mode: mode, limits: limits)
    var lines: UInt64 = 0
    var literalBytes: UInt64 = 0
    var pos = 0
    while pos < bytes.count {
        let end = min(bytes.count, pos + readSize)
        while pos < end {
            let (event, consumed) = scanner.next(UnsafeRawBufferPointer(rebasing: bytes[pos..<end]))
            pos += consumed
            switch event {
            case .line: lines += 1
            case .literal(let count, _): literalBytes += UInt64(count)
            case .close: return lines << 40 | literalBytes >> 20
            default: break
            }
        }
    }
    return lines << 40 | literalBytes >> 20
}

struct Case {
    var name: String
    var bytes: [UInt8]
    var mode: FrameScanner.Mode
}

let cases = [
    Case(name: "FETCH, 4 KB literals", bytes: fetchStream(literal: 4 << 10), mode: .responses),
    Case(name: "FETCH, 100 KB literals", bytes: fetchStream(literal: 100 << 10), mode: .responses),
    Case(name: "FETCH, 10 MB literals", bytes: fetchStream(literal: 10 << 20), mode: .responses),
    Case(name: "commands, ~40 bytes", bytes: commandStream(), mode: .commands),
]

func gbps(_ bytes: Int, _ seconds: Double) -> String {
    let v = Double(bytes) / seconds / 1e9
    return v >= 100 ? String(Int(v + 0.5)) : String(Double(Int(v * 100)) / 100)
}

func ratio(_ a: Double, _ b: Double) -> String {
    let r = a / b
    return r < 0.01 ? "< 0.01×" : String(Double(Int(r * 100)) / 100) + "×"
}

print(
    "| stream | MB | memchr LF count GB/s | scan.c GB/s | scan.c time vs memchr | FrameScanner GB/s | FrameScanner time vs memchr |"
)
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for c in cases {
    c.bytes.withUnsafeBytes { raw in
        let base = raw.baseAddress!
        let mode = c.mode == .commands ? commandsMode : responsesMode
        let limits: Limits = c.mode == .commands ? .commands : .responses
        let memchr = best { scan_bench_memchr(base, raw.count) }
        let cScan = best {
            let k = scan_bench_c(base, raw.count, readSize, mode)
            precondition(k.other == 0, "\(c.name): scan.c refused the stream")
            return k.lines << 40 | k.literal_bytes >> 20
        }
        let swift = best { swiftScan(raw, mode: c.mode, limits: limits) }
        precondition(cScan.result == swift.result, "\(c.name): the scanners framed the stream differently")
        print(
            "| \(c.name) | \(raw.count >> 20) | \(gbps(raw.count, memchr.seconds)) | \(gbps(raw.count, cScan.seconds)) "
                + "| \(ratio(cScan.seconds, memchr.seconds)) | \(gbps(raw.count, swift.seconds)) "
                + "| \(ratio(swift.seconds, memchr.seconds)) |")
    }
}
