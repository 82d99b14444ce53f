/// Mailbox data: FLAGS, LIST/LSUB/XLIST, STATUS, SEARCH, ESEARCH, SORT, THREAD, VANISHED; and
/// message data: EXISTS, RECENT, EXPUNGE, FETCH.
extension GrammarParser {
    /// The data after a keyword of mailbox data, or nil when `keyword` is not one.
    // mailbox-data = "FLAGS" SP flag-list / "LIST" SP mailbox-list / esearch-response /
    //                "STATUS" SP mailbox SP "(" [status-att-list] ")" / number SP "EXISTS" /
    //                namespace-response / obsolete-search-response / obsolete-recent-response
    static func parseMailboxData(keyword: String, _ buffer: inout ParseBuffer) throws -> UntaggedResponse? {
        switch keyword.uppercased() {
        case "FLAGS":
            try PL.space(&buffer)
            return .flags(try parseFlagList(&buffer))
        case "LIST":
            try PL.space(&buffer)
            return .list(try parseMailboxList(&buffer))
        case "LSUB":
            try PL.space(&buffer)
            return .lsub(try parseMailboxList(&buffer))
        case "XLIST":
            try PL.space(&buffer)
            return .xlist(try parseMailboxList(&buffer))
        case "STATUS":
            try PL.space(&buffer)
            let mailbox = try parseMailbox(&buffer)
            try PL.space(&buffer)
            return .status(mailbox, try PL.parenthesized(&buffer) { try parseStatusAttVal(&$0) })
        case "SEARCH":
            let (numbers, modSeq) = try parseSearchNumbers(&buffer)
            return .search(numbers, modSeq: modSeq)
        case "SORT":
            let (numbers, modSeq) = try parseSearchNumbers(&buffer)
            return .sort(numbers, modSeq: modSeq)
        case "ESEARCH":
            return .esearch(try parseEsearchResponse(&buffer))
        case "THREAD":
            return .thread(try parseThreadData(&buffer))
        // expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
        case "VANISHED":
            try PL.space(&buffer)
            let earlier = try PL.tryFixed(&buffer, "(EARLIER)")
            if earlier { try PL.space(&buffer) }
            return .vanished(earlier: earlier, uids: try parseUIDSet(&buffer))
        default:
            return nil
        }
    }

