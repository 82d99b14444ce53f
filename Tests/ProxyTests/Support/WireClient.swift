import Foundation
import Synchronization
import Transport

/// A client on a real loopback socket: sends bytes, then expects the exact bytes that come back.
///
///     let c = try await murder.frontendClient()
///     try await c.expectLine(prefix: "* OK [CAPABILITY ")
///     try await c.send("a1 NOOP\r\n")
///     try await c.expect("a1 OK NOOP completed\r\n")
///
/// A reader task collects everything the server sends; `expect` matches from where the
/// previous expectation stopped, waits up to ``timeout`` for the bytes, and fails as soon as
/// what arrived cannot be the expected text, showing both with the first difference.
final class WireClient: Sendable {
    private struct State {
        var received: [UInt8] = []
        var cursor = 0
        var ended = false
    }

    let connection: any Connection
    let timeout: Duration
    /// Shared with the reader task.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()
    private let reader: Task<Void, Never>

    init(_ connection: any Connection, timeout: Duration = .seconds(20)) {
        self.connection = connection
        self.timeout = timeout
        let shared = self.shared
        reader = Task {
            while true {
                let chunk: [UInt8]?
                do { chunk = try await connection.read(timeout: nil) } catch { chunk = nil }
                guard let chunk else { break }
                shared.state.withLock { $0.received += chunk }
            }
            shared.state.withLock { $0.ended = true }
        }
    }

    // MARK: Sending

    func send(_ text: String) async throws { try await connection.write(Array(text.utf8)) }

    func send(bytes: [UInt8]) async throws { try await connection.write(bytes) }

    /// Closes the socket (the client hangs up).
    func close() async {
        await connection.close()
        reader.cancel()
    }

    // MARK: Expecting

    /// What arrived and was not matched yet.
    var pending: [UInt8] { shared.state.withLock { Array($0.received.dropFirst($0.cursor)) } }

    /// The server closed the connection (every byte it sent is in ``pending``).
    var ended: Bool { shared.state.withLock { $0.ended } }

    /// The exact next bytes.
    func expect(_ exact: String, within limit: Duration? = nil) async throws {
        try await expect(bytes: Array(exact.utf8), within: limit)
    }

