import Foundation
import Testing

@testable import Spool

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with a fresh folder under /tmp that is removed afterwards, whatever happens.
func withTempFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/spooltest-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } }
    guard made != nil else { throw SpoolError(.io, "mkdtemp failed") }
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { FileIO.removeTree(path) }
    return try await body(path)
}

/// A spool in a fresh folder with the given options, for one test.
func withSpool<T>(
    _ configure: (inout Spool.Options) -> Void = { _ in }, _ body: (Spool, String) async throws -> T
) async throws -> T {
    try await withTempFolder { root in
        var options = Spool.Options()
        configure(&options)
        let spool = try Spool(root: root, options: options)
        return try await body(spool, root)
    }
}

/// A finished staged message holding `bytes`, ready to append to `mailbox`.
func staged(_ spool: Spool, _ mailbox: String, _ bytes: [UInt8]) throws -> StagedMessage {
    let message = try spool.stage(for: mailbox)
    try message.write(bytes)
    try message.seal()
    return message
}

/// Appends one message and returns its UID.
@discardableResult
func appendText(
    _ spool: Spool, _ mailbox: String, _ text: String, flags: [String] = [], user: String? = "alice"
) throws -> UInt32 {
    let item = AppendItem(staged: try staged(spool, mailbox, Array(text.utf8)), flags: flags)
    let result = try spool.append(mailbox, [item], user: user)
    return result.uids.first ?? 0
}

/// A small RFC 5322 message whose body names `n`.
func sampleMessage(_ n: Int) -> String {
    "From: a@example.com\r\nTo: b@example.com\r\nSubject: message \(n)\r\n\r\nBody of message \(n).\r\n"
}

/// Expects `body` to throw a ``SpoolError`` with `code`.
func expectSpoolError(
    _ code: SpoolError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SpoolError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The flags `user` sees on message `uid`.
func flags(_ spool: Spool, _ mailbox: String, _ uid: UInt32, user: String?) throws -> [String]? {
    try spool.messages(mailbox, user: user).1.first { $0.uid == uid }?.flags
}

/// SHA-1 of each file as computed by the system's `sha1sum`, keyed by path.
func sha1sum(_ paths: [String]) throws -> [String: String] {
    guard !paths.isEmpty else { return [:] }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha1sum")
    process.arguments = paths
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var out: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { continue }
        out[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
    }
    return out
}

/// Files in a folder, sorted, without `mailbox.name`.
func messageFiles(_ folder: String) -> [String] {
    FileIO.list(folder).filter { $0 != "mailbox.name" }.sorted()
}

func writeFile(_ path: String, _ text: String) throws {
    try FileIO.writeAtomically(path, Array(text.utf8))
}

func statOf(_ path: String) -> stat? {
    var st = stat()
    return stat(path, &st) == 0 ? st : nil
}

/// The first value `stream` yields, or nil if it ends or nothing comes within `timeout`.
/// The consumer is never cancelled on success, so the stream stays usable afterwards.
func firstValue(_ stream: AsyncStream<UInt64>, timeout: Duration = .seconds(5)) async -> UInt64?? {
    await withTaskGroup(of: UInt64??.self) { group in
        group.addTask {
            for await value in stream { return .some(value) }
            return .some(nil)
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
