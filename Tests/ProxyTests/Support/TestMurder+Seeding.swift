/// Putting mail and mailboxes in place behind the frontend's back, directly at a backend.
extension TestMurder {
    /// APPENDs `message` to `mailbox` (the client's name) at `backend` as `user`; returns the
    /// tagged line (`OK [APPENDUID v uid] …`).
    @discardableResult
    func appendDirect(
        _ backend: TestBackend, as user: String, _ mailbox: String, _ message: String, flags: String = ""
    ) async throws -> String {
        let client = try await backendSession(backend, as: user)
        let line = try await client.append(mailbox, message, flags: flags)
        guard line.hasPrefix("ap OK") else { throw WireMismatch("APPEND to \(mailbox) at \(backend.servername): \(line)") }
        await client.close()
        return line
    }

    /// Runs commands at `backend` as `user`, each required to answer OK.
    func runDirect(_ backend: TestBackend, as user: String, _ commands: [String]) async throws {
        let client = try await backendSession(backend, as: user)
        for (i, command) in commands.enumerated() { try await client.run("D\(i)", command) }
        await client.close()
    }
}
