/// Who a session acts as once authenticated and authorised.
///
/// A Cyrus frontend logs in to a backend as its proxy identity on behalf of a user:
///
///     C: A1 AUTHENTICATE PLAIN {27+}
///     C: bob\0proxy\0proxy-secret
///     S: A1 OK [CAPABILITY IMAP4rev1 ...] authenticated
///
/// gives `Identity(user: "bob", isAdmin: false, authenticatedAs: "proxy")`.
///
/// - SeeAlso: [RFC 4422 §3.4.1](https://www.rfc-editor.org/rfc/rfc4422#section-3.4.1) (authorization identity)
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    /// The effective user: whose mailboxes and rights the session has.
    public var user: String
    /// Whether `user` is an admin (never inherited from the authenticating identity).
    public var isAdmin: Bool
    /// Whose credentials were checked.
    public var authenticatedAs: String

    public init(user: String, isAdmin: Bool, authenticatedAs: String) {
        self.user = user
        self.isAdmin = isAdmin
        self.authenticatedAs = authenticatedAs
    }

    /// True when the session acts for someone other than whoever authenticated.
    public var isProxied: Bool { user != authenticatedAs }

    public var description: String {
        isProxied ? "\(user) (as \(authenticatedAs))\(isAdmin ? " admin" : "")" : "\(user)\(isAdmin ? " admin" : "")"
    }
}
