/// The envelope of a message: the main header fields, parsed by the server.
///
///     C: a003 fetch 12 envelope
///     S: * 12 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary
///         and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) … NIL NIL
///         "<B27397-0100000@cac.washington.edu>"))
///
/// Header values stay bytes (they may be raw 8-bit); an address list that is `NIL` is empty.
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public struct Envelope: Sendable, Hashable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [AddressListItem]
    public var sender: [AddressListItem]
    public var replyTo: [AddressListItem]
    public var to: [AddressListItem]
    public var cc: [AddressListItem]
    public var bcc: [AddressListItem]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]?, subject: [UInt8]?, from: [AddressListItem], sender: [AddressListItem],
        replyTo: [AddressListItem], to: [AddressListItem], cc: [AddressListItem], bcc: [AddressListItem],
        inReplyTo: [UInt8]?, messageID: [UInt8]?
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    //            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    @discardableResult
    public mutating func writeEnvelope(_ e: Envelope) -> Int {
        var n = writeRaw("(") + writeNString(e.date) + writeSpace() + writeNString(e.subject)
        for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] { n += writeSpace() + writeAddressList(list) }
        return n + writeSpace() + writeNString(e.inReplyTo) + writeSpace() + writeNString(e.messageID) + writeRaw(")")
    }

    // env-from = "(" 1*address ")" / nil
    @discardableResult
    public mutating func writeAddressList(_ items: [AddressListItem]) -> Int {
        guard !items.isEmpty else { return writeNil() }
        var n = writeRaw("(")
        for item in items {
            switch item {
            case .address(let a): n += writeAddress(a)
            case .group(let g):
                n += writeAddress(Address(name: nil, adl: nil, mailbox: g.name, host: nil))
                for a in g.members { n += writeAddress(a) }
                n += writeAddress(Address(name: nil, adl: nil, mailbox: nil, host: nil))
            }
        }
        return n + writeRaw(")")
    }
}
