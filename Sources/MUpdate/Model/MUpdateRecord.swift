/// One entry of the mailbox list (SPEC.md §2): an internal name, its state, where it lives and
/// (for an active mailbox) its ACL.
///
///     S: U01 MAILBOX {8+}                       .active, acl "bob\tlrswipkxtecdan\t"
///     S: user.bob {23+}
///     S: 127.0.0.1:14143!default {19+}
///     S: bob\tlrswipkxtecdan\t
///     S: U01 RESERVE {9+}                       .reserved, empty acl
///     S: user.carl {23+}
///     S: 127.0.0.1:14143!default
///
/// - SeeAlso: [RFC 3656 §3.5–3.6](https://www.rfc-editor.org/rfc/rfc3656#section-3.5)
public struct MUpdateRecord: Sendable, Hashable, CustomStringConvertible {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Being created (or moved) by a backend: not to be used by frontends yet.
        case reserved = "RESERVED"
        /// Served by its location.
        case active = "ACTIVE"
    }

    public var name: InternalMailboxName
    public var state: State
    public var location: MailboxLocation
    /// The ACL of an active record; empty for a reserved one.
    public var acl: CyrusACL

    public init(name: InternalMailboxName, state: State, location: MailboxLocation, acl: CyrusACL = .empty) {
        self.name = name
        self.state = state
        self.location = location
        self.acl = acl
    }

    /// The data line that carries this record in a FIND, LIST or UPDATE answer.
    public func response(tag: String) -> MUpdateResponse {
        switch state {
        case .active: .mailbox(tag: tag, name: name, location: location, acl: acl)
        case .reserved: .reserve(tag: tag, name: name, location: location)
        }
    }

    /// The record a MAILBOX or RESERVE data line carries; nil for any other response.
    public init?(_ response: MUpdateResponse) {
        switch response {
        case .mailbox(_, let name, let location, let acl):
            self.init(name: name, state: .active, location: location, acl: acl)
        case .reserve(_, let name, let location):
            self.init(name: name, state: .reserved, location: location)
        default:
            return nil
        }
    }

    public var description: String { "\(name) \(state.rawValue) \(location) \(acl.description.debugDescription)" }
}
