import Foundation

/// One client of a ``TestServer``: send bytes, then expect the exact bytes that come back.
///
///     let s = server.connect()
///     try await s.expect("* OK [CAPABILITY IMAP4rev1 …] test.example Murder IMAP server ready\r\n")
///     s.send("a1 NOOP\r\n")
///     try await s.expect("a1 OK NOOP completed\r\n")
///
/// `expect` reads from where the previous expectation stopped; it waits (up to ``timeout``) for
/// the bytes to arrive and fails as soon as what arrived cannot be the expected text, with both
/// texts shown and the first difference marked.
final class SessionHarness {
    let server: TestServer
    let connection: TestConnection
    let task: Task<Void, Never>
    /// How far the output has been matched.
    private(set) var cursor = 0
    var timeout: Duration = .seconds(3)

    init(server: TestServer, connection: TestConnection, task: Task<Void, Never>) {
        self.server = server
        self.connection = connection
        self.task = task
    }

    // MARK: Sending

    func send(_ text: String) { connection.push(Array(text.utf8)) }

    func send(bytes: [UInt8]) { connection.push(bytes) }

    /// Sends `text` split into chunks of `size` bytes (one read each).
    func send(_ text: String, chunkSize size: Int) {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            connection.push(Array(bytes[start..<min(start + size, bytes.count)]))
            start += size
        }
    }

    /// The client hangs up.
    func hangUp() { connection.closeInput() }

    /// Waits for the session to end by itself (after LOGOUT, BYE, EOF).
    func waitForEnd() async throws {
        let deadline = ContinuousClock.now + timeout
        while !connection.isClosed {
            guard ContinuousClock.now < deadline else {
                throw WireMismatch("the session did not close the connection within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        await task.value
    }

    // MARK: Expecting

    /// The output not matched yet.
    var pending: [UInt8] { Array(connection.output.dropFirst(cursor)) }

    /// The exact next bytes.
    func expect(_ exact: String) async throws {
        try await expect(bytes: Array(exact.utf8))
    }

    func expect(bytes expected: [UInt8]) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let got = pending
            let n = min(got.count, expected.count)
            if got[..<n] != expected[..<n] {
                throw WireMismatch(expected: expected, got: got, cursor: cursor)
            }
            if got.count >= expected.count {
                cursor += expected.count
                return
            }
            if ContinuousClock.now >= deadline {
                throw WireMismatch(expected: expected, got: got, cursor: cursor, timedOut: true)
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next whole line (without CRLF), once it has arrived.
    func nextLine() async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let got = pending
            if let lf = got.firstIndex(of: 0x0A) {
                cursor += lf + 1
                var line = got[..<lf]
                if line.last == 0x0D { line = line.dropLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if ContinuousClock.now >= deadline {
                throw WireMismatch("no complete line within \(timeout); pending: \(WireMismatch.show(got))")
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
                "expected a line starting with \(WireMismatch.show(Array(prefix.utf8)))\n got \(WireMismatch.show(Array(line.utf8)))"
            )
        }
        return line
    }

    /// The lines up to and including the tagged completion of `tag`; the last one is the tagged line.
    func lines(untilTagged tag: String) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            lines.append(line)
            if line.hasPrefix(tag + " ") { return lines }
            if lines.count > 10_000 { throw WireMismatch("more than 10000 lines before \(tag)'s completion") }
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

    /// Nothing more arrives during `duration`.
    func expectSilence(for duration: Duration = .milliseconds(150)) async throws {
        try await Task.sleep(for: duration)
        let got = pending
        if !got.isEmpty { throw WireMismatch("expected no output, got \(WireMismatch.show(got))") }
    }

    /// Sends a command and returns its lines, requiring a tagged OK.
    @discardableResult
    func run(_ tag: String, _ command: String) async throws -> [String] {
        send("\(tag) \(command)\r\n")
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
        send("\(tag) APPEND \(mailbox) \(f){\(message.utf8.count)+}\r\n\(message)\r\n")
        return try await expectTagged(tag)
    }
}

/// What a wire expectation found instead; its description shows both sides with CR and LF
/// visible and marks the first differing byte.
struct WireMismatch: Error, CustomStringConvertible {
    let description: String

    init(_ text: String) { description = text }

    init(expected: [UInt8], got: [UInt8], cursor: Int, timedOut: Bool = false) {
        let common = zip(expected, got).prefix { $0 == $1 }.count
        var text = timedOut ? "timed out waiting for output" : "output differs"
        text += " at byte \(common) (offset \(cursor + common) in the session's output)\n"
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
