import Foundation
import Transport

/// The source backend's IMAP connection to the destination of an XFER: the greeting, SASL
/// PLAIN as the transfer identity, then one private command at a time (``TransferCommand``).
///
///     S: * OK [CAPABILITY IMAP4rev1 …] 127.0.0.1:1144 Murder IMAP server ready
///     C: X1 AUTHENTICATE PLAIN AG11cmRlci14ZmVyAHNlY3JldA==
///     S: X1 OK [CAPABILITY …] User logged in
///     C: X2 XFERPUT user.bob mbox/6f1c…/1.eml {1234+}
///     C: <the file, sent from disk>
///     S: X2 OK Stored
final class TransferClient {
    /// A command's answer: the status word and the text after it.
    struct Answer: Sendable {
        var ok: Bool
        var text: String
    }

    let server: String
    let conn: any Connection
    let timeout: Duration
    var buffer: [UInt8] = []
    var counter = 0
    /// Longest response line read (our own server's lines are short).
    static let maxLine = 64 << 10

    private init(server: String, conn: any Connection, timeout: Duration) {
        self.server = server
        self.conn = conn
        self.timeout = timeout
    }

    /// Connects to `server` (`host:port`, `[v6]:port`) and authenticates; throws
    /// ``TransferFailure`` with the reason.
    static func connect(to server: String, _ settings: TransferSettings) async throws(TransferFailure) -> TransferClient {
        guard let (host, port) = Self.split(server) else {
            throw TransferFailure("\(server) is not host:port")
        }
        let conn: any Connection
        do {
            conn = try await settings.engine.connect(host: host, port: port, timeout: settings.timeout)
        } catch {
            throw TransferFailure("cannot connect to \(server): \(error)")
        }
        let client = TransferClient(server: server, conn: conn, timeout: settings.timeout)
        do throws(TransferFailure) {
            let greeting = try await client.readLine()
            guard greeting.hasPrefix("* OK") else { throw TransferFailure("\(server) greeted with \(greeting)") }
            let plain = Data(([0] + Array(settings.username.utf8) + [0] + Array(settings.password.utf8))).base64EncodedString()
            let answer = try await client.run("AUTHENTICATE PLAIN " + plain)
            guard answer.ok else {
                throw TransferFailure("\(server) refused the transfer identity \(settings.username): \(answer.text)")
            }
        } catch {
            await conn.close()
            throw error
        }
        return client
    }

    static func split(_ server: String) -> (String, Int)? {
        let location = server.split(separator: "!", maxSplits: 1).first.map(String.init) ?? server
        guard let colon = location.lastIndex(of: ":"), let port = Int(location[location.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(location[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// One command line (without tag and CRLF); waits for its tagged answer.
    func run(_ line: String) async throws(TransferFailure) -> Answer {
        let tag = nextTag()
        try await send([Array("\(tag) \(line)\r\n".utf8)])
        return try await answer(tag)
    }

    /// `XFERPUT owner path {n+}` with the file's bytes sent from disk.
    func put(owner: String, path: String, file: String, size: Int64) async throws(TransferFailure) -> Answer {
        let tag = nextTag()
        let header = "\(tag) XFERPUT \(Self.astring(owner)) \(Self.astring(path)) {\(size)+}\r\n"
        do {
            try await conn.write(Array(header.utf8))
            if size > 0 { try await conn.writeFile(path: file, offset: 0, length: size) }
            try await conn.write(Array("\r\n".utf8))
        } catch {
            throw TransferFailure("the connection to \(server) failed: \(error)")
        }
        return try await answer(tag)
    }

    /// `XFERPUT owner path {n+}` with bytes in memory.
    func put(owner: String, path: String, bytes: [UInt8]) async throws(TransferFailure) -> Answer {
        let tag = nextTag()
        let header = "\(tag) XFERPUT \(Self.astring(owner)) \(Self.astring(path)) {\(bytes.count)+}\r\n"
        try await send([Array(header.utf8), bytes, Array("\r\n".utf8)])
        return try await answer(tag)
    }

    func logout() async {
        _ = try? await run("LOGOUT")
        await conn.close()
    }

    func close() async { await conn.close() }

    // MARK: Wire

    func nextTag() -> String {
        counter += 1
        return "X\(counter)"
    }

    func send(_ chunks: [[UInt8]]) async throws(TransferFailure) {
        do {
            try await conn.write(contentsOf: chunks)
        } catch {
            throw TransferFailure("the connection to \(server) failed: \(error)")
        }
    }

    /// Reads up to the tagged line of `tag`; untagged lines are skipped (a BYE ends it).
    func answer(_ tag: String) async throws(TransferFailure) -> Answer {
        while true {
            let line = try await readLine()
            if line.hasPrefix(tag + " ") {
                let rest = line.dropFirst(tag.count + 1)
                let word = rest.prefix { $0 != " " }.uppercased()
                return Answer(ok: word == "OK", text: String(rest.dropFirst(word.count).drop { $0 == " " }))
            }
            if line.uppercased().hasPrefix("* BYE") { throw TransferFailure("\(server) closed the connection: \(line)") }
        }
    }

    func readLine() async throws(TransferFailure) -> String {
        while true {
            if let lf = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<lf])
                buffer.removeFirst(lf + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count <= Self.maxLine else { throw TransferFailure("\(server) sent an overlong line") }
            let chunk: [UInt8]?
            do {
                chunk = try await conn.read(timeout: timeout)
            } catch {
                throw TransferFailure("no answer from \(server): \(error)")
            }
            guard let chunk else { throw TransferFailure("\(server) closed the connection") }
            buffer += chunk
        }
    }

    /// An atom when every byte may stand in one, else a quoted string.
    static func astring(_ s: String) -> String {
        let plain = !s.isEmpty && s.utf8.allSatisfy { b in
            b.isASCIIAlnumByte || ".-_!^@/+:=&~".utf8.contains(b)
        }
        if plain { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Why an XFER failed, in words the admin reads in the `NO` answer.
struct TransferFailure: Error, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}

extension UInt8 {
    var isASCIIAlnumByte: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}
