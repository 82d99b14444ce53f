import Foundation

extension DemoMurder {
    /// Where the demo murder's nodes are and how to log in: printed as a summary for people and
    /// written as shell variables for scripts (`--env-file`).
    public struct Facts: Sendable, Hashable {
        public struct User: Sendable, Hashable {
            public var name: String
            public var password: String
        }

        /// The frontends' IMAP addresses, "host:port" (one or two).
        public var frontends: [String]
        public var backend1: String
        public var backend2: String
        /// The master's MUPDATE address.
        public var mupdate: String
        /// The backends' servernames, as mupdate locations name them (`<servername>!default`).
        public var backend1Name: String
        public var backend2Name: String
        public var alice: User
        public var bob: User
        public var admin: User
        /// The murder's own identity: the one login the master admits, and the frontends'
        /// proxy identity at the backends.
        public var murder: User
        /// Read-write for alice and bob, on backend2.
        public var sharedMailbox = "shared/memo"
        public var hierarchySeparator = "/"
        public var dataDirectory: String
        /// The data folder goes away when the demo stops.
        public var isTemporary: Bool

        init(options: Options, layout: DemoLayout, secrets: [String: String]) {
            let host = DemoMurder.host
            let ports = options.ports
            frontends = [ports.frontend, ports.frontend2].prefix(options.frontends).map { "\(host):\($0)" }
            backend1 = "\(host):\(ports.backend1)"
            backend2 = "\(host):\(ports.backend2)"
            mupdate = "\(host):\(ports.mupdate)"
            backend1Name = backend1
            backend2Name = backend2
            func user(_ name: String) -> User { User(name: name, password: secrets[name] ?? "") }
            alice = user("alice")
            bob = user("bob")
            admin = user("admin")
            murder = user("murder")
            dataDirectory = layout.root
            isTemporary = layout.isTemporary
        }

        /// The variables of the environment file, in order. `FRONTEND2` is empty with one
        /// frontend (and `FRONTEND` with none).
        public var environment: [(name: String, value: String)] {
            [
                ("FRONTEND", frontends.first ?? ""), ("FRONTEND2", frontends.dropFirst().first ?? ""),
                ("BACKEND1", backend1), ("BACKEND2", backend2), ("MUPDATE", mupdate),
                ("BACKEND1_NAME", backend1Name), ("BACKEND2_NAME", backend2Name),
                ("ALICE_USER", alice.name), ("ALICE_PASS", alice.password),
                ("BOB_USER", bob.name), ("BOB_PASS", bob.password),
                ("ADMIN_USER", admin.name), ("ADMIN_PASS", admin.password),
                ("MURDER_USER", murder.name), ("MURDER_PASS", murder.password),
                ("SHARED_MAILBOX", sharedMailbox), ("HIERARCHY_SEP", hierarchySeparator),
                ("DATA_DIR", dataDirectory),
            ]
        }

        /// `NAME=value` lines for `. file` in a shell; a value with anything but letters,
        /// digits and `._:/@-` is single-quoted.
        ///
        ///     FRONTEND=127.0.0.1:10143
        ///     ALICE_PASS=q3ZyV…
        ///     HIERARCHY_SEP=/
        public var environmentFile: String {
            var out = "# murder demo: source this file (. FILE) to reach the demo murder from a script.\n"
            for (name, value) in environment { out += "\(name)=\(Self.shellWord(value))\n" }
            return out
        }

        /// What `murder demo` prints once the murder is ready.
        public var summary: String {
            let folder = isTemporary ? "\(dataDirectory) (removed when the demo stops)" : dataDirectory
            var lines = ["A discrete murder is running on loopback; its data is in \(folder).", ""]
            for (index, address) in frontends.enumerated() {
                lines.append(Self.row(index == 0 ? "frontend" : "frontend 2", address, "IMAP clients connect here"))
            }
            lines.append(Self.row("backend1", backend1, "alice's INBOX"))
            lines.append(Self.row("backend2", backend2, "bob's INBOX, \(sharedMailbox) (read-write for alice and bob)"))
            lines.append(Self.row("mupdate master", mupdate, "the mailbox list"))
            lines += ["", "Users (name, password):"]
            lines.append(Self.row(alice.name, alice.password, "INBOX on backend1"))
            lines.append(Self.row(bob.name, bob.password, "INBOX on backend2"))
            lines.append(Self.row(admin.name, admin.password, "administrator at the backends and frontends"))
            lines.append(
                Self.row(murder.name, murder.password, "the murder's own identity (master login, proxy identity)"))
            if let frontend = frontends.first, let colon = frontend.lastIndex(of: ":") {
                let host = frontend[..<colon]
                let port = frontend[frontend.index(after: colon)...]
                lines += [
                    "",
                    "Connect as alice through the frontend (the separator is \"\(hierarchySeparator)\"):",
                    "  mutt -e 'set imap_pass=\(alice.password)' -f imap://alice@\(frontend)/INBOX",
                    "  python3 -c 'import imaplib; m = imaplib.IMAP4(\"\(host)\", \(port)); "
                        + "m.login(\"alice\", \"\(alice.password)\"); print(m.select(\"INBOX\")); print(m.list())'",
                ]
            }
            lines += [
                "",
                "Each node's config is in \(dataDirectory)/<node>.toml. Stop with Ctrl-C.",
            ]
            return lines.joined(separator: "\n") + "\n"
        }

        static func row(_ label: String, _ value: String, _ note: String) -> String {
            let padded = label.padding(toLength: max(label.count, 16), withPad: " ", startingAt: 0)
            let value = value.padding(toLength: max(value.count, 18), withPad: " ", startingAt: 0)
            return "  \(padded)\(value)\(note)"
        }

        static func shellWord(_ value: String) -> String {
            let punctuation = "._:/@-".unicodeScalars
            let safe = value.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || punctuation.contains($0)
            }
            if safe && !value.isEmpty { return value }
            return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }
}
