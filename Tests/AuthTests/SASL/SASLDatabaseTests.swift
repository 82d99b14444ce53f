import Auth
import Foundation
import Testing

@Suite struct SASLDatabaseTests {
    @Test("a user added is found, can log in, and is gone after delete")
    func addLoginDelete() throws {
        let db = try TemporarySASLDatabase()
        defer { db.remove() }
        #expect(!db.database.contains(user: "bob"))
        try db.database.setPassword(user: "bob", password: "secret", create: true)
        #expect(db.database.contains(user: "bob"))
        #expect(try db.session().checkPassword(user: "bob", password: "secret").authenticationID == "bob")
        try db.database.delete(user: "bob")
        #expect(!db.database.contains(user: "bob"))
        let error = #expect(throws: AuthError.self) { try db.session().checkPassword(user: "bob", password: "secret") }
        #expect(error?.code == .badAuth)
    }

    @Test("a password change takes effect and the old password stops working")
    func changePassword() throws {
        let db = try TemporarySASLDatabase()
        defer { db.remove() }
        try db.database.setPassword(user: "bob", password: "old", create: true)
        try db.database.setPassword(user: "bob", password: "new", create: false)
        #expect(throws: AuthError.self) { try db.session().checkPassword(user: "bob", password: "old") }
        #expect(try db.session().checkPassword(user: "bob", password: "new").authenticationID == "bob")
    }

    @Test("add refuses an existing user; passwd and del refuse a missing one")
    func existenceRules() throws {
        let db = try TemporarySASLDatabase()
        defer { db.remove() }
        try db.database.setPassword(user: "bob", password: "secret", create: true)
        let exists = #expect(throws: AuthError.self) {
            try db.database.setPassword(user: "bob", password: "x", create: true)
        }
        #expect(exists?.code == .userExists)
        let missing = #expect(throws: AuthError.self) {
            try db.database.setPassword(user: "eve", password: "x", create: false)
        }
        #expect(missing?.code == .noSuchUser)
        let gone = #expect(throws: AuthError.self) { try db.database.delete(user: "eve") }
        #expect(gone?.code == .noSuchUser)
    }

    @Test(
        "empty, NUL-bearing or over-long names and passwords are refused",
        arguments: [
            ("", "pw"), ("a\0b", "pw"), ("bob", ""), ("bob", "p\0w"), (String(repeating: "u", count: 1025), "pw"),
        ])
    func badCredentials(user: String, password: String) throws {
        let db = try TemporarySASLDatabase()
        defer { db.remove() }
        let error = #expect(throws: AuthError.self) {
            try db.database.setPassword(user: user, password: password, create: true)
        }
        #expect(error?.code == .badParameter)
    }

    @Test("Cyrus's sasldblistusers2 lists users this type created, and saslpasswd2's users log in here")
    func cyrusToolsInterop() throws {
        let list = "/usr/sbin/sasldblistusers2"
        let passwd = "/usr/sbin/saslpasswd2"
        guard FileManager.default.isExecutableFile(atPath: list), FileManager.default.isExecutableFile(atPath: passwd)
        else {
            print("skipped: sasl2-bin (saslpasswd2, sasldblistusers2) is not installed")
            return
        }
        let db = try TemporarySASLDatabase(realm: "interop.test")
        defer { db.remove() }
        try db.database.setPassword(user: "bob", password: "secret", create: true)
        let listed = try Self.run(list, ["-f", db.path])
        #expect(listed.contains("bob@interop.test: userPassword"))

        _ = try Self.run(passwd, ["-p", "-c", "-f", db.path, "-u", "interop.test", "dave"], input: "davepass")
        #expect(db.database.contains(user: "dave"))
        #expect(try db.session().checkPassword(user: "dave", password: "davepass").authenticationID == "dave")
        try db.database.delete(user: "dave")
        #expect(!(try Self.run(list, ["-f", db.path])).contains("dave@"))
    }

    static func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

extension SASLDatabaseTests {
    @Test("changing or deleting in a missing sasldb says the file is missing, not that the user is")
    func missingFile() throws {
        let db = SASLDatabase(path: "/nonexistent-murder-folder/sasldb2", realm: "r.test")
        let change = #expect(throws: AuthError.self) { try db.setPassword(user: "bob", password: "x", create: false) }
        #expect(change?.code == .unavailable)
        let delete = #expect(throws: AuthError.self) { try db.delete(user: "bob") }
        #expect(delete?.message == "no sasldb at /nonexistent-murder-folder/sasldb2")
        #expect(!db.contains(user: "bob"))
    }
}
