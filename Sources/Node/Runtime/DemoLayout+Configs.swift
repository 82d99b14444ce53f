import Foundation
import Logging

extension DemoLayout {
    /// The nodes' configs, as loaded back from the files written.
    struct Configs: Sendable {
        var master: NodeConfig
        var backends: [NodeConfig]
        var frontends: [NodeConfig]
    }

    /// Writes `mupdate.toml`, `backend1.toml`, `backend2.toml` and `frontend<n>.toml` into the
    /// folder and loads them with ``NodeConfig/load(path:)``, the reader `murder serve` uses.
    func writeConfigs(options: DemoMurder.Options) throws -> Configs {
        let texts = configTexts(options: options)
        var loaded: [String: NodeConfig] = [:]
        for (name, text) in texts {
            let path = root + "/\(name).toml"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw DemoMurderError(.dataFolder, "cannot write \(path): \(error.localizedDescription)")
            }
            do {
                loaded[name] = try NodeConfig.load(path: path)
            } catch {
                // The texts are ours: a refusal here is a bug in the demo, reported as such.
                throw DemoMurderError(.dataFolder, "the demo wrote a config that does not load: \(error)")
            }
        }
        func config(_ name: String) throws -> NodeConfig {
            guard let config = loaded[name] else { throw DemoMurderError(.dataFolder, "no config \(name)") }
            return config
        }
        return Configs(
            master: try config("mupdate"),
            backends: [try config("backend1"), try config("backend2")],
            frontends: try (0..<options.frontends).map { try config("frontend\($0 + 1)") })
    }

    /// The TOML of every node, by file name (without `.toml`), in start order.
    func configTexts(options: DemoMurder.Options) -> [(String, String)] {
        let host = DemoMurder.host
        let ports = options.ports
        let master = "\(host):\(ports.mupdate)"
        let backends = ["\(host):\(ports.backend1)", "\(host):\(ports.backend2)"]
        let level = Self.quoted(options.logLevel.rawValue)
        let murderSecret = Self.quoted(secretFile("murder"))
        let header = "# Written by `murder demo` at every start; `murder serve -c <this file>` runs this node alone.\n"
        var out: [(String, String)] = []
        out.append(
            (
                "mupdate",
                header + """
                    servername = \(Self.quoted(master))
                    roles = ["mupdate"]
                    data_dir = \(Self.quoted(root + "/mupdate"))

                    [mupdate]
                    listen = [\(Self.quoted(master))]

                    [auth]
                    sasldb = \(Self.quoted(sasldb))
                    admins = ["murder"]

                    [log]
                    level = \(level)

                    """
            ))
        for (index, backend) in backends.enumerated() {
            out.append(
                (
                    "backend\(index + 1)",
                    header + """
                        servername = \(Self.quoted(backend))
                        roles = ["backend"]
                        data_dir = \(Self.quoted(root + "/backend\(index + 1)"))

                        [imap]
                        listen = [\(Self.quoted(backend))]

                        [auth]
                        sasldb = \(Self.quoted(sasldb))
                        admins = ["admin"]
                        proxy_identities = ["murder"]

                        [mupdate]
                        server = \(Self.quoted(master))
                        username = "murder"
                        password_file = \(murderSecret)

                        [log]
                        level = \(level)

                        """
                ))
        }
        for index in 0..<options.frontends {
            let port = index == 0 ? ports.frontend : ports.frontend2
            out.append(
                (
                    "frontend\(index + 1)",
                    header + """
                        servername = "frontend\(index + 1)"
                        roles = ["frontend"]
                        data_dir = \(Self.quoted(root + "/frontend\(index + 1)"))

                        [imap]
                        listen = [\(Self.quoted("\(host):\(port)"))]

                        [auth]
                        sasldb = \(Self.quoted(sasldb))
                        admins = ["admin"]

                        [mupdate]
                        server = \(Self.quoted(master))
                        username = "murder"
                        password_file = \(murderSecret)

                        [proxy]
                        username = "murder"
                        password_file = \(murderSecret)
                        servers = [\(backends.map(Self.quoted).joined(separator: ", "))]

                        [log]
                        level = \(level)

                        """
                ))
        }
        return out
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case _ where c.value < 0x20 || c.value == 0x7F: out += String(format: "\\u%04X", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
