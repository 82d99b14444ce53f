import Auth
import Foundation
import IMAPWire
import Logging
import Synchronization
import MurderTestSupport
import Testing
import Transport

@testable import MUpdate

/// A master on 127.0.0.1 (port 0) over NIOEngine, with a store and a sasldb in a temporary
/// folder. Users `mupdate` (an admin) and `bob` (not an admin) have the password ``password``.
final class MasterHarness: Sendable {
    static let password = "secret"
    static let realm = "test.realm"
    static let servername = "mupdate.test"

    let folder: String
    let store: MUpdateStore
    let server: MUpdateServer
    let listener: any Listener
    let engine = TestEngine.current

    var port: Int { listener.localPort }

    static func settings(folder: String) -> MUpdateServerSettings {
        MUpdateServerSettings(
            servername: servername, admins: ["mupdate"],
            sasl: SASLConfig(
                sasldbPath: folder + "/sasldb2", realm: realm, mechanisms: ["PLAIN"], allowPlaintext: true),
            idleTimeout: .seconds(60), version: "0.1",
            loginThrottle: LoginThrottle.Configuration(delay: .milliseconds(1)))
    }

    init(
        limits: ListenerLimits = ListenerLimits(), retention: MUpdateStore.Retention = .init(),
        configure: (inout MUpdateServerSettings) -> Void = { _ in }
    ) async throws {
        folder = NSTemporaryDirectory() + "murder-master-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Self.templateDatabase(), toPath: folder + "/sasldb2")
        let quiet = Logger(label: "murder.test") { _ in SwiftLogNoOpLogHandler() }
        store = try await MUpdateStore.open(path: folder + "/mupdate.sqlite", retention: retention, logger: quiet)
        var settings = Self.settings(folder: folder)
        configure(&settings)
        server = try MUpdateServer(list: store, settings: settings, logger: quiet)
        listener = try await server.listen(on: engine, host: "127.0.0.1", port: 0, limits: limits)
    }

    private static let template = Mutex<String?>(nil)

    /// A sasldb with both users, made once per process.
    static func templateDatabase() throws -> String {
        try template.withLock { path in
            if let path { return path }
            let folder = NSTemporaryDirectory() + "murder-master-sasldb-" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let database = SASLDatabase(path: folder + "/sasldb2", realm: realm)
            for user in ["mupdate", "bob"] {
                try database.setPassword(user: user, password: password, create: true)
            }
            path = database.path
            return database.path
        }
    }

    /// Runs `body` on a fresh master and removes it afterwards.
    static func with(
        limits: ListenerLimits = ListenerLimits(), retention: MUpdateStore.Retention = .init(),
        configure: (inout MUpdateServerSettings) -> Void = { _ in },
        _ body: (MasterHarness) async throws -> Void
    ) async throws {
        let harness = try await MasterHarness(limits: limits, retention: retention, configure: configure)
        do {
            try await body(harness)
        } catch {
            await harness.shutdown()
            throw error
        }
        await harness.shutdown()
    }

    func shutdown() async {
        await listener.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A client that has read the banner.
    func connect() async throws -> RawClient {
        let client = RawClient(try await engine.connect(host: "127.0.0.1", port: port, timeout: .seconds(5)))
        _ = try await client.readLine(until: "* OK MUPDATE")
        return client
    }

    /// A client authenticated as `mupdate`.
    func admin() async throws -> RawClient {
        let client = try await connect()
        try await client.send(RawClient.plain("mupdate", Self.password, tag: "A0"))
        try await client.expect("A0 OK \"Authenticated\"\r\n")
        return client
    }

    static let location = "127.0.0.1:14143!default"
    static let acl = "bob\tlrswipkxtecdan\t"
}

/// A test client on a real socket: writes raw bytes, reads until what it expects arrived.
final class RawClient: @unchecked Sendable {
    let connection: any Connection
    var buffer: [UInt8] = []

    init(_ connection: any Connection) { self.connection = connection }

    static let timeout: Duration = .seconds(5)

    func send(_ text: String) async throws { try await connection.write(Array(text.utf8)) }

    func send(bytes: [UInt8]) async throws { try await connection.write(bytes) }

    /// Reads until `count` bytes are buffered; false at EOF.
    func fill(_ count: Int, timeout: Duration = RawClient.timeout) async throws -> Bool {
        while buffer.count < count {
            guard let chunk = try await connection.read(timeout: timeout) else { return false }
            buffer += chunk
        }
        return true
    }

    /// Expects exactly `text` next.
    func expect(
        _ text: String, timeout: Duration = RawClient.timeout, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let want = Array(text.utf8)
        let complete = try await fill(want.count, timeout: timeout)
        let got = Array(buffer.prefix(want.count))
        #expect(String(decoding: got, as: UTF8.self) == text, sourceLocation: sourceLocation)
        #expect(complete, "EOF before the expected bytes", sourceLocation: sourceLocation)
        buffer.removeFirst(min(want.count, buffer.count))
    }

    /// Everything up to and including the first `marker` (and the rest of its line).
    func readLine(until marker: String, timeout: Duration = RawClient.timeout) async throws -> String {
        let m = Array(marker.utf8)
        while true {
            if let r = find(m) {
                var end = r + m.count
                while end < buffer.count, buffer[end] != 0x0A { end += 1 }
                if end < buffer.count {
                    let out = Array(buffer[...end])
                    buffer.removeFirst(end + 1)
                    return String(decoding: out, as: UTF8.self)
                }
            }
            guard let chunk = try await connection.read(timeout: timeout) else {
                throw ConnectionError(.closed, "EOF before \(marker)")
            }
            buffer += chunk
        }
    }

    func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count, !needle.isEmpty else { return nil }
        var i = 0
        while i + needle.count <= buffer.count {
            if buffer[i] == needle[0], Array(buffer[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// Reads to EOF (bounded), returning what arrived.
    func readToEnd(timeout: Duration = RawClient.timeout) async throws -> String {
        while let chunk = try await connection.read(timeout: timeout) { buffer += chunk }
        defer { buffer = [] }
        return String(decoding: buffer, as: UTF8.self)
    }

    func close() async { await connection.close() }

    /// `tag AUTHENTICATE "PLAIN" {n+}` with the initial response.
    static func plain(_ user: String, _ password: String, tag: String) -> String {
        let response = Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
        return "\(tag) AUTHENTICATE \"PLAIN\" {\(response.utf8.count)+}\r\n\(response)\r\n"
    }

    /// `{n+}` CRLF text, as Cyrus's clients send arguments.
    static func lit(_ text: String) -> String { "{\(text.utf8.count)+}\r\n\(text)" }
}
