/// APPEND, MULTIAPPEND and LOCALAPPEND, whole or in the pieces a streaming decoder needs:
/// ``parseAppendStart(_:)``, then per message ``parseAppendMessageHeader(_:)``, the literal's
/// bytes (read by the caller), and ``parseAppendAfterMessage(_:)``.

extension GrammarParser {
    /// `tag SP APPEND SP mailbox` or `tag SP LOCALAPPEND SP mailbox SP selected`, stopping
    /// before the first message. Syntax and limit errors come as ``BadCommand``.
    public static func parseAppendStart(_ buffer: inout ParseBuffer) throws -> AppendStart {
        try withTag(&buffer) { buffer, tag in
            let start = buffer.index
            switch try parseKeyword(&buffer) {
            case "APPEND":
                return AppendStart(tag: tag, mailbox: try spaced(&buffer, parseMailbox))
            case "LOCALAPPEND":
                let (mailbox, selected) = try parseLocalAppendMailboxes(&buffer)
                return AppendStart(tag: tag, mailbox: mailbox, kind: .localAppend(selected: selected))
            case let verb:
                throw ParserError("expected APPEND, got \(verb)", at: start)
            }
        }
    }

    /// One message up to its literal's body: options, then the literal header with its CRLF.
    /// The buffer is left at the first octet of the message.
    // append-message = append-opts SP append-data
    // append-opts = [SP flag-list] [SP date-time] *(SP append-ext)
    // append-data = literal / literal8
    public static func parseAppendMessageHeader(_ buffer: inout ParseBuffer) throws -> AppendMessageHeader {
        var options = AppendOptions()
        try PL.space(&buffer)
        if buffer.next(is: "(") {
            options.flags = try parseFlagList(&buffer)
            try PL.space(&buffer)
        }
        if buffer.next(is: "\"") {
            options.internalDate = try parseDateTime(&buffer)
            try PL.space(&buffer)
        }
        options.extensions = try boundedLoop(&buffer, more: { !$0.next(is: "{") && !$0.next(is: "~") }) { buffer in
            let ext = try parseTaggedExtension(&buffer, valueRequired: true)
            try PL.space(&buffer)
            return ext
        }
        let (length, isBinary, nonSync) = try parseLiteralHeader(&buffer, binary: true)
        return AppendMessageHeader(options: options, length: length, isBinary: isBinary, isNonSynchronizing: nonSync)
    }

    /// After a message's bytes: true when another message follows (the SP is left for
    /// ``parseAppendMessageHeader(_:)``), false at the final CRLF (consumed).
    public static func parseAppendAfterMessage(_ buffer: inout ParseBuffer) throws -> Bool {
        if try buffer.peek() == UInt8(ascii: " ") { return true }
        try PL.newline(&buffer)
        return false
    }

    // append = "APPEND" SP mailbox 1*append-message (the messages, bodies in place; stops before CRLF)
    static func parseAppendMessages(_ buffer: inout ParseBuffer, mailbox: MailboxName) throws -> AppendCommand {
        var messages: [AppendMessage] = []
        repeat {
            guard messages.count < buffer.limits.maxListItems else {
                throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
            }
            let header = try parseAppendMessageHeader(&buffer)
            guard UInt64(buffer.remaining) >= header.length else { throw IncompleteMessage() }
            let end = buffer.index + Int(header.length)
            let data = AppendData(Array(buffer.bytes[buffer.index..<end]), isBinary: header.isBinary)
            buffer.index = end
            messages.append(AppendMessage(options: header.options, data: data))
        } while buffer.next(is: " ")
        return AppendCommand(mailbox, messages)
    }

    // localappend = "LOCALAPPEND" SP mailbox SP (mailbox / "") 1*append-message   ; Cyrus
    static func parseLocalAppendMailboxes(_ buffer: inout ParseBuffer) throws -> (MailboxName, MailboxName?) {
        let mailbox = try spaced(&buffer, parseMailbox)
        let selected = try spaced(&buffer, parseMailbox)
        return (mailbox, selected.bytes.isEmpty ? nil : selected)
    }
}
