import ArgumentParser
import Foundation
import Logging
import Node
import Spool

/// `murder admin …`: operator commands on a node's data.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Operator commands: users, reconstruct, the murder's mailbox list.",
        subcommands: [AdminUserCommand.self, Reconstruct.self, AdminMailboxes.self, AdminCheck.self, AdminXfer.self]
    )
}

/// `murder admin reconstruct -c node.toml [owner…]`: rebuilds owners' indexes from their files.
struct Reconstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the index of users (user.alice) or shared trees from the message files. Stop the node first."
    )

    @Option(name: .shortAndLong, help: "The node's config file.")
    var config: String

    @Argument(help: "Owners to rebuild, e.g. user.alice or shared; all when none are given.")
    var owners: [String] = []

    func run() async throws {
        let cfg: NodeConfig
        do {
            cfg = try NodeConfig.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        let spool = try Spool(root: cfg.dataDirectory + "/spool", logger: Logger(label: "murder.reconstruct"))
        let wanted = owners.isEmpty ? spool.ownerKeys() : owners
        for owner in wanted {
            do {
                print(try spool.reconstruct(owner: owner))
            } catch {
                throw ValidationError("\(owner): \(error)")
            }
        }
    }
}
