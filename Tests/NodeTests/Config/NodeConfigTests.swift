import Foundation
import Logging
import Testing

@testable import Node

@Suite struct NodeConfigTests {
    static let sample = """
        # A backend on loopback.
        servername = "127.0.0.1:1143"          # this node's identity
        roles = ["backend"]
        data_dir = "/var/lib/murder"
        engine = "uring"

        [imap]
        listen = [
            "127.0.0.1:1143",
            "[::1]:1143",   # IPv6 too
        ]
        listen_tls = ["127.0.0.1:1993"]
        max_connections = 5_000
        max_connections_per_host = 50
        idle_timeout_seconds = 3600
        login_timeout_seconds = 30
        max_line_bytes = 8192
        max_literal_bytes = 1_048_576
        max_nesting = 16
        literal_minus = true
        failed_login_delay_ms = 250

        [auth]
        sasldb = '/etc/sasldb2'
        realm = "example.org"
        mechanisms = ["PLAIN", "SCRAM-SHA-256"]
        allow_plaintext = false
        admins = ["cyrus", "root"]
        proxy_identities = ["frontend"]

        [tls]
        cert_file = "/etc/murder/imap.pem"
        key_file = "/etc/murder/imap.key"

        [namespace]
        hierarchy_separator = "."
        alt_namespace = true

        [quota]
        default_storage_kib = 1_048_576
        default_messages = 100000

        [mupdate]
        listen = ["127.0.0.1:3905"]
        server = "mupdate.example.org:3905"
        username = "murder"
        password_file = "/etc/murder/mupdate.secret"
        starttls = true
        ca_file = "/etc/murder/ca.pem"
        partition = "default"
        max_connections = 200
        idle_timeout_seconds = 3600

        [proxy]
        username = "frontend"
        password_file = "/etc/murder/proxy.secret"
        placement = "random"
        servers = ["imap1.example.org", "imap2.example.org:1143"]
        backend_timeout_seconds = 10
        backend_idle_seconds = 120

        [xfer]
        username = "xfer"
        password_file = "/etc/murder/xfer.secret"

        [log]
        level = "debug"
        """

    @Test("a full sample file sets every key")
    func fullSample() throws {
        let config = try NodeConfig.parse(Self.sample, file: "node.toml")
        #expect(config.servername == "127.0.0.1:1143")
        #expect(config.roles == [.backend])
        #expect(config.dataDirectory == "/var/lib/murder")
        #expect(config.engine == .uring)
        #expect(config.imap.listen == [.init(host: "127.0.0.1", port: 1143), .init(host: "::1", port: 1143)])
        #expect(config.imap.listen.map(\.description) == ["127.0.0.1:1143", "[::1]:1143"])
        #expect(config.imap.maxConnections == 5000)
        #expect(config.imap.maxConnectionsPerHost == 50)
        #expect(config.imap.idleTimeoutSeconds == 3600)
        #expect(config.proxy.username == "frontend" && config.proxy.passwordFile == "/etc/murder/proxy.secret")
        #expect(config.proxy.placement == .random && config.proxy.servers == ["imap1.example.org", "imap2.example.org:1143"])
        #expect(config.proxy.backendTimeoutSeconds == 10 && config.proxy.backendIdleSeconds == 120)
        #expect(config.xfer.username == "xfer" && config.xfer.passwordFile == "/etc/murder/xfer.secret")
        #expect(config.imap.loginTimeoutSeconds == 30)
        #expect(config.imap.maxLineBytes == 8192)
        #expect(config.imap.maxLiteralBytes == 1_048_576)
        #expect(config.imap.maxNesting == 16)
        #expect(config.imap.literalMinus)
        #expect(config.imap.failedLoginDelayMilliseconds == 250)
        #expect(config.auth.sasldb == "/etc/sasldb2")
        #expect(config.auth.realm == "example.org")
        #expect(config.auth.mechanisms == ["PLAIN", "SCRAM-SHA-256"])
        #expect(config.auth.allowPlaintext == false)
        #expect(config.auth.admins == ["cyrus", "root"])
        #expect(config.auth.proxyIdentities == ["frontend"])
        #expect(config.namespace.hierarchySeparator == ".")
        #expect(config.namespace.altNamespace == true)
        #expect(config.quota.defaultStorageKiB == 1_048_576)
        #expect(config.quota.defaultMessages == 100_000)
        #expect(config.log.level == .debug)
    }

