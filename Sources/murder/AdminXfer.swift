import ArgumentParser
import Foundation
import Node
#if canImport(Glibc)
import Glibc
#endif

/// `murder admin xfer NAME SERVER`: moves a user (or a top-level shared tree) to another
/// backend (XFER, SPEC.md §7.5) by sending `RENAME name name server` as an admin to a backend
/// or a frontend, which proxies it to the mailbox's backend.
///
///     $ murder admin xfer -c frontend.toml --password-file admin.pw user/bob 127.0.0.1:1144
///     * OK USER bob
///     a2 OK XFER completed
struct AdminXfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xfer",
        abstract: "Move a user (user/bob) or a top-level shared tree to another backend (XFER)."
    )

    @Option(name: .shortAndLong, help: "A node's config file; its first imap.listen address is used.")
    var config: String?

    @Option(help: "The backend or frontend to send the command to, host:port (overrides the config).")
    var host: String?

    @Option(help: "The admin to log in as (default: the config's first auth.admins entry, or \"admin\").")
    var user: String?

    @Option(help: "File holding the admin's password on its first line.")
    var passwordFile: String

    @Option(help: "Seconds to wait for the move to finish.")
    var timeout: Int = 600

    @Argument(help: "The mailbox as a client names it: user/bob for a user, shared/memo for a shared tree.")
    var name: String

    @Argument(help: "The destination backend's servername (host:port), optionally with !partition.")
    var server: String

    func run() async throws {
        var target = host
        var admin = user
        if let config {
            let cfg: NodeConfig
            do {
                cfg = try NodeConfig.load(path: config)
            } catch {
                throw ValidationError("\(error)")
            }
            if target == nil, let first = cfg.imap.listen.first {
                let h = first.host == "0.0.0.0" ? "127.0.0.1" : first.host == "::" ? "::1" : first.host
                target = "\(h):\(first.port)"
            }
            if admin == nil { admin = cfg.auth.admins.first }
        }
        guard let target else { throw ValidationError("give -c node.toml or --host host:port") }
        let password: String
        do {
            password = try SecretFile.firstLine(of: passwordFile)
        } catch {
            throw ValidationError("cannot read the password from \(passwordFile)")
        }
        guard server.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }) else {
            throw ValidationError("\(server): expected host:port[!partition]")
        }
        let session: LineSession
        do {
            session = try LineSession(address: target, timeoutSeconds: timeout)
        } catch {
            print("murder admin xfer: \(error)")
            throw ExitCode(1)
        }
        defer { session.close() }
        do {
            let greeting = try session.readLine()
            guard greeting.hasPrefix("* OK") else { throw LineSession.Failure("unexpected greeting: \(greeting)") }
            try session.send("a1 LOGIN \(Self.quoted(admin ?? "admin")) \(Self.quoted(password))\r\n")
            let login = try session.tagged("a1") { _ in }
            guard login.hasPrefix("a1 OK") else { throw LineSession.Failure("login failed: \(login)") }
            try session.send("a2 RENAME \(Self.quoted(name)) \(Self.quoted(name)) \(server)\r\n")
            let answer = try session.tagged("a2") { print($0) }
            print(answer)
            try? session.send("a3 LOGOUT\r\n")
            guard answer.hasPrefix("a2 OK") else { throw ExitCode(1) }
        } catch let failure as LineSession.Failure {
            print("murder admin xfer: \(failure)")
            throw ExitCode(1)
        }
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A blocking line-oriented TCP client, enough for an admin command's short exchange.
final class LineSession {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    let fd: Int32
    var buffer: [UInt8] = []

    init(address: String, timeoutSeconds: Int) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw Failure("\(address): expected host:port")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure("cannot connect to \(address): \(why)")
        }
        self.fd = fd
    }

    func close() { Glibc.close(fd) }

    func send(_ s: String) throws {
        var bytes = Array(s.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure("write failed: \(String(cString: strerror(errno)))") }
            bytes = bytes.dropFirst(n)
        }
    }

    func readLine() throws -> String {
        while true {
            if let lf = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<lf])
                buffer.removeFirst(lf + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < 1 << 20 else { throw Failure("overlong line from the server") }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw Failure("no answer: \(String(cString: strerror(errno)))") }
            if n == 0 { throw Failure("the server closed the connection") }
            buffer += chunk[..<n]
        }
    }

    /// Reads up to the tagged line of `tag`, handing every other line to `untagged`.
    func tagged(_ tag: String, _ untagged: (String) -> Void) throws -> String {
        while true {
            let line = try readLine()
            if line.hasPrefix(tag + " ") { return line }
            untagged(line)
        }
    }
}
