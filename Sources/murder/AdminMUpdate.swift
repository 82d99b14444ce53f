import ArgumentParser
import Foundation
import Logging
import MUpdate
import Node
import Spool
import Transport

/// How an admin command reaches the mupdate master: the node's config (`[mupdate] server`,
/// `username`, `password` or `password_file`), or the master given directly.
struct MasterOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A node's config file; its [mupdate] server, username and password are used.")
    var config: String?

    @Option(help: "The mupdate master, host:port (overrides the config's mupdate.server).")
    var master: String?

    @Option(help: "Who to authenticate as (default: the config's mupdate.username, or \"murder\").")
    var user: String?

    @Option(help: "File holding the password on its first line (default: the config's).")
    var passwordFile: String?

    func client() throws -> MUpdateClientConfiguration {
        var cfg = NodeConfig(dataDirectory: "/nonexistent")
        if let config {
            do {
                cfg = try NodeConfig.load(path: config)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let master { cfg.mupdate.server = master }
        if let user { cfg.mupdate.username = user }
        if let passwordFile {
            cfg.mupdate.passwordFile = passwordFile
            cfg.mupdate.password = ""
        }
        guard !cfg.mupdate.server.isEmpty else {
            throw ValidationError("no mupdate master: give -c node.toml (with [mupdate] server) or --master host:port")
        }
        guard cfg.mupdate.serverAddress != nil else {
            throw ValidationError("--master \(cfg.mupdate.server): expected host:port")
        }
        do {
            guard let client = try cfg.mupdateClient(connectTimeout: .seconds(5)) else {
                throw ValidationError("no mupdate master configured")
            }
            return client
        } catch let error as ConfigError {
            throw ValidationError("\(error)")
        }
    }
}

/// `murder admin mailboxes [--server S] [pattern]`: the master's records.
///
///     $ murder admin mailboxes -c frontend.toml 'user.alice*'
///     user.alice          ACTIVE    127.0.0.1:1143!default   alice lrswipkxtecdan
///     user.alice.Sent     ACTIVE    127.0.0.1:1143!default   alice lrswipkxtecdan
struct AdminMailboxes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailboxes",
        abstract: "List the mupdate master's mailbox records (name, state, location, ACL).",
        discussion: """
            PATTERN matches internal names (user.alice.Sent, shared.memo): * matches anything, % anything \
            but a hierarchy level. With --follow the list is streamed: the full list first, then every \
            change as the master commits it, until Ctrl-C or SIGTERM; then the list the replica holds, \
            between "# final list" and "# end".
            """
    )

    @OptionGroup var options: MasterOptions

    @Option(help: "Only the records of this server (the part of the location before \"!\").")
    var server: String?

    @Flag(help: "Keep streaming changes after the list (UPDATE), one line each.")
    var follow = false

    @Argument(help: "Internal-name pattern, e.g. 'user.alice*' (default: every record).")
    var pattern: String?

    func run() async throws {
        let client = try options.client()
        let logger = Logger(label: "murder.admin") { _ in SwiftLogNoOpLogHandler() }
        let engine = NIOEngine()
        let matcher = NamePattern(pattern ?? "*")
        let server = self.server
        let wanted: @Sendable (MUpdateRecord) -> Bool = { record in
            if let server, record.location.server.description != server { return false }
            return matcher.matches(record.name.description)
        }
        if follow { return try await follow(client, engine: engine, logger: logger, wanted: wanted) }
        let connection: MUpdateClientConnection
        do {
            connection = try await MUpdateClientConnection.connect(client, engine: engine, logger: logger)
        } catch {
            throw ValidationError("cannot reach the mupdate master at \(client.address): \(error)")
        }
        let prefix = server.map { $0 + "!" }
        let records: [MUpdateRecord]
        do {
            records = try await connection.list(prefix: prefix)
        } catch {
            await connection.close()
            throw ValidationError("LIST at \(client.address) failed: \(error)")
        }
        await connection.logout()
        for record in records where wanted(record) { print(Self.line(record)) }
    }

    func follow(
        _ client: MUpdateClientConfiguration, engine: any Engine, logger: Logger, wanted: @escaping @Sendable (MUpdateRecord) -> Bool
    ) async throws {
        let replica = MUpdateListReplica(
            settings: MUpdateListReplica.Settings(client: client, servers: server.map { [$0] } ?? []), engine: engine,
            logger: logger)
        let changes = replica.changes()
        replica.start()
        guard await replica.waitUntilSynced(timeout: .seconds(120)) else {
            await replica.stop()
            throw ValidationError("no complete list from the mupdate master at \(client.address) within 120 s")
        }
        var dump = ""
        replica.forEachRecord { if wanted($0) { dump += Self.line($0) + "\n" } }
        Self.emit(dump + "# streaming")
        let stop = Task {
            await Signals.wait(for: [SIGTERM, SIGINT])
        }
        let printer = Task {
            for await change in changes {
                switch change {
                case .updated(let record) where wanted(record): Self.emit(Self.line(record))
                case .deleted(let name): Self.emit("\(name)\tDELETED")
                case .replaced(let count): Self.emit("# list replaced: \(count) records")
                default: continue
                }
            }
        }
        await stop.value
        printer.cancel()
        // What the replica holds at the end, for scripts that compare it with the master.
        var final = "# final list"
        replica.forEachRecord { if wanted($0) { final += "\n" + Self.line($0) } }
        Self.emit(final + "\n# end")
        await replica.stop()
    }

    /// One line to standard output at once, unbuffered (a script reading the stream sees it now).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func line(_ record: MUpdateRecord) -> String {
        let acl = record.acl.entries.map { "\($0.identifier) \($0.rights)" }.joined(separator: " ")
        return "\(record.name)\t\(record.state.rawValue)\t\(record.location)" + (acl.isEmpty ? "" : "\t\(acl)")
    }
}

