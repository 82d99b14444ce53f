import ArgumentParser
import Node
import Auth

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `murder admin user add|passwd|del`: manages the users of a node's sasldb, the file Cyrus's
/// `saslpasswd2 -f` and `sasldblistusers2 -f` read too.
///
///     $ murder admin user add bob --sasldb /var/lib/murder/sasldb2 --password-file bob.pw
///     $ murder admin user passwd bob --sasldb /var/lib/murder/sasldb2      (asks twice)
///     $ murder admin user del bob --sasldb /var/lib/murder/sasldb2
struct AdminUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, change or delete users in a node's sasldb (compatible with saslpasswd2).",
        subcommands: [Add.self, Passwd.self, Del.self]
    )

    /// Where the users live: the node's config (`[auth] sasldb`, `realm`), or a sasldb given
    /// directly.
    struct DatabaseOptions: ParsableArguments {
        @Option(name: .shortAndLong, help: "The node's config file; its [auth] sasldb and realm are used.")
        var config: String?

        @Option(help: "The sasldb file (created when missing); overrides the config's.")
        var sasldb: String?

        @Option(help: "The realm users are stored under (default: this host's name, as saslpasswd2 without -u).")
        var realm: String?

        var database: SASLDatabase {
            get throws {
                var path = sasldb
                var realm = realm
                if let config {
                    let cfg: NodeConfig
                    do {
                        cfg = try NodeConfig.load(path: config)
                    } catch {
                        throw ValidationError("\(error)")
                    }
                    path = path ?? cfg.auth.sasldb
                    if realm == nil && !cfg.auth.realm.isEmpty { realm = cfg.auth.realm }
                }
                guard let path else { throw ValidationError("give -c node.toml or --sasldb PATH") }
                return SASLDatabase(path: path, realm: realm)
            }
        }
    }

    /// Where the new password comes from: --password, --password-file, or standard input.
    struct PasswordOptions: ParsableArguments {
        @Option(help: "The password (visible to other local users in the process list; prefer --password-file).")
        var password: String?

        @Option(help: "A file whose first line is the password.")
        var passwordFile: String?

        func read() throws -> String {
            if password != nil, passwordFile != nil {
                throw ValidationError("give either --password or --password-file, not both")
            }
            if let password { return password }
            if let passwordFile { return try AdminUserCommand.firstLine(ofFile: passwordFile) }
            if isatty(STDIN_FILENO) == 1 {
                let first = AdminUserCommand.prompt("Password: ")
                let second = AdminUserCommand.prompt("Again: ")
                guard first == second else { throw ValidationError("the passwords differ; run the command again") }
                return first
            }
            guard let line = readLine(strippingNewline: true) else {
                throw ValidationError("no password on standard input; pipe one in or use --password-file")
            }
            return line
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with a password.")

        @Argument(help: "The user name (name@domain stores it under realm domain).")
        var user: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var password: PasswordOptions

        func run() throws {
            try AdminUserCommand.perform("add \(user)") {
                try database.database.setPassword(user: user, password: try password.read(), create: true)
            }
            print("added \(user) to \((try? database.database.path) ?? "the sasldb")")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an existing user's password.")

        @Argument(help: "The user name.")
        var user: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var password: PasswordOptions

        func run() throws {
            try AdminUserCommand.perform("change the password of \(user)") {
                try database.database.setPassword(user: user, password: try password.read(), create: false)
            }
            print("changed the password of \(user) in \((try? database.database.path) ?? "the sasldb")")
        }
    }

    struct Del: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user's password entry.")

        @Argument(help: "The user name.")
        var user: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try AdminUserCommand.perform("delete \(user)") { try database.database.delete(user: user) }
            print("deleted \(user) from \((try? database.database.path) ?? "the sasldb")")
        }
    }

    /// Runs an action and turns an `AuthError` into a message on standard error naming the fix,
    /// with exit code 1.
    static func perform(_ action: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as AuthError {
            let hint: String =
                switch error.code {
                case .userExists: "; use `murder admin user passwd` to change the password"
                case .noSuchUser: "; use `murder admin user add` to create the user (check --realm too)"
                case .badParameter: "; give a non-empty user name and password"
                case .unavailable where !error.message.contains("writable"): "; check --sasldb"
                default: ""
                }
            let line = Array("murder: cannot \(action): \(error.message)\(hint)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            throw ExitCode.failure
        }
    }

    /// Reads a password without echo from the terminal.
    static func prompt(_ text: String) -> String {
        guard let line = getpass(text) else { return "" }
        return String(cString: line)
    }

    static func firstLine(ofFile path: String) throws -> String {
        do {
            return try SecretFile.firstLine(of: path)
        } catch {
            switch error {
            case .unreadable: throw ValidationError("cannot read \(path): check the path and its permissions")
            case .empty: throw ValidationError("\(path) is empty: put the password on its first line")
            }
        }
    }
}
