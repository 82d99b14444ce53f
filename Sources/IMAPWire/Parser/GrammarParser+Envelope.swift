/// The envelope structure of FETCH ENVELOPE and of MESSAGE/RFC822 body parts.
extension GrammarParser {
    // envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
    //            env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
    public static func parseEnvelope(_ buffer: inout ParseBuffer) throws -> Envelope {
        try PL.fixed(&buffer, "(")
        let envelope = try PL.nested(&buffer) { buffer in
            let date = try parseNString(&buffer)
            try PL.space(&buffer)
            let subject = try parseNString(&buffer)
            var lists: [[AddressListItem]] = []
            for _ in 0..<6 {
                try PL.space(&buffer)
                lists.append(try parseEnvAddressList(&buffer))
            }
            try PL.space(&buffer)
            let inReplyTo = try parseNString(&buffer)
            try PL.space(&buffer)
            let messageID = try parseNString(&buffer)
            return Envelope(
                date: date, subject: subject, from: lists[0], sender: lists[1], replyTo: lists[2], to: lists[3],
                cc: lists[4], bcc: lists[5], inReplyTo: inReplyTo, messageID: messageID)
        }
        try PL.fixed(&buffer, ")")
        return envelope
    }

    /// An address list with its groups assembled; `NIL` (or an empty `()`) is empty, and a
    /// space between addresses is tolerated.
    // env-from = "(" 1*address ")" / nil
    public static func parseEnvAddressList(_ buffer: inout ParseBuffer) throws -> [AddressListItem] {
        if try buffer.peek() != UInt8(ascii: "(") {
            try parseNil(&buffer)
            return []
        }
        try PL.fixed(&buffer, "(")
        let addresses = try PL.nested(&buffer) { buffer in
            var addresses: [Address] = []
            while try buffer.peek() == UInt8(ascii: "(") {
                guard addresses.count < buffer.limits.maxListItems else {
                    throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
                }
                addresses.append(try parseAddress(&buffer))
                if try spaceThenParenthesis(buffer) { buffer.index += 1 }
            }
            return addresses
        }
        try PL.fixed(&buffer, ")")
        return assembleGroups(addresses)
    }

    /// Folds group markers into groups: a start marker (host and the first two fields `NIL`,
    /// mailbox the name) opens a group that an end marker (all four `NIL`) or the end of the
    /// list closes. An end marker outside a group stays an address.
    static func assembleGroups(_ addresses: [Address]) -> [AddressListItem] {
        var items: [AddressListItem] = []
        var open: AddressGroup?
        for a in addresses {
            let isEnd = a.name == nil && a.adl == nil && a.mailbox == nil && a.host == nil
            if var group = open {
                if isEnd {
                    items.append(.group(group))
                    open = nil
                } else {
                    group.members.append(a)
                    open = group
                }
            } else if a.host == nil, a.name == nil, a.adl == nil, let name = a.mailbox {
                open = AddressGroup(name: name, members: [])
            } else {
                items.append(.address(a))
            }
        }
        if let open { items.append(.group(open)) }
        return items
    }

    // address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
    public static func parseAddress(_ buffer: inout ParseBuffer) throws -> Address {
        try PL.fixed(&buffer, "(")
        let name = try parseNString(&buffer)
        try PL.space(&buffer)
        let adl = try parseNString(&buffer)
        try PL.space(&buffer)
        let mailbox = try parseNString(&buffer)
        try PL.space(&buffer)
        let host = try parseNString(&buffer)
        try PL.fixed(&buffer, ")")
        return Address(name: name, adl: adl, mailbox: mailbox, host: host)
    }
}
