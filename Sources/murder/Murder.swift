import ArgumentParser

@main
struct Murder: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "An IMAP murder: frontends, backends, mupdate.")
    func run() throws { print("murder") }
}
