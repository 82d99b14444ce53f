/// SEARCH, SORT and THREAD arguments and the search keys they share.

extension GrammarParser {
    // search = "SEARCH" [search-return-opts] SP search-program
    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    // search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    static func parseSearchArguments(_ buffer: inout ParseBuffer) throws -> SearchCommand {
        try PL.space(&buffer)
        var returnOptions: [SearchReturnOption]?
        if try PL.tryFixed(&buffer, "RETURN ") {
            returnOptions = try PL.parenthesized(&buffer) { buffer in
                let start = buffer.index
                let word = try parseKeyword(&buffer)
                guard let option = SearchReturnOption(rawValue: word) else {
                    throw ParserError("unknown search return option \(word)", at: start)
                }
                return option
            }
            try PL.space(&buffer)
        }
        var charset: String?
        if try PL.tryFixed(&buffer, "CHARSET ") {
            charset = try parseCharset(&buffer)
            try PL.space(&buffer)
        }
        return SearchCommand(returnOptions: returnOptions, charset: charset, try parseSearchKeys(&buffer))
    }

    // sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
    // sort-criteria = "(" sort-criterion *(SP sort-criterion) ")" ; sort-criterion = ["REVERSE" SP] sort-key
    static func parseSortArguments(_ buffer: inout ParseBuffer) throws -> SortCommand {
        let criteria = try PL.parenthesized(&buffer, allowEmpty: false) { buffer in
            let reverse = try PL.tryFixed(&buffer, "REVERSE ")
            let start = buffer.index
            let word = try parseKeyword(&buffer)
            guard let key = SortCriterion.Key(rawValue: word) else {
                throw ParserError("unknown sort key \(word)", at: start)
            }
            return SortCriterion(key, reverse: reverse)
        }
        let charset = try spaced(&buffer, parseCharset)
        return SortCommand(criteria, charset: charset, try spaced(&buffer, parseSearchKeys))
    }

    // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
    // thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext ; search-criteria = charset 1*(SP search-key)
    static func parseThreadArguments(_ buffer: inout ParseBuffer) throws -> ThreadCommand {
        let name = try parseAtom(&buffer)
        let algorithm: ThreadAlgorithm
        switch name.uppercased() {
        case "ORDEREDSUBJECT": algorithm = .orderedSubject
        case "REFERENCES": algorithm = .references
        default: algorithm = .other(name)
        }
        let charset = try spaced(&buffer, parseCharset)
        return ThreadCommand(algorithm, charset: charset, try spaced(&buffer, parseSearchKeys))
    }

    /// search-key *(SP search-key): one key, or ``SearchKey/and(_:)`` of several.
    static func parseSearchKeys(_ buffer: inout ParseBuffer) throws -> SearchKey {
        let keys = try PL.oneOrMore(&buffer, separator: PL.space) { try parseSearchKey(&$0) }
        return keys.count == 1 ? keys[0] : .and(keys)
    }

    // search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
    //              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword /
    //              "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring /
    //              "TEXT" SP astring / "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
    //              "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" / "HEADER" SP header-fld-name SP astring /
    //              "LARGER" SP number64 / "NOT" SP search-key / "OR" SP search-key SP search-key /
    //              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date / "SMALLER" SP number64 /
    //              "UID" SP sequence-set / "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")" /
    //              "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer /
    //              "EMAILID" SP objectid / "THREADID" SP objectid / "OLDER" SP nz-number / "YOUNGER" SP nz-number
    public static func parseSearchKey(_ buffer: inout ParseBuffer) throws -> SearchKey {
        let first = try buffer.peek()
        if first == UInt8(ascii: "(") {
            return .and(try PL.parenthesized(&buffer, allowEmpty: false) { try parseSearchKey(&$0) })
        }
        if first.isDigit || first == UInt8(ascii: "*") || first == UInt8(ascii: "$") {
            return .sequenceSet(try parseSequenceSet(&buffer))
        }
        let start = buffer.index
        let word = try parseKeyword(&buffer)
        func string(_ buffer: inout ParseBuffer) throws -> [UInt8] { try spaced(&buffer, parseAString) }
        func date(_ buffer: inout ParseBuffer) throws -> IMAPDate { try spaced(&buffer, parseDate) }
        func keyword(_ buffer: inout ParseBuffer) throws -> Flag { Flag(try spaced(&buffer, parseAtom)) }
        switch word {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "KEYWORD": return .keyword(try keyword(&buffer))
        case "UNKEYWORD": return .unkeyword(try keyword(&buffer))
        case "BCC": return .bcc(try string(&buffer))
        case "BODY": return .body(try string(&buffer))
        case "CC": return .cc(try string(&buffer))
        case "FROM": return .from(try string(&buffer))
        case "SUBJECT": return .subject(try string(&buffer))
        case "TEXT": return .text(try string(&buffer))
        case "TO": return .to(try string(&buffer))
        case "HEADER": return .header(String(decoding: try string(&buffer), as: UTF8.self), try string(&buffer))
        case "BEFORE": return .before(try date(&buffer))
        case "ON": return .on(try date(&buffer))
        case "SINCE": return .since(try date(&buffer))
        case "SENTBEFORE": return .sentBefore(try date(&buffer))
        case "SENTON": return .sentOn(try date(&buffer))
        case "SENTSINCE": return .sentSince(try date(&buffer))
        case "OLDER": return .older(try spaced(&buffer, parseNZNumber))
        case "YOUNGER": return .younger(try spaced(&buffer, parseNZNumber))
        case "LARGER": return .larger(try spaced(&buffer, parseNumber64))
        case "SMALLER": return .smaller(try spaced(&buffer, parseNumber64))
        case "UID": return .uid(try spaced(&buffer, parseSequenceSet))
        case "NOT": return .not(try spaced(&buffer) { try PL.nested(&$0) { try parseSearchKey(&$0) } })
        case "OR":
            return try PL.nested(&buffer) { buffer in
                .or(try spaced(&buffer, parseSearchKey), try spaced(&buffer, parseSearchKey))
            }
        case "MODSEQ": return try parseSearchModSequence(&buffer)
        case "EMAILID": return .emailID(try spaced(&buffer, parseObjectID))
        case "THREADID": return .threadID(try spaced(&buffer, parseObjectID))
        default: throw ParserError("unknown search key \(word)", at: start)
        }
    }

    // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
    // search-modseq-ext = SP entry-name SP entry-type-req ; entry-name = DQUOTE "/flags/" attr-flag DQUOTE
    // entry-type-req = "priv" / "shared" / "all"
    static func parseSearchModSequence(_ buffer: inout ParseBuffer) throws -> SearchKey {
        try PL.space(&buffer)
        var entry: SearchKey.ModSeqEntry?
        if buffer.next(is: "\"") {
            let start = buffer.index
            let name = String(decoding: try parseQuoted(&buffer), as: UTF8.self)
            let flagName = name.lowercased().hasPrefix("/flags/") ? String(name.dropFirst(7)) : ""
            var flagBuffer = ParseBuffer(flagName + " ")
            guard !flagName.isEmpty, let flag = try? parseFlag(&flagBuffer), flagBuffer.remaining == 1 else {
                throw ParserError("expected \"/flags/<flag>\"", at: start)
            }
            let kindStart = buffer.index + 1
            let word = try spaced(&buffer, parseAtom).lowercased()
            guard let kind = SearchKey.ModSeqEntry.Kind(rawValue: word) else {
                throw ParserError("expected priv, shared or all", at: kindStart)
            }
            entry = .init(flag, kind)
            try PL.space(&buffer)
        }
        return .modSeq(entry, try parseNumber64(&buffer))
    }

    // objectid = 1*255(ALPHA / DIGIT / "_" / "-")
    static func parseObjectID(_ buffer: inout ParseBuffer) throws -> String {
        let bytes = try PL.bytes(&buffer, max: 255, what: "object id") {
            $0.isAlpha || $0.isDigit || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
        if let next = buffer.peek(at: 0),
            next.isAlpha || next.isDigit || next == UInt8(ascii: "_") || next == UInt8(ascii: "-")
        {
            throw buffer.error("object id over 255 characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
