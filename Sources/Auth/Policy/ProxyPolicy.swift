/// Who may act for whom (SPEC §12).
///
/// An empty authorisation id, or one equal to the authentication id, means "myself". A different
/// one is allowed only when the authenticating identity is a proxy identity or an admin; the
/// session then has the *authorisation* id's rights, and is an admin only if that id itself is
/// one. Frontends configure no proxy identities, so they accept no proxy logins.
///
///     C: A1 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=          (authzid "", authcid "bob")
///     S: A1 OK authenticated
///     C: A2 AUTHENTICATE PLAIN YWxpY2UAYm9iAHNlY3JldA==  (authzid "alice", authcid "bob")
///     S: A2 NO [AUTHORIZATIONFAILED] not authorized to act as that user
///
/// libsasl2's proxy-policy callback (CSystem) allows every authorisation id and this type decides
/// after the mechanism succeeds: `SASLServerSession` applies it before reporting success.
///
/// - SeeAlso: [RFC 4422 §3.4.1](https://www.rfc-editor.org/rfc/rfc4422#section-3.4.1)
public struct ProxyPolicy: Sendable, Hashable {
    /// Identities with full rights on this node.
    public var admins: Set<String>
    /// Identities that may authenticate for any user (backends only); not admins by themselves.
    public var proxyIdentities: Set<String>

    public init(admins: Set<String> = [], proxyIdentities: Set<String> = []) {
        self.admins = admins
        self.proxyIdentities = proxyIdentities
    }

    /// Decides whether `authenticationID` may act as `authorizationID`.
    public func authorize(authenticationID: String, authorizationID: String) -> Result<Identity, AuthError> {
        if authorizationID.isEmpty || authorizationID == authenticationID {
            return .success(
                Identity(
                    user: authenticationID, isAdmin: admins.contains(authenticationID),
                    authenticatedAs: authenticationID))
        }
        guard proxyIdentities.contains(authenticationID) || admins.contains(authenticationID) else {
            return .failure(
                AuthError(
                    code: .notAuthorizedForProxy,
                    detail: "\(authenticationID) may not act as \(authorizationID)",
                    saslResult: Int32(-14)))
        }
        return .success(
            Identity(
                user: authorizationID, isAdmin: admins.contains(authorizationID),
                authenticatedAs: authenticationID))
    }
}
