/// What the server does next in an AUTHENTICATE exchange.
///
///     C: A1 AUTHENTICATE LOGIN
///     S: + VXNlcm5hbWU6                 (.challenge("Username:"))
///     C: Ym9i
///     S: + UGFzc3dvcmQ6                 (.challenge("Password:"))
///     C: c2VjcmV0
///     S: A1 OK authenticated            (.success)
///
/// Additional data with success (SCRAM's server-final message) arrives as a last challenge that
/// the client answers with an empty line, as IMAP requires; it is never folded into `.success`.
///
/// - SeeAlso: [RFC 9051 §6.2.2](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.2)
public enum SASLStep: Sendable, Hashable {
    /// Send `+ <base64>` and hand the client's answer to `step(_:)`.
    case challenge([UInt8])
    /// Authenticated and authorised.
    case success(AuthResult)
}

/// The identities an exchange established, without the realm suffix of the node's own realm.
public struct AuthResult: Sendable, Hashable {
    /// Whose credentials were checked (SASL_AUTHUSER).
    public var authenticationID: String
    /// Whom the client acts as (SASL_USERNAME); equal to `authenticationID` when none was asked.
    public var authorizationID: String

    public init(authenticationID: String, authorizationID: String) {
        self.authenticationID = authenticationID
        self.authorizationID = authorizationID
    }
}
