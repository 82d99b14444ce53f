/// One identifier and its rights in an `ACL` response.
///
///     C: A002 GETACL INBOX
///     S: * ACL INBOX Fred rwipsldexta
///
/// - SeeAlso: [RFC 4314 §3.6](https://www.rfc-editor.org/rfc/rfc4314#section-3.6)
public struct ACLIdentifierRights: Sendable, Hashable {
    public var identifier: String
    public var rights: String

    public init(identifier: String, rights: String) {
        self.identifier = identifier
        self.rights = rights
    }
}