    func expect(bytes expected: [UInt8], within limit: Duration? = nil) async throws {
        let deadline = ContinuousClock.now + (limit ?? timeout)
        while true {
            let (got, cursor, ended) = shared.state.withLock { ($0.received.dropFirst($0.cursor), $0.cursor, $0.ended) }
            let n = min(got.count, expected.count)
            if Array(got.prefix(n)) != Array(expected.prefix(n)) {
                throw WireMismatch(expected: expected, got: Array(got), cursor: cursor)
            }
            if got.count >= expected.count {
                shared.state.withLock { $0.cursor += expected.count }
                return
            }
            if ended || ContinuousClock.now >= deadline {
                throw WireMismatch(expected: expected, got: Array(got), cursor: cursor, timedOut: !ended, closed: ended)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next whole line (without CRLF), once it has arrived.
    func nextLine() async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (line, ended): (String?, Bool) = shared.state.withLock { s in
                let got = s.received[s.cursor...]
                guard let lf = got.firstIndex(of: 0x0A) else { return (nil, s.ended) }
                var line = got[..<lf]
                if line.last == 0x0D { line = line.dropLast() }
                s.cursor = lf + 1
                return (String(decoding: line, as: UTF8.self), s.ended)
            }
            if let line { return line }
            if ended || ContinuousClock.now >= deadline {
                let what = ended ? "the connection closed before a complete line" : "no complete line within \(timeout)"
                throw WireMismatch("\(what); pending: \(WireMismatch.show(pending))")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next line, which must start with `prefix`; returns it whole (for content that varies).
    @discardableResult
    func expectLine(prefix: String) async throws -> String {
        let line = try await nextLine()
        guard line.hasPrefix(prefix) else {
            throw WireMismatch(
                "expected a line starting with \(WireMismatch.show(Array(prefix.utf8)))\n"
                    + "          got \(WireMismatch.show(Array(line.utf8)))")
        }
        return line
    }

    /// The next line, which must match `pattern` whole (a regular expression, without CRLF);
    /// returns it.
    @discardableResult
    func expectLine(matching pattern: String) async throws -> String {
        let line = try await nextLine()
        let regex = try Regex(pattern)
        guard try regex.wholeMatch(in: line) != nil else {
            throw WireMismatch("expected a line matching /\(pattern)/\n          got \(WireMismatch.show(Array(line.utf8)))")
        }
        return line
    }

    /// The lines up to and including the tagged completion of `tag`.
    func lines(untilTagged tag: String) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            lines.append(line)
            if line.hasPrefix(tag + " ") { return lines }
            if lines.count > 10_000 { throw WireMismatch("more than 10000 lines before \(tag)'s completion") }
        }
    }

    /// The raw bytes up to and including the tagged completion of `tag` (literals in place).
    func bytes(untilTagged tag: String) async throws -> [UInt8] {
        let marker = Array("\r\n\(tag) ".utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            let found: [UInt8]? = shared.state.withLock { s in
                let got = Array(s.received[s.cursor...])
                var start: Int?
                if got.starts(with: marker.dropFirst(2)) {
                    start = 0
                } else if let r = got.firstRange(of: marker) {
                    start = r.lowerBound + 2
                }
                guard let start, let end = got[start...].firstIndex(of: 0x0A) else { return nil }
                s.cursor += end + 1
                return Array(got[...end])
            }
            if let found { return found }
            if ended || ContinuousClock.now >= deadline {
                throw WireMismatch("no tagged completion of \(tag); pending: \(WireMismatch.show(pending))")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The tagged completion of `tag`, skipping untagged lines; returns it.
    @discardableResult
    func expectTagged(_ tag: String, _ status: String = "OK") async throws -> String {
        let all = try await lines(untilTagged: tag)
        let line = all[all.count - 1]
        guard line.hasPrefix("\(tag) \(status)") else {
            throw WireMismatch("expected \(tag) \(status), got:\n" + all.joined(separator: "\n"))
        }
        return line
    }

    /// Sends a command and returns its lines, requiring a tagged OK.
    @discardableResult
    func run(_ tag: String, _ command: String) async throws -> [String] {
        try await send("\(tag) \(command)\r\n")
        let all = try await lines(untilTagged: tag)
        guard all[all.count - 1].hasPrefix("\(tag) OK") else {
            throw WireMismatch("\(tag) \(command) failed:\n" + all.joined(separator: "\n"))
        }
        return all
    }

    /// APPENDs a message with a non-synchronising literal; returns the tagged line.
    @discardableResult
    func append(_ mailbox: String, _ message: String, flags: String = "", tag: String = "ap") async throws -> String {
        let f = flags.isEmpty ? "" : "(\(flags)) "
        try await send("\(tag) APPEND \(mailbox) \(f){\(message.utf8.count)+}\r\n\(message)\r\n")
        return try await expectTagged(tag)
    }

    /// Nothing more arrives during `duration`.
    func expectSilence(for duration: Duration = .milliseconds(200)) async throws {
        try await Task.sleep(for: duration)
        let got = pending
        if !got.isEmpty { throw WireMismatch("expected no output, got \(WireMismatch.show(got))") }
    }

    /// Waits for the server to close the connection, with nothing more sent than what was matched.
    func expectClosed() async throws {
        let deadline = ContinuousClock.now + timeout
        while !ended {
            guard ContinuousClock.now < deadline else {
                throw WireMismatch("the server did not close the connection within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let rest = pending
        if !rest.isEmpty { throw WireMismatch("more output before the close: \(WireMismatch.show(rest))") }
    }
}

/// What a wire expectation found instead; its description shows both sides with CR and LF
/// visible and marks the first differing byte.
struct WireMismatch: Error, CustomStringConvertible {
    let description: String

    init(_ text: String) { description = text }

    init(expected: [UInt8], got: [UInt8], cursor: Int, timedOut: Bool = false, closed: Bool = false) {
        let common = zip(expected, got).prefix { $0 == $1 }.count
        var text =
            closed ? "the connection closed before the expected output" : timedOut ? "timed out waiting for output" : "output differs"
        text += " at byte \(common) (offset \(cursor + common) in the connection's output)\n"
        text += "expected: \(Self.show(expected))\n"
        text += "     got: \(Self.show(got))\n"
        text += "    from: \(Self.show(Array(got.dropFirst(common))))"
        description = text
    }

    static func show(_ bytes: [UInt8]) -> String {
        var s = ""
        for b in bytes.prefix(2000) {
            switch b {
            case 0x0D: s += "\\r"
            case 0x0A: s += "\\n\n          "
            case 0x20...0x7E: s.unicodeScalars.append(UnicodeScalar(b))
            default: s += String(format: "\\x%02X", b)
            }
        }
        return bytes.count > 2000 ? s + "… (\(bytes.count) bytes)" : s
    }
}
