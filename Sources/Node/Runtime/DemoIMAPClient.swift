import IMAPWire
import Transport

/// The smallest IMAP client that seeds the demo murder: one command at a time, each answer read
/// up to its tagged completion, every frame kept as text. Not a general client: it sends only
/// what the demo needs (LOGIN, STATUS, CREATE, SETACL, APPEND with a LITERAL+ body, LOGOUT).
///
///     S: * OK [CAPABILITY IMAP4rev1 …] 127.0.0.1:10144 Murder ready
///     C: D1 LOGIN "alice" "…"
///     S: D1 OK [CAPABILITY …] User logged in
///     C: D2 STATUS INBOX (MESSAGES)
///     S: * STATUS INBOX (MESSAGES 0)
///     S: D2 OK STATUS completed
///
/// Every read is bounded by `timeout`, every frame by the response limits of IMAPWire.
final class DemoIMAPClient {
    /// The answer to one command.
    struct Reply: Sendable {
        /// The untagged frames, `* ` included, without their final CRLF.
        var untagged: [String]
        /// "OK", "NO" or "BAD".
        var status: String
        /// The rest of the tagged line (response code and text).
        var text: String

        var isOK: Bool { status == "OK" }
        /// The tagged line as the server sent it, without the tag.
        var summary: String { "\(status) \(text)" }
    }

    let connection: any Connection
    let timeout: Duration
    private(set) var greeting = ""
    private var decoder = FrameDecoder<[UInt8]>(limits: .responses) { buffer in
        defer { buffer.index = buffer.bytes.count }
        return Array(buffer.bytes[buffer.index...])
    }
    private var nextTag = 1

    private init(connection: any Connection, timeout: Duration) {
        self.connection = connection
        self.timeout = timeout
    }

    /// Connects to host:port and reads the greeting, which must be `* OK`.
    static func connect(engine: any Engine, host: String, port: Int, timeout: Duration = .seconds(30)) async throws
        -> DemoIMAPClient
    {
        let connection = try await engine.connect(host: host, port: port, timeout: timeout)
        let client = DemoIMAPClient(connection: connection, timeout: timeout)
        do {
            client.greeting = try await client.readFrame()
            guard client.greeting.hasPrefix("* OK") else {
                throw DemoMurderError(.seeding, "\(host):\(port) greeted with \(client.greeting.debugDescription)")
            }
        } catch {
            await connection.close()
            throw error
        }
        return client
    }

    /// Sends `command` (without tag or CRLF), then `literal` as a non-synchronising literal when
    /// given (the command must end in `{n+}`), and reads up to the tagged answer.
    func run(_ command: String, literal: [UInt8]? = nil) async throws -> Reply {
        let tag = "D\(nextTag)"
        nextTag += 1
        var bytes = Array("\(tag) \(command)\r\n".utf8)
        if let literal { bytes += literal + Array("\r\n".utf8) }
        try await connection.write(bytes)
        var untagged: [String] = []
        while true {
            let frame = try await readFrame()
            guard frame.hasPrefix(tag + " ") else {
                // Bounded: a server that never completes the command hits the read timeout.
                if untagged.count < 10_000 { untagged.append(frame) }
                continue
            }
            let rest = frame.dropFirst(tag.count + 1)
            let status = rest.prefix { $0 != " " }
            return Reply(untagged: untagged, status: String(status), text: String(rest.dropFirst(status.count + 1)))
        }
    }

    /// LOGIN as `user`; throws unless the server answers OK.
    func login(_ user: String, _ password: String) async throws {
        let reply = try await run("LOGIN \(Self.quoted(user)) \(Self.quoted(password))")
        guard reply.isOK else { throw DemoMurderError(.seeding, "LOGIN \(user) was answered \(reply.summary)") }
    }

    /// LOGOUT and close; errors are ignored (the session is over either way).
    func logout() async {
        _ = try? await run("LOGOUT")
        await connection.close()
    }

    /// An IMAP quoted string (RFC 3501 §4.3): `\` and `"` escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out + "\""
    }

    private func readFrame() async throws -> String {
        while true {
            switch decoder.next() {
            case .value(var bytes):
                if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return String(decoding: bytes, as: UTF8.self)
            case .malformed(let bytes, _):
                return String(decoding: bytes, as: UTF8.self)
            case .fatal(let error):
                throw DemoMurderError(.seeding, "the server's answer cannot be read: \(error)")
            case nil:
                guard let chunk = try await connection.read(timeout: timeout) else {
                    throw DemoMurderError(.seeding, "the server closed the connection")
                }
                decoder.append(chunk)
            }
        }
    }
}
