public import IMAPWire

extension MIMEMessage {
    /// The message's ENVELOPE: raw header values (encoded words not decoded), NIL for an
    /// absent field; Sender and Reply-To default to From.
    ///
    ///     C: A1 FETCH 1 ENVELOPE
    ///     S: * 1 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg
    ///         summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) …))
    ///
    /// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
    public var envelope: Envelope { Self.envelope(of: root.header, limits: limits) }

    static func envelope(of header: Header, limits: MIMELimits) -> Envelope {
        func list(_ name: String) -> [AddressListItem] {
            // Several fields of one name (invalid but seen) are read as one list.
            let values = header.fields.filter { $0.named(name) }.map(\.value)
            guard !values.isEmpty else { return [] }
            return AddressParser.parse(Array(values.joined(separator: Array(",".utf8))), limits: limits)
        }
        let from = list("From")
        let sender = list("Sender")
        let replyTo = list("Reply-To")
        return Envelope(
            date: header.value("Date"), subject: header.value("Subject"), from: from,
            sender: sender.isEmpty ? from : sender, replyTo: replyTo.isEmpty ? from : replyTo, to: list("To"),
            cc: list("Cc"), bcc: list("Bcc"), inReplyTo: header.value("In-Reply-To"),
            messageID: header.value("Message-ID"))
    }
}