    @Test("only data_dir is required; everything else has its documented default")
    func defaults() throws {
        let config = try NodeConfig.parse("data_dir = \"/srv/murder\"\n", file: "node.toml")
        #expect(config == NodeConfig(dataDirectory: "/srv/murder"))
        #expect(config.servername == NodeConfig.hostname())
        #expect(config.roles == [.backend])
        #expect(config.engine == .uring)
        #expect(config.imap.listen.map(\.description) == ["127.0.0.1:143"])
        #expect(config.imap.maxConnections == 10_000)
        #expect(config.imap.maxConnectionsPerHost == 200)
        #expect(config.imap.idleTimeoutSeconds == 1800)
        #expect(config.imap.loginTimeoutSeconds == 60)
        #expect(config.imap.maxLineBytes == 65_536)
        #expect(config.imap.maxLiteralBytes == 67_108_864)
        #expect(config.imap.maxNesting == 32)
        #expect(config.imap.failedLoginDelayMilliseconds == 1000)
        #expect(config.auth.sasldb == "/srv/murder/sasldb2")
        #expect(config.auth.realm == "")
        #expect(config.auth.mechanisms == ["PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"])
        #expect(config.auth.allowPlaintext)
        #expect(config.auth.admins == ["admin"])
        #expect(config.auth.proxyIdentities.isEmpty)
        #expect(config.namespace.hierarchySeparator == "/")
        #expect(!config.namespace.altNamespace)
        #expect(config.quota.defaultStorageKiB == 0)
        #expect(config.quota.defaultMessages == 0)
        #expect(config.log.level == .info)
    }

    @Test(
        "each bad setting is an error naming the file, line and key",
        arguments: [
            (
                "imap.max_line", "[imap]\nmax_line_bytes = \"big\"", ConfigError.Code.wrongType,
                "node.toml:3: imap.max_line_bytes: expected an integer between 1024 and 1048576, got \"big\""
            ),
            (
                "range", "[imap]\nmax_line_bytes = 100", .invalidValue,
                "node.toml:3: imap.max_line_bytes: expected an integer between 1024 and 1048576, got 100"
            ),
            (
                "idle below RFC 3501", "[imap]\nidle_timeout_seconds = 60", .invalidValue,
                "node.toml:3: imap.idle_timeout_seconds: expected an integer between 1800 and 604800, got 60"
            ),
            (
                "unknown key", "[imap]\nmax_conections = 5", .unknownKey,
                "node.toml:3: imap.max_conections: unknown key (did you mean max_connections?)"
            ),
            (
                "key in the wrong table", "max_connections = 5", .unknownKey,
                "node.toml:2: max_connections: unknown key (did you mean max_connections under [imap]?)"
            ),
            (
                "unknown key, nothing close", "colour = \"red\"", .unknownKey,
                "node.toml:2: colour: unknown key"
            ),
            (
                "unknown table", "[imapp]\nlisten = []", .unknownTable,
                "node.toml:2: unknown table [imapp] (did you mean [imap]?)"
            ),
            (
                "boolean", "[auth]\nallow_plaintext = \"yes\"", .wrongType,
                "node.toml:3: auth.allow_plaintext: expected true or false, got \"yes\""
            ),
            (
                "choice", "engine = \"urign\"", .invalidValue,
                "node.toml:2: engine: expected one of \"nio\", \"uring\", got \"urign\" (did you mean \"uring\"?)"
            ),
            (
                "log level", "[log]\nlevel = 3", .wrongType,
                "node.toml:3: log.level: expected one of \"trace\", \"debug\", \"info\", \"notice\", \"warning\", \"error\", \"critical\", got 3"
            ),
            (
                "role", "roles = [\"backend\", \"fronted\"]", .invalidValue,
                "node.toml:2: roles: \"fronted\": not a role (backend, frontend, mupdate, replica)"
            ),
            (
                "empty roles", "roles = []", .invalidValue,
                "node.toml:2: roles: expected an array of roles, got an empty array"
            ),
            (
                "array element type", "[auth]\nadmins = [\"a\", 2]", .wrongType,
                "node.toml:3: auth.admins: expected an array of user names, got an integer 2"
            ),
            (
                "listen", "[imap]\nlisten = [\"localhost\"]", .invalidValue,
                "node.toml:3: imap.listen: \"localhost\": expected host:port (an IPv6 address is written [address]:port)"
            ),
            (
                "listen port", "[imap]\nlisten = [\"[::1]:99999\"]", .invalidValue,
                "node.toml:3: imap.listen: \"[::1]:99999\": the port must be a number from 0 to 65535"
            ),
            (
                "listed twice", "[auth]\nmechanisms = [\"PLAIN\", \"PLAIN\"]", .invalidValue,
                "node.toml:3: auth.mechanisms: \"PLAIN\" is listed twice"
            ),
            (
                "mechanism", "[auth]\nmechanisms = [\"plain\"]", .invalidValue,
                "node.toml:3: auth.mechanisms: \"plain\": a SASL mechanism name is 1 to 20 upper-case letters, digits, \"-\" or \"_\""
            ),
            (
                "servername", "servername = \"a b\"", .invalidValue,
                "node.toml:2: servername: expected host or host:port, got \"a b\": it may not contain spaces, \"!\" or non-ASCII characters"
            ),
            (
                "separator", "[namespace]\nhierarchy_separator = \"|\"", .invalidValue,
                "node.toml:3: namespace.hierarchy_separator: expected one of \"/\", \".\", got \"|\""
            ),
            (
                "mupdate idle below RFC 3656", "[mupdate]\nidle_timeout_seconds = 60", .invalidValue,
                "node.toml:3: mupdate.idle_timeout_seconds: expected an integer between 900 and 604800, got 60"
            ),
            (
                "mupdate server", "[mupdate]\nserver = \"master:0\"", .invalidValue,
                "node.toml:3: mupdate.server: expected \"host:port\", got \"master:0\": the master's port cannot be 0"
            ),
            (
                "partition", "[mupdate]\npartition = \"a!b\"", .invalidValue,
                "node.toml:3: mupdate.partition: expected a string, got \"a!b\": a partition is 1 to 64 printable ASCII characters without spaces or \"!\""
            ),
            (
                "password twice", "[mupdate]\npassword = \"x\"\npassword_file = \"f\"", .invalidValue,
                "node.toml: mupdate.password_file: set mupdate.password or mupdate.password_file, not both"
            ),
            (
                "syntax", "[quota]\ndefault_messages = \"10", .syntax,
                "node.toml:3:20: quota.default_messages: unterminated string"
            ),
        ] as [(String, String, ConfigError.Code, String)]
    )
    func errors(name: String, body: String, code: ConfigError.Code, message: String) {
        let text = "data_dir = \"/d\"\n" + body
        #expect {
            _ = try NodeConfig.parse(text, file: "node.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            #expect(error.description == message, "\(name)")
            return error.code == code
        }
    }

