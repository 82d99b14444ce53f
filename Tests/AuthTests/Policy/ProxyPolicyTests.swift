import Auth
import Testing

@Suite struct ProxyPolicyTests {
    static let policy = ProxyPolicy(admins: ["admin", "root"], proxyIdentities: ["proxy"])

    @Test(
        "who may act for whom",
        arguments: [
            ("bob", "", Identity(user: "bob", isAdmin: false, authenticatedAs: "bob")),
            ("bob", "bob", Identity(user: "bob", isAdmin: false, authenticatedAs: "bob")),
            ("proxy", "", Identity(user: "proxy", isAdmin: false, authenticatedAs: "proxy")),
            ("proxy", "bob", Identity(user: "bob", isAdmin: false, authenticatedAs: "proxy")),
            ("proxy", "admin", Identity(user: "admin", isAdmin: true, authenticatedAs: "proxy")),
            ("admin", "", Identity(user: "admin", isAdmin: true, authenticatedAs: "admin")),
            ("admin", "bob", Identity(user: "bob", isAdmin: false, authenticatedAs: "admin")),
            ("root", "admin", Identity(user: "admin", isAdmin: true, authenticatedAs: "root")),
        ])
    func allowed(authcid: String, authzid: String, expected: Identity) throws {
        let identity = try Self.policy.authorize(authenticationID: authcid, authorizationID: authzid).get()
        #expect(identity == expected)
        #expect(identity.isProxied == (authcid != expected.user))
    }

    @Test(
        "an identity that is neither a proxy nor an admin may not act for another",
        arguments: [("bob", "alice"), ("bob", "admin"), ("alice", "proxy")])
    func refused(authcid: String, authzid: String) {
        let result = Self.policy.authorize(authenticationID: authcid, authorizationID: authzid)
        guard case .failure(let error) = result else {
            Issue.record("\(authcid) was allowed to act as \(authzid)")
            return
        }
        #expect(error.code == .notAuthorizedForProxy)
        #expect(error.responseCode == "AUTHORIZATIONFAILED")
        #expect(!error.message.contains(authzid))
    }

    @Test("a frontend's policy (no proxy identities) accepts no proxy logins")
    func frontendPolicy() {
        let frontend = ProxyPolicy(admins: [], proxyIdentities: [])
        #expect((try? frontend.authorize(authenticationID: "proxy", authorizationID: "bob").get()) == nil)
    }
}
