import ArgumentParser
import Node

/// `murder config --keys` prints every config key; `murder config -c FILE` checks a file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a node's config file, or list every key with its default."
    )

    @Flag(help: "Print every key, its default and its meaning.")
    var keys = false

    @Option(name: .shortAndLong, help: "A config file to check.")
    var config: String?

    func run() throws {
        if keys {
            for entry in NodeConfig.documentation {
                print("\(entry.key) = \(entry.default)\n    \(entry.meaning)")
            }
        }
        if let config {
            do {
                let cfg = try NodeConfig.load(path: config)
                print("\(config): ok (servername \(cfg.servername), data_dir \(cfg.dataDirectory))")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if !keys && config == nil { throw ValidationError("give --keys, or -c FILE to check a file") }
    }
}
