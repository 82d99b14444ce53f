import ArgumentParser
import Foundation
import Logging
import MUpdate
import Node
import Transport

/// `murder bench …`: the measuring halves of `bench/run-mupdate.sh`, run on the release build.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark helpers (used by bench/run-mupdate.sh).",
        subcommands: [MUpdateSeed.self, MUpdateSync.self]
    )
}

/// Fills a master's store offline with COUNT active records, as `murder serve` (role mupdate)
/// with the same data_dir then serves them.
struct MUpdateSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mupdate-seed",
        abstract: "Write COUNT active records (user.u0000001 …) into the mupdate store under DATA_DIR."
    )

    @Option(help: "The master's data_dir; the store goes to <data-dir>/mupdate/list.sqlite.")
    var dataDir: String

    @Option(help: "How many records.")
    var count: Int

    @Option(help: "Comma-separated servernames the records are spread over (host:port).")
    var servers: String = "127.0.0.1:1143"

    func validate() throws {
        guard (1...50_000_000).contains(count) else { throw ValidationError("--count: 1 to 50000000") }
    }

    func run() async throws {
        let locations = try servers.split(separator: ",").map { text -> MailboxLocation in
            guard let server = ServerName(String(text)), let location = MailboxLocation(server: server, partition: "default")
            else { throw ValidationError("--servers: \(text) is not host:port") }
            return location
        }
        guard !locations.isEmpty else { throw ValidationError("--servers: none given") }
        try FileManager.default.createDirectory(atPath: dataDir + "/mupdate", withIntermediateDirectories: true)
        let logger = Logger(label: "murder.bench") { _ in SwiftLogNoOpLogHandler() }
        let store = try await MUpdateStore.open(path: MUpdateNode.storePath(dataDirectory: dataDir), logger: logger)
        let batch = 100_000
        var next = 1
        while next <= count {
            let last = min(count, next + batch - 1)
            var records: [MUpdateRecord] = []
            records.reserveCapacity(last - next + 1)
            for i in next...last {
                let user = String(format: "u%07d", i)
                let acl = try CyrusACL(parsing: "\(user)\tlrswipkxtecdan\t")
                records.append(
                    MUpdateRecord(
                        name: InternalMailboxName.inbox(of: user), state: .active,
                        location: locations[i % locations.count], acl: acl))
            }
            try await store.load(records)
            next = last + 1
        }
        print("seeded \(count) records")
    }
}

/// A fresh list replica against a master: how long until the full list is in, and its memory.
struct MUpdateSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mupdate-sync",
        abstract: "Time a fresh list replica's full sync from a master and report its memory."
    )

    @Option(help: "The master, host:port.")
    var server: String

    @Option(help: "Who to authenticate as.")
    var user: String = "murder"

    @Option(help: "The password.")
    var password: String

    @Flag(help: "One JSON line instead of text.")
    var json = false

    func run() async throws {
        var cfg = NodeConfig(dataDirectory: "/nonexistent")
        cfg.mupdate.server = server
        cfg.mupdate.username = user
        cfg.mupdate.password = password
        guard let client = try cfg.mupdateClient(connectTimeout: .seconds(5), commandTimeout: .seconds(60)) else {
            throw ValidationError("--server: expected host:port")
        }
        let logger = Logger(label: "murder.bench") { _ in SwiftLogNoOpLogHandler() }
        let before = Self.memoryKiB("VmRSS")
        let replica = MUpdateListReplica(
            settings: MUpdateListReplica.Settings(client: client, heartbeatTimeout: .seconds(120)), engine: NIOEngine(),
            logger: logger)
        let started = ContinuousClock.now
        replica.start()
        guard await replica.waitUntilSynced(timeout: .seconds(600)) else {
            await replica.stop()
            throw ValidationError("no complete list from \(server) within 600 s")
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let count = replica.count
        let rss = Self.memoryKiB("VmRSS")
        let peak = Self.memoryKiB("VmHWM")
        await replica.stop()
        let perRecord = count > 0 ? Double(rss - before) / Double(count) : 0
        if json {
            print(
                "{\"records\": \(count), \"seconds\": \(seconds), \"rss_kib\": \(rss), \"peak_rss_kib\": \(peak), "
                    + "\"heap_kib_per_record\": \(perRecord)}")
        } else {
            print("\(count) records in \(seconds) s; RSS \(rss) KiB (peak \(peak) KiB, \(perRecord) KiB per record)")
        }
    }

    /// A field of /proc/self/status in KiB (0 where there is none).
    static func memoryKiB(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
