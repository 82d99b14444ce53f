import ArgumentParser

@main
struct Murder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An IMAP murder: frontends, backends and a mupdate master in one binary.",
        subcommands: [Serve.self, Admin.self, ConfigCommand.self, Demo.self, Wire.self, BenchCommand.self]
    )
}

struct Wire: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the frames and parsed commands or responses of captured IMAP or MUPDATE traffic."
    )

    @Flag(help: "The traffic is what a server sent (responses), not what a client sent.")
    var responses = false

    @Flag(help: "The traffic is MUPDATE (RFC 3656), not IMAP.")
    var mupdate = false

    @Argument(help: "A file of raw traffic; standard input when absent.")
    var file: String?

    func run() throws {
        let bytes: [UInt8]
        if let file {
            guard let data = WireInspector.readFile(file) else {
                throw ValidationError("cannot read \(file): check the path and its permissions")
            }
            bytes = data
        } else {
            bytes = WireInspector.readStandardInput()
        }
        let kind: WireInspector.Kind =
            switch (mupdate, responses) {
            case (false, false): .imapCommands
            case (false, true): .imapResponses
            case (true, false): .mupdateCommands
            case (true, true): .mupdateResponses
            }
        var out = WireInspector.Output()
        WireInspector(kind: kind).inspect(bytes, into: &out)
    }
}