    // message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)) ; plus number SP ("EXISTS" / "RECENT")
    static func parseMessageData(_ buffer: inout ParseBuffer) throws -> UntaggedResponse {
        let number = try parseNumber(&buffer)
        try PL.space(&buffer)
        let start = buffer.index
        switch try parseAtom(&buffer).uppercased() {
        case "EXISTS": return .exists(number)
        case "RECENT": return .recent(number)
        case "EXPUNGE": return .expunge(number)
        case "FETCH":
            try PL.space(&buffer)
            return .fetch(number, try parseMsgAtt(&buffer))
        default: throw ParserError("expected EXISTS, RECENT, EXPUNGE or FETCH", at: start)
        }
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    //                [SP mbx-list-extended]
    public static func parseMailboxList(_ buffer: inout ParseBuffer) throws -> MailboxInfo {
        let attributes = try PL.parenthesized(&buffer) { try parseMailboxAttribute(&$0) }
        try PL.space(&buffer)
        let delimiter = try parseHierarchyDelimiter(&buffer)
        try PL.space(&buffer)
        let name = try parseMailbox(&buffer)
        var items: [ListExtendedItem] = []
        if try spaceThenParenthesis(buffer) {
            buffer.index += 1
            // mbx-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
            items = try PL.parenthesized(&buffer) { try parseMboxListExtendedItem(&$0) }
        }
        return MailboxInfo(attributes: attributes, delimiter: delimiter, name: name, extendedItems: items)
    }

    /// A hierarchy delimiter: one (possibly escaped or UTF-8) character in quotes, or `NIL`.
    // DQUOTE QUOTED-CHAR DQUOTE / nil
    public static func parseHierarchyDelimiter(_ buffer: inout ParseBuffer) throws -> Character? {
        if try buffer.peek() == UInt8(ascii: "N") || buffer.peek() == UInt8(ascii: "n") {
            try parseNil(&buffer)
            return nil
        }
        let start = buffer.index
        let bytes = try parseQuoted(&buffer)
        let string = String(decoding: bytes, as: UTF8.self)
        guard string.count == 1, Array(string.utf8) == bytes, let c = string.first else {
            throw ParserError("expected one delimiter character", at: start)
        }
        return c
    }

    /// CHILDINFO and OLDNAME items whose value does not have their form are kept as
    /// ``ListExtendedItem/other(tag:value:)``.
    // mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
    // childinfo-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP list-select-base-opt-quoted) ")"
    // oldname-extended-item = "OLDNAME" SP "(" mailbox ")"
    public static func parseMboxListExtendedItem(_ buffer: inout ParseBuffer) throws -> ListExtendedItem {
        let tag = String(decoding: try parseAString(&buffer), as: UTF8.self)
        try PL.space(&buffer)
        switch tag.uppercased() {
        case "CHILDINFO":
            let options = try PL.optional(&buffer) { buffer in
                try PL.parenthesized(&buffer, allowEmpty: false) {
                    String(decoding: try parseString(&$0), as: UTF8.self)
                }
            }
            if let options { return .childInfo(options) }
        case "OLDNAME":
            let name = try PL.optional(&buffer) { buffer in
                try PL.fixed(&buffer, "(")
                let name = try parseMailbox(&buffer)
                try PL.fixed(&buffer, ")")
                return name
            }
            if let name { return .oldName(name) }
        default: break
        }
        return .other(tag: tag, value: try parseResponseExtensionValue(&buffer))
    }

    /// A lone number is a ``ResponseExtensionValue/number(_:)``; inside a list every item is a
    /// string or a list.
    // tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    // tagged-ext-simple = sequence-set / number / number64
    // tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
    public static func parseResponseExtensionValue(_ buffer: inout ParseBuffer) throws -> ResponseExtensionValue {
        func parseComp(_ buffer: inout ParseBuffer) throws -> ResponseExtensionValue {
            if try buffer.peek() == UInt8(ascii: "(") { return .list(try PL.parenthesized(&buffer, parseComp)) }
            return .string(try parseAString(&buffer))
        }
        if try buffer.peek() == UInt8(ascii: "(") { return .list(try PL.parenthesized(&buffer, parseComp)) }
        var i = 0
        while let c = buffer.peek(at: i), c.isDigit { i += 1 }
        if i > 0, let next = buffer.peek(at: i), next != UInt8(ascii: ":"), next != UInt8(ascii: ",") {
            return .number(try parseNumber64(&buffer))
        }
        return .sequenceSet(try parseSequenceSet(&buffer))
    }

    // status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ("UIDVALIDITY" SP nz-number) /
    //                  ("UNSEEN" SP number) / ("DELETED" SP number) / ("SIZE" SP number64) / ...
    public static func parseStatusAttVal(_ buffer: inout ParseBuffer) throws -> StatusItem {
        let name = try parseAtom(&buffer)
        try PL.space(&buffer)
        switch name.uppercased() {
        case "MESSAGES": return .messages(try parseNumber(&buffer))
        case "RECENT": return .recent(try parseNumber(&buffer))
        case "UIDNEXT": return .uidNext(try parseNumber(&buffer))
        case "UIDVALIDITY": return .uidValidity(try parseNumber(&buffer))
        case "UNSEEN": return .unseen(try parseNumber(&buffer))
        case "DELETED": return .deleted(try parseNumber(&buffer))
        case "SIZE": return .size(try parseNumber64(&buffer))
        case "HIGHESTMODSEQ": return .highestModSeq(try parseNumber64(&buffer))
        case "DELETED-STORAGE": return .deletedStorage(try parseNumber64(&buffer))
        // status-att-val =/ "APPENDLIMIT" SP (number / nil)
        case "APPENDLIMIT":
            if try buffer.peek().isDigit { return .appendLimit(try parseNumber64(&buffer)) }
            try parseNil(&buffer)
            return .appendLimit(nil)
        // status-att-val =/ "MAILBOXID" SP "(" objectid ")"
        case "MAILBOXID": return .mailboxID(try parseObjectIDInParentheses(&buffer))
        default: return .other(name: name, value: try parseNumber64(&buffer))
        }
    }

    /// The numbers of a SEARCH or SORT response and the CONDSTORE mod-sequence; a trailing
    /// space before the line end is tolerated.
    // obsolete-search-response = "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
    // sort-data = "SORT" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
    static func parseSearchNumbers(_ buffer: inout ParseBuffer) throws -> ([UInt32], UInt64?) {
        var numbers: [UInt32] = []
        while buffer.peek(at: 0) == UInt8(ascii: " ") {
            buffer.index += 1
            switch try buffer.peek() {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                return (numbers, nil)
            case UInt8(ascii: "("):
                try PL.fixed(&buffer, "(MODSEQ ")
                let modSeq = try parseNumber64(&buffer)
                try PL.fixed(&buffer, ")")
                return (numbers, modSeq)
            default:
                guard numbers.count < buffer.limits.maxListItems else {
                    throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
                }
                numbers.append(try parseNZNumber(&buffer))
            }
        }
        return (numbers, nil)
    }

    // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
    // search-correlator = SP "(" "TAG" SP tag-string ")"
    public static func parseEsearchResponse(_ buffer: inout ParseBuffer) throws -> ESearchResponse {
        var correlator: String?
        if try spaceThenParenthesis(buffer) {
            buffer.index += 1
            try PL.fixed(&buffer, "(TAG ")
            correlator = String(decoding: try parseAString(&buffer), as: UTF8.self)
            try PL.fixed(&buffer, ")")
        }
        let uid =
            try PL.optional(&buffer) { buffer -> Bool in
                try PL.fixed(&buffer, " UID")
                guard
                    buffer.peek(at: 0) == UInt8(ascii: " ") || buffer.peek(at: 0) == UInt8(ascii: "\r")
                        || buffer.peek(at: 0) == UInt8(ascii: "\n")
                else { throw buffer.error("expected SP or end of line after UID") }
                return true
            } ?? false
        let data = try parseSpacedItems(&buffer) { try parseSearchReturnData(&$0) }
        return ESearchResponse(correlator: correlator, uid: uid, returnData: data)
    }

    // search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set /
    //                      "COUNT" SP number / "MODSEQ" SP mod-sequence-value / search-ret-data-ext
    public static func parseSearchReturnData(_ buffer: inout ParseBuffer) throws -> ESearchReturnData {
        let name = try parseAtom(&buffer)
        try PL.space(&buffer)
        switch name.uppercased() {
        case "MIN": return .min(try parseNZNumber(&buffer))
        case "MAX": return .max(try parseNZNumber(&buffer))
        case "ALL": return .all(try parseSequenceSet(&buffer))
        case "COUNT": return .count(try parseNumber(&buffer))
        case "MODSEQ": return .modSeq(try parseNumber64(&buffer))
        default: return .other(name: name, value: try parseResponseExtensionValue(&buffer))
        }
    }

    // thread-data = "THREAD" [SP 1*thread-list]
    static func parseThreadData(_ buffer: inout ParseBuffer) throws -> [ThreadNode] {
        guard buffer.peek(at: 0) == UInt8(ascii: " ") else { return [] }
        buffer.index += 1
        return try parseThreadLists(&buffer)
    }

    /// `*thread-list`, adjacent (a space between two lists is tolerated).
    static func parseThreadLists(_ buffer: inout ParseBuffer) throws -> [ThreadNode] {
        var threads: [ThreadNode] = []
        while try buffer.peek() == UInt8(ascii: "(") {
            guard threads.count < buffer.limits.maxListItems else {
                throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
            }
            threads.append(try parseThreadList(&buffer))
            if try spaceThenParenthesis(buffer) { buffer.index += 1 }
        }
        return threads
    }

    /// Depth is bounded by ``Limits/maxNestingDepth``.
    // thread-list = "(" (thread-members / thread-nested) ")"
    // thread-members = nz-number *(SP nz-number) [SP thread-nested]
    // thread-nested = 2*thread-list
    public static func parseThreadList(_ buffer: inout ParseBuffer) throws -> ThreadNode {
        try PL.fixed(&buffer, "(")
        let node = try PL.nested(&buffer) { buffer in
            var messages: [UInt32] = []
            if try buffer.peek().isDigit {
                messages.append(try parseNZNumber(&buffer))
                while try buffer.byte(after: " ")?.isDigit == true {
                    buffer.index += 1
                    guard messages.count < buffer.limits.maxListItems else {
                        throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
                    }
                    messages.append(try parseNZNumber(&buffer))
                }
                if buffer.peek(at: 0) == UInt8(ascii: " ") { try PL.space(&buffer) }
            }
            let children = try parseThreadLists(&buffer)
            guard !messages.isEmpty || !children.isEmpty else { throw buffer.error("expected a thread member") }
            return ThreadNode(messages, children: children)
        }
        try PL.fixed(&buffer, ")")
        return node
    }
}
