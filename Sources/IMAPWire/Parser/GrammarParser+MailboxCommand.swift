/// Arguments of the mailbox commands: SELECT/EXAMINE parameters, CREATE, STATUS, LIST, LSUB,
/// and the APPEND family's mailbox prefix.

extension GrammarParser {
    // select-params = SP "(" select-param *(SP select-param) ")"
    static func parseSelectParameters(_ buffer: inout ParseBuffer) throws -> [SelectParameter] {
        try parseOptionalParenthesized(&buffer) { try parseSelectParameter(&$0) }
    }

    // select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
    //                [SP seq-match-data] ")" / tagged-ext
    static func parseSelectParameter(_ buffer: inout ParseBuffer) throws -> SelectParameter {
        let saved = buffer
        switch try parseKeyword(&buffer) {
        case "CONDSTORE": return .condStore
        case "QRESYNC": return .qresync(try spaced(&buffer, parseQResyncParameters))
        default:
            buffer = saved
            return .other(try parseTaggedExtension(&buffer))
        }
    }

    // "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    // seq-match-data = "(" known-sequence-set SP known-uid-set ")"
    static func parseQResyncParameters(_ buffer: inout ParseBuffer) throws -> QResyncParameters {
        try PL.fixed(&buffer, "(")
        var q = QResyncParameters(uidValidity: try parseNZNumber(&buffer), modSeq: try spaced(&buffer, parseNZNumber64))
        if let b = try buffer.byte(after: " "), b != UInt8(ascii: "(") {
            q.knownUIDs = try spaced(&buffer, parseUIDSet)
        }
        if buffer.next(is: " ") {
            try PL.space(&buffer)
            try PL.fixed(&buffer, "(")
            let numbers = try parseUIDSet(&buffer)
            q.sequenceMatch = .init(sequenceNumbers: numbers, uids: try spaced(&buffer, parseUIDSet))
            try PL.fixed(&buffer, ")")
        }
        try PL.fixed(&buffer, ")")
        return q
    }

    // mod-sequence-value = 1*DIGIT ; at least 1, at most 2^63-1
    static func parseNZNumber64(_ buffer: inout ParseBuffer) throws -> UInt64 {
        let start = buffer.index
        let n = try parseNumber64(&buffer)
        guard n != 0 else { throw ParserError("expected a non-zero number", at: start) }
        return n
    }

    // create = "CREATE" SP mailbox [SP partition-atom] [create-params] ; the atom is Cyrus's
    // create-params = SP "(" create-param *(SP create-param) ")"
    static func parseCreate(_ buffer: inout ParseBuffer) throws -> Command {
        let mailbox = try spaced(&buffer, parseMailbox)
        var partition: String?
        if let b = try buffer.byte(after: " "), b != UInt8(ascii: "(") {
            partition = try spaced(&buffer, parseAtom)
        }
        return .create(
            mailbox, partition: partition, try parseOptionalParenthesized(&buffer) { try parseCreateParameter(&$0) })
    }

    // create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")" / "PARTITION" SP astring / tagged-ext
    static func parseCreateParameter(_ buffer: inout ParseBuffer) throws -> CreateParameter {
        let saved = buffer
        switch try parseKeyword(&buffer) {
        case "USE": return .use(try spaced(&buffer) { try PL.parenthesized(&$0) { try parseMailboxAttribute(&$0) } })
        case "PARTITION": return .partition(String(decoding: try spaced(&buffer, parseAString), as: UTF8.self))
        default:
            buffer = saved
            return .other(try parseTaggedExtension(&buffer))
        }
    }

    // status-att-list = "(" status-att *(SP status-att) ")"
    static func parseStatusAttributeList(_ buffer: inout ParseBuffer) throws -> [StatusAttribute] {
        try PL.parenthesized(&buffer, allowEmpty: false) { try parseStatusAttribute(&$0) }
    }

    // status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE" / "RECENT" /
    //              "HIGHESTMODSEQ" / "APPENDLIMIT" / "MAILBOXID" / "DELETED-STORAGE"
    static func parseStatusAttribute(_ buffer: inout ParseBuffer) throws -> StatusAttribute {
        let start = buffer.index
        let word = try parseKeyword(&buffer)
        guard let att = StatusAttribute(rawValue: word) else {
            throw ParserError("unknown status item \(word)", at: start)
        }
        return att
    }

    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    static func parseListArguments(_ buffer: inout ParseBuffer) throws -> ListCommand {
        try PL.space(&buffer)
        var selectOptions: [ListSelectOption] = []
        if buffer.next(is: "(") {
            selectOptions = try parseListSelectOptions(&buffer)
            try PL.space(&buffer)
        }
        let reference = try parseMailbox(&buffer)
        try PL.space(&buffer)
        // mbox-or-pat = list-mailbox / patterns ; patterns = "(" list-mailbox *(SP list-mailbox) ")"
        let patterns =
            buffer.next(is: "(")
            ? try PL.parenthesized(&buffer, allowEmpty: false) { try parseListMailbox(&$0) }
            : [try parseListMailbox(&buffer)]
        var returnOptions: [ListReturnOption] = []
        if buffer.next(is: " ") {
            try PL.space(&buffer)
            try PL.fixed(&buffer, "RETURN")
            returnOptions = try spaced(&buffer) { try PL.parenthesized(&$0) { try parseListReturnOption(&$0) } }
        }
        return ListCommand(
            selectOptions: selectOptions, reference: reference, patterns: patterns, returnOptions: returnOptions)
    }

    // list-select-opts = "(" [(*(list-select-opt SP) list-select-base-opt *(SP list-select-opt)) /
    //                    (list-select-independent-opt *(SP list-select-independent-opt))] ")"
    static func parseListSelectOptions(_ buffer: inout ParseBuffer) throws -> [ListSelectOption] {
        let start = buffer.index
        let options = try PL.parenthesized(&buffer) { buffer -> ListSelectOption in
            let at = buffer.index
            let word = try parseKeyword(&buffer)
            guard let option = ListSelectOption(rawValue: word) else {
                throw ParserError("unknown LIST selection option \(word)", at: at)
            }
            return option
        }
        if options.contains(.recursiveMatch), !options.contains(where: \.isBase) {
            throw ParserError("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE", at: start)
        }
        return options
    }

    // return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / "MYRIGHTS" /
    //                 "STATUS" SP "(" status-att *(SP status-att) ")"
    static func parseListReturnOption(_ buffer: inout ParseBuffer) throws -> ListReturnOption {
        let start = buffer.index
        switch try parseKeyword(&buffer) {
        case "SUBSCRIBED": return .subscribed
        case "CHILDREN": return .children
        case "SPECIAL-USE": return .specialUse
        case "MYRIGHTS": return .myRights
        case "STATUS": return .status(try spaced(&buffer, parseStatusAttributeList))
        case let word: throw ParserError("unknown LIST return option \(word)", at: start)
        }
    }
}