/// IMAP LIST wildcards over internal names: `*` any run, `%` any run without a `.`.
struct NamePattern: Sendable {
    let pattern: [UInt8]

    init(_ text: String) { pattern = Array(text.utf8) }

    func matches(_ name: String) -> Bool { Self.match(pattern[...], Array(name.utf8)[...]) }

    static func match(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        switch first {
        case UInt8(ascii: "*"):
            var rest = s
            while true {
                if match(p.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case UInt8(ascii: "%"):
            var rest = s
            while true {
                if match(p.dropFirst(), rest) { return true }
                guard let c = rest.first, c != UInt8(ascii: ".") else { return false }
                rest = rest.dropFirst()
            }
        default:
            guard s.first == first else { return false }
            return match(p.dropFirst(), s.dropFirst())
        }
    }
}

/// `murder admin check -c backend.toml`: what the master and this backend disagree on.
struct AdminCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare a backend's mailboxes with the mupdate master's records (changes nothing).",
        discussion: """
            Reads the backend's spool (safe while it runs) and the master's records for its servername, \
            and reports local mailboxes missing or different at the master, master records without a \
            local mailbox, and local mailboxes the master places on another server. The backend repairs \
            the first two by itself after every reconnect; the last needs an operator. Exit status 0 when \
            they agree, 1 when they do not.
            """
    )

    @OptionGroup var options: MasterOptions

    func run() async throws {
        guard let path = options.config else { throw ValidationError("give the backend's config: -c backend.toml") }
        let cfg: NodeConfig
        let location: MailboxLocation
        do {
            cfg = try NodeConfig.load(path: path)
            location = try cfg.mupdateLocation()
        } catch {
            throw ValidationError("\(error)")
        }
        let client = try options.client()
        let root = cfg.dataDirectory + "/spool"
        let (local, unreadable) = Spool.readMailboxes(root: root)
        for owner in unreadable { FileHandle.standardError.write(Data("warning: cannot read the index of \(owner)\n".utf8)) }
        let logger = Logger(label: "murder.admin") { _ in SwiftLogNoOpLogHandler() }
        let registrar = MUpdateRegistrar(
            settings: MUpdateRegistrar.Settings(client: client, location: location), engine: NIOEngine(), logger: logger
        ) {
            local.map {
                MUpdateRegistrar.LocalMailbox(name: InternalMailboxName($0.name), acl: (try? CyrusACL(parsing: $0.acl)) ?? .empty)
            }
        }
        let report: MUpdateReconciliationReport
        do {
            report = try await registrar.check()
        } catch {
            await registrar.stop()
            throw ValidationError("cannot compare with the mupdate master at \(client.address): \(error)")
        }
        await registrar.stop()
        print("backend \(location.server): \(report.localCount) mailboxes here, \(report.masterCount) at the master")
        for name in report.activated { print("missing or different at the master: \(name)") }
        for name in report.deleted { print("at the master but not here: \(name)") }
        for conflict in report.conflicts { print("conflict: \(conflict)") }
        for failure in report.failures { print("could not check \(failure.name): \(failure.message)") }
        if report.isClean {
            print("in agreement")
        } else {
            throw ExitCode(1)
        }
    }
}