    @Test("the [mupdate] table: defaults, and every key read")
    func mupdateTable() throws {
        let defaults = try NodeConfig.parse("data_dir = \"/d\"", file: "node.toml").mupdate
        #expect(defaults.server == "" && defaults.serverAddress == nil)
        #expect(defaults.listen.map(\.description) == ["127.0.0.1:3905"])
        #expect(defaults.username == "murder" && defaults.partition == "default")
        let text = """
            data_dir = "/d"
            roles = ["mupdate"]
            [mupdate]
            listen = ["127.0.0.1:0", "[::1]:3905"]
            server = "127.0.0.1:3905"
            username = "mupdate-admin"
            password = "s3cret"
            partition = "p2"
            max_connections = 50
            idle_timeout_seconds = 900
            """
        let config = try NodeConfig.parse(text, file: "node.toml")
        #expect(config.roles == [.mupdate])
        #expect(config.mupdate.listen.map(\.description) == ["127.0.0.1:0", "[::1]:3905"])
        #expect(config.mupdate.serverAddress?.description == "127.0.0.1:3905")
        #expect(config.mupdate.username == "mupdate-admin" && config.mupdate.password == "s3cret")
        #expect(config.mupdate.partition == "p2" && config.mupdate.maxConnections == 50)
        #expect(config.mupdate.idleTimeoutSeconds == 900)
    }

    @Test("a missing data_dir is named")
    func missingDataDirectory() {
        #expect {
            _ = try NodeConfig.parse("[imap]\n", file: "node.toml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "node.toml: data_dir: required key is missing (the folder the spool lives in)"
        }
    }

    @Test(
        "servername accepts a host, host:port and a bracketed IPv6 address",
        arguments: ["mail1", "mail1.example.org:2143", "127.0.0.1", "[::1]", "[::1]:143"]
    )
    func servernames(name: String) throws {
        let config = try NodeConfig.parse("data_dir = \"/d\"\nservername = \"\(name)\"", file: "node.toml")
        #expect(config.servername == name)
    }

    @Test("load reads a file, names it in errors and resolves a relative data_dir")
    func load() throws {
        let folder = NSTemporaryDirectory() + "murder-config-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "data_dir = \"spool\"\n".write(toFile: folder + "node.toml", atomically: true, encoding: .utf8)
        let config = try NodeConfig.load(path: folder + "node.toml")
        #expect(config.dataDirectory == folder + "spool")
        #expect(config.auth.sasldb == folder + "spool/sasldb2")

        try "data_dir = 1\n".write(toFile: folder + "bad.toml", atomically: true, encoding: .utf8)
        #expect {
            _ = try NodeConfig.load(path: folder + "bad.toml")
        } throws: { error in
            (error as? ConfigError)?.description == "bad.toml:1: data_dir: expected a folder path, got 1"
        }
        #expect {
            _ = try NodeConfig.load(path: folder + "missing.toml")
        } throws: { error in
            (error as? ConfigError)?.code == .unreadable
        }
        try Data([0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22]).write(to: URL(fileURLWithPath: folder + "bin.toml"))
        #expect {
            _ = try NodeConfig.load(path: folder + "bin.toml")
        } throws: { error in
            (error as? ConfigError)?.description == "bin.toml: file is not valid UTF-8"
        }
    }

    @Test("the documentation lists every key once, each with a default and a meaning")
    func documentation() throws {
        let keys = NodeConfig.documentation.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(keys.count == 48)
        for entry in NodeConfig.documentation {
            #expect(!entry.default.isEmpty && !entry.meaning.isEmpty, "\(entry.key)")
        }
        // Every key of the full sample is documented, and the sample uses every key.
        // (the password keys excepted: each excludes its password_file.)
        let document = try TOMLParser.parse(Self.sample, file: "node.toml")
        #expect(Set(document.entries.map(\.key)) == Set(keys).subtracting(["mupdate.password", "proxy.password", "xfer.password"]))
    }
}
