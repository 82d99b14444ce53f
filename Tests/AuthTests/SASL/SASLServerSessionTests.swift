import Auth
import Testing

@Suite struct SASLServerSessionTests {
    /// Creates a database with bob/secret, alice/wonder, proxy/proxy-pass and admin/root-pass.
    static func populated(realm: String? = "test.realm") throws -> TemporarySASLDatabase {
        let db = try TemporarySASLDatabase(realm: realm)
        for (user, password) in [
            ("bob", "secret"), ("alice", "wonder"), ("proxy", "proxy-pass"), ("admin", "root-pass"),
        ] {
            try db.database.setPassword(user: user, password: password, create: true)
        }
        return db
    }

    static let policy = ProxyPolicy(admins: ["admin"], proxyIdentities: ["proxy"])

    @Test("LOGIN's password check accepts the right password and names the user")
    func checkPasswordRight() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        let result = try session.checkPassword(user: "bob", password: "secret")
        #expect(result == AuthResult(authenticationID: "bob", authorizationID: "bob"))
        #expect(session.identity == Identity(user: "bob", isAdmin: false, authenticatedAs: "bob"))
    }

    @Test(
        "a wrong password and an unknown user fail alike, without saying which",
        arguments: [("bob", "wrong"), ("nobody", "secret"), ("bob", "")])
    func checkPasswordWrong(user: String, password: String) throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        let error = #expect(throws: AuthError.self) { try session.checkPassword(user: user, password: password) }
        #expect(error?.code == .badAuth)
        #expect(error?.message == "authentication failed")
        #expect(error?.responseCode == "AUTHENTICATIONFAILED")
        #expect(session.identity == nil)
    }

    @Test("a failed LOGIN can be followed by a successful one on the same session")
    func retryAfterFailure() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        #expect(throws: AuthError.self) { try session.checkPassword(user: "bob", password: "nope") }
        #expect(try session.checkPassword(user: "bob", password: "secret").authorizationID == "bob")
        let again = #expect(throws: AuthError.self) { try session.checkPassword(user: "bob", password: "secret") }
        #expect(again?.code == .badProtocol)
    }

    @Test("PLAIN without an authorisation id authenticates as the user")
    func plainSelf() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(policy: Self.policy)
        let step = try session.start(mechanism: "plain", initialResponse: Array("\0bob\0secret"))
        #expect(step == .success(AuthResult(authenticationID: "bob", authorizationID: "bob")))
    }

    @Test("PLAIN from a proxy identity acts for the user, without admin rights")
    func plainProxy() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(policy: Self.policy)
        let step = try session.start(mechanism: "PLAIN", initialResponse: Array("bob\0proxy\0proxy-pass"))
        #expect(step == .success(AuthResult(authenticationID: "proxy", authorizationID: "bob")))
        #expect(session.identity == Identity(user: "bob", isAdmin: false, authenticatedAs: "proxy"))
    }

    @Test("PLAIN with an authorisation id from an ordinary user is refused")
    func plainProxyRefused() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(policy: Self.policy)
        let error = #expect(throws: AuthError.self) {
            try session.start(mechanism: "PLAIN", initialResponse: Array("alice\0bob\0secret"))
        }
        #expect(error?.code == .notAuthorizedForProxy)
        #expect(session.identity == nil)
    }

    @Test("PLAIN with no initial response gets an empty challenge, then the credentials")
    func plainWithoutInitialResponse() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        #expect(try session.start(mechanism: "PLAIN", initialResponse: nil) == .challenge([]))
        #expect(
            try session.step(Array("\0alice\0wonder"))
                == .success(AuthResult(authenticationID: "alice", authorizationID: "alice")))
    }

    @Test("LOGIN asks for the user name, then the password")
    func loginMechanism() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        #expect(try session.start(mechanism: "LOGIN", initialResponse: nil) == .challenge(Array("Username:")))
        #expect(try session.step(Array("bob")) == .challenge(Array("Password:")))
        #expect(
            try session.step(Array("secret")) == .success(AuthResult(authenticationID: "bob", authorizationID: "bob")))
    }

    @Test(
        "SCRAM-SHA-256 and SCRAM-SHA-1 complete against the libsasl2 client",
        arguments: ["SCRAM-SHA-256", "SCRAM-SHA-1"])
    func scram(mechanism: String) throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(allowPlaintext: false)
        let client = try SASLClientSession(serverFQDN: "imap.test", authenticationID: "bob", password: "secret")
        let (chosen, initial) = try client.start(serverMechanisms: [mechanism])
        #expect(chosen == mechanism)
        var step = try session.start(mechanism: chosen, initialResponse: initial)
        var challenges = 0
        while case .challenge(let bytes) = step {
            challenges += 1
            step = try session.step(try client.step(bytes))
        }
        #expect(step == .success(AuthResult(authenticationID: "bob", authorizationID: "bob")))
        #expect(challenges == 2, "server-first, then server-final as a challenge answered by an empty response")
        #expect(client.isComplete)
    }

    @Test("SCRAM with a wrong password fails with badAuth")
    func scramWrongPassword() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        let client = try SASLClientSession(serverFQDN: "imap.test", authenticationID: "bob", password: "guess")
        let (chosen, initial) = try client.start(serverMechanisms: ["SCRAM-SHA-256"])
        let error = #expect(throws: AuthError.self) {
            var step = try session.start(mechanism: chosen, initialResponse: initial)
            while case .challenge(let bytes) = step { step = try session.step(try client.step(bytes)) }
        }
        #expect(error?.code == .badAuth)
    }

    @Test("the libsasl2 client's PLAIN carries the authorisation id to a backend")
    func clientPlainWithAuthzid() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(policy: Self.policy)
        let client = try SASLClientSession(
            serverFQDN: "imap.test", authenticationID: "proxy", authorizationID: "alice", password: "proxy-pass")
        let (chosen, initial) = try client.start(serverMechanisms: ["PLAIN"])
        #expect(chosen == "PLAIN")
        #expect(initial == Array("alice\0proxy\0proxy-pass"))
        #expect(
            try session.start(mechanism: chosen, initialResponse: initial)
                == .success(AuthResult(authenticationID: "proxy", authorizationID: "alice")))
    }

    @Test(
        "garbage client responses give an AuthError, never a crash",
        arguments: [
            ("PLAIN", [UInt8]("garbage")), ("PLAIN", []), ("PLAIN", [0, 0, 0]), ("PLAIN", [0xFF, 0, 0xFE, 0, 0xFD]),
            ("PLAIN", [UInt8](repeating: 0x41, count: 5000)), ("SCRAM-SHA-256", [UInt8]("x=y,,")),
            ("SCRAM-SHA-256", [0, 1, 2, 3]), ("SCRAM-SHA-1", []),
        ])
    func garbage(mechanism: String, bytes: [UInt8]) throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        #expect(throws: AuthError.self) {
            var step = try session.start(mechanism: mechanism, initialResponse: bytes)
            while case .challenge = step { step = try session.step(bytes) }
        }
        #expect(session.identity == nil)
    }

    @Test("a response longer than the bound is refused before libsasl2 sees it")
    func overlongResponse() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        let huge = [UInt8](repeating: 0x61, count: SASLServerSession.maximumResponseLength + 1)
        let error = #expect(throws: AuthError.self) { try session.start(mechanism: "PLAIN", initialResponse: huge) }
        #expect(error?.code == .badProtocol)
    }

    @Test("a cancelled exchange can be restarted")
    func cancel() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session()
        _ = try session.start(mechanism: "LOGIN", initialResponse: nil)
        session.cancel()
        #expect(throws: AuthError.self) { try session.step(Array("bob")) }
        #expect(
            try session.start(mechanism: "PLAIN", initialResponse: Array("\0bob\0secret"))
                == .success(AuthResult(authenticationID: "bob", authorizationID: "bob")))
    }

    @Test("mechanisms are what the plugins and the config allow, in the config's order")
    func mechanismFiltering() throws {
        let db = try Self.populated()
        defer { db.remove() }
        #expect(try db.session().mechanisms() == ["PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"])
        #expect(
            try db.session(mechanisms: ["scram-sha-256", "NO-SUCH-MECH", "PLAIN"]).mechanisms() == [
                "SCRAM-SHA-256", "PLAIN",
            ])
        let session = try db.session(mechanisms: ["SCRAM-SHA-256", "CRAM-MD5"])
        let error = #expect(throws: AuthError.self) { try session.start(mechanism: "PLAIN", initialResponse: nil) }
        #expect(error?.code == .noMechanism)
        let unknown = #expect(throws: AuthError.self) { try session.start(mechanism: "NO SUCH", initialResponse: nil) }
        #expect(unknown?.code == .noMechanism)
    }

    @Test("without TLS, plaintext mechanisms and LOGIN are refused unless allowed")
    func plaintextPolicy() throws {
        let db = try Self.populated()
        defer { db.remove() }
        let session = try db.session(allowPlaintext: false)
        #expect(session.mechanisms() == ["SCRAM-SHA-1", "SCRAM-SHA-256"])
        #expect(!session.plaintextPermitted)
        let plain = #expect(throws: AuthError.self) {
            try session.start(mechanism: "PLAIN", initialResponse: Array("\0bob\0secret"))
        }
        #expect(plain?.code == .encrypt)
        let login = #expect(throws: AuthError.self) { try session.checkPassword(user: "bob", password: "secret") }
        #expect(login?.code == .encrypt)
        session.tlsActive = true
        #expect(session.mechanisms() == ["PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"])
        #expect(try session.checkPassword(user: "bob", password: "secret").authenticationID == "bob")
    }

    @Test("two configs with different sasldbs in one process stay independent")
    func twoDatabases() throws {
        let first = try Self.populated(realm: "one.test")
        let second = try TemporarySASLDatabase(realm: "two.test")
        defer {
            first.remove()
            second.remove()
        }
        try second.database.setPassword(user: "bob", password: "other", create: true)
        let a = try first.session()
        let b = try second.session()
        #expect(throws: AuthError.self) { try a.checkPassword(user: "bob", password: "other") }
        #expect(throws: AuthError.self) { try b.checkPassword(user: "bob", password: "secret") }
        #expect(throws: AuthError.self) { try b.checkPassword(user: "alice", password: "wonder") }
        #expect(try first.session().checkPassword(user: "bob", password: "secret").authenticationID == "bob")
        #expect(try second.session().checkPassword(user: "bob", password: "other").authenticationID == "bob")
    }

    @Test("with no realm configured, users live under the server's host name on both sides")
    func defaultRealm() throws {
        let db = try TemporarySASLDatabase(realm: nil)
        defer { db.remove() }
        try db.database.setPassword(user: "carol", password: "pw", create: true)
        let session = try SASLServerSession(config: db.config())
        #expect(try session.checkPassword(user: "carol", password: "pw").authenticationID.hasPrefix("carol"))
    }

    @Test("a sasldb in a missing folder gives a clear error, not a crash")
    func missingDatabase() throws {
        let config = SASLConfig(sasldbPath: "/nonexistent-murder-folder/sasldb2", allowPlaintext: true)
        let session = try SASLServerSession(config: config, serverFQDN: "imap.test")
        #expect(throws: AuthError.self) { try session.checkPassword(user: "bob", password: "secret") }
        let error = #expect(throws: AuthError.self) {
            try SASLDatabase(path: "/nonexistent-murder-folder/sasldb2").setPassword(
                user: "bob", password: "x", create: true)
        }
        #expect(error?.message.contains("/nonexistent-murder-folder/sasldb2") == true)
    }
}
