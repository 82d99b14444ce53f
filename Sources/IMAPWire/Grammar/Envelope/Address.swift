/// One address of an envelope: display name, source route, mailbox (local part) and host.
///
///     S: ("Terry Gray" NIL "gray" "cac.washington.edu")
///
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public struct Address: Sendable, Hashable {
    public var name: [UInt8]?
    /// The at-domain-list (source route); almost always nil.
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]?, adl: [UInt8]?, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }
}

/// An entry of an envelope address list: an address, or an RFC 5322 group with its members.
///
/// On the wire a group is a start marker (host `NIL`, mailbox the group's name), the
/// members, and an end marker (mailbox and host `NIL`):
///
///     S: ((NIL NIL "undisclosed" NIL)(NIL NIL "a" "b.example")(NIL NIL NIL NIL))
///
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public enum AddressListItem: Sendable, Hashable {
    case address(Address)
    case group(AddressGroup)
}

/// An RFC 5322 group (`undisclosed-recipients: ;`) inside an envelope address list.
///
///     S: ((NIL NIL "team" NIL)("Terry Gray" NIL "gray" "cac.washington.edu")(NIL NIL NIL NIL))
///
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public struct AddressGroup: Sendable, Hashable {
    /// The group's display name (the start marker's mailbox field).
    public var name: [UInt8]
    public var members: [Address]

    public init(name: [UInt8], members: [Address]) {
        self.name = name
        self.members = members
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    @discardableResult
    public mutating func writeAddress(_ a: Address) -> Int {
        writeRaw("(") + writeNString(a.name) + writeSpace() + writeNString(a.adl) + writeSpace()
            + writeNString(a.mailbox) + writeSpace() + writeNString(a.host) + writeRaw(")")
    }
}
