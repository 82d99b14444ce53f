import ArgumentParser

@main
struct Murder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An IMAP murder: frontends, backends and a mupdate master in one binary.",
        subcommands: [Serve.self, Admin.self, ConfigCommand.self, Demo.self, Wire.self, BenchCommand.self]
    )
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the embedded demo murder (today: a walk through the wire layer)."
    )

    func run() throws {
        print(
            """
            The embedded demo murder (a mupdate master, two backends and a frontend in one
            process) is not built yet: it arrives with the frontend. What exists today is the
            wire layer, shown here on a sample IMAP session and a sample MUPDATE conversation:
            for each frame, what the framing scanner saw and what the parser made of it,
            re-encoded in canonical form. `murder wire` does the same for captured traffic.

            """)
        var out = WireInspector.Output()
        for sample in WireInspector.samples {
            print("== \(sample.title)")
            WireInspector(kind: sample.kind).inspect(Array(sample.bytes.utf8), into: &out)
            print("")
        }
    }
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
