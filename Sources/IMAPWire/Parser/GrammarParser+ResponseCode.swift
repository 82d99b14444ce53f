/// Response codes: `[ALERT]`, `[UIDVALIDITY n]`, `[COPYUID …]`, the codes of RFC 5530 and the
/// extensions, and any other `atom [SP text]`.
extension GrammarParser {
    /// A known code whose arguments do not parse is kept as ``ResponseCode/other(name:text:)``,
    /// as the generic rule allows.
    // resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] / capability-data /
    //                  "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" / "READ-ONLY" /
    //                  "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
    //                  "UNSEEN" SP nz-number / resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" / ... /
    //                  atom [SP 1*<any TEXT-CHAR except "]">]
    public static func parseRespTextCode(_ buffer: inout ParseBuffer) throws -> ResponseCode {
        let name = try parseAtom(&buffer)
        let known = try PL.optional(&buffer) { buffer -> ResponseCode? in
            guard let code = try parseKnownRespTextCode(name.uppercased(), &buffer) else { return nil }
            guard buffer.peek(at: 0) == UInt8(ascii: "]") else { throw buffer.error("expected ]") }
            return code
        }
        if let known = known ?? nil { return known }
        guard buffer.peek(at: 0) == UInt8(ascii: " ") else { return .other(name: name, text: nil) }
        buffer.index += 1
        let bound = buffer.limits.maxLineLength
        let text = try PL.bytes(&buffer, max: bound + 1, what: "response code text") {
            $0.isTextChar && $0 != UInt8(ascii: "]")
        }
        guard text.count <= bound else { throw LimitExceeded(.lineLength, bound: bound) }
        return .other(name: name, text: String(decoding: text, as: UTF8.self))
    }

    static let argumentlessCodes: [String: ResponseCode] = [
        "ALERT": .alert, "PARSE": .parse, "READ-ONLY": .readOnly, "READ-WRITE": .readWrite,
        "TRYCREATE": .tryCreate, "UNAVAILABLE": .unavailable, "AUTHENTICATIONFAILED": .authenticationFailed,
        "AUTHORIZATIONFAILED": .authorizationFailed, "EXPIRED": .expired, "PRIVACYREQUIRED": .privacyRequired,
        "CONTACTADMIN": .contactAdmin, "NOPERM": .noPerm, "INUSE": .inUse, "EXPUNGEISSUED": .expungeIssued,
        "CORRUPTION": .corruption, "SERVERBUG": .serverBug, "CLIENTBUG": .clientBug, "CANNOT": .cannot,
        "LIMIT": .limit, "OVERQUOTA": .overQuota, "ALREADYEXISTS": .alreadyExists, "NONEXISTENT": .nonExistent,
        "UIDNOTSTICKY": .uidNotSticky, "NOMODSEQ": .noModSeq, "CLOSED": .closed, "USEATTR": .useAttr,
        "HASCHILDREN": .hasChildren, "NOTSAVED": .notSaved, "COMPRESSIONACTIVE": .compressionActive,
        "UNKNOWN-CTE": .unknownCTE,
    ]

    /// The arguments of a code this parser knows by name, or nil for an unknown name.
    static func parseKnownRespTextCode(_ name: String, _ buffer: inout ParseBuffer) throws -> ResponseCode? {
        if let code = argumentlessCodes[name] { return code }
        switch name {
        case "BADCHARSET":
            guard buffer.peek(at: 0) == UInt8(ascii: " ") else { return .badCharset([]) }
            try PL.space(&buffer)
            return .badCharset(try PL.parenthesized(&buffer, allowEmpty: false) { try parseCharset(&$0) })
        case "CAPABILITY":
            return .capability(try parseSpacedAtoms(&buffer))
        case "PERMANENTFLAGS":
            try PL.space(&buffer)
            return .permanentFlags(try PL.parenthesized(&buffer) { try parseFlagPerm(&$0) })
        case "UIDNEXT": return .uidNext(try parseSpacedNZNumber(&buffer))
        case "UIDVALIDITY": return .uidValidity(try parseSpacedNZNumber(&buffer))
        case "UNSEEN": return .unseen(try parseSpacedNZNumber(&buffer))
        // resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
        case "APPENDUID":
            let validity = try parseSpacedNZNumber(&buffer)
            try PL.space(&buffer)
            return .appendUID(uidValidity: validity, uids: try parseUIDSet(&buffer))
        // resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
        case "COPYUID":
            let validity = try parseSpacedNZNumber(&buffer)
            try PL.space(&buffer)
            let source = try parseUIDSet(&buffer)
            try PL.space(&buffer)
            return .copyUID(uidValidity: validity, source: source, destination: try parseUIDSet(&buffer))
        // "HIGHESTMODSEQ" SP mod-sequence-value / "MODIFIED" SP sequence-set
        case "HIGHESTMODSEQ":
            try PL.space(&buffer)
            return .highestModSeq(try parseNumber64(&buffer))
        case "MODIFIED":
            try PL.space(&buffer)
            return .modified(try parseSequenceSet(&buffer))
        // "METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number / "TOOMANY" / "NOPRIVATE")
        case "METADATA":
            try PL.space(&buffer)
            let start = buffer.index
            switch try parseAtom(&buffer).uppercased() {
            case "LONGENTRIES":
                try PL.space(&buffer)
                return .metadataLongEntries(try parseNumber(&buffer))
            case "MAXSIZE":
                try PL.space(&buffer)
                return .metadataMaxSize(try parseNumber(&buffer))
            case "TOOMANY": return .metadataTooMany
            case "NOPRIVATE": return .metadataNoPrivate
            default: throw ParserError("expected LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE", at: start)
            }
        // "MAILBOXID" SP "(" objectid ")"
        case "MAILBOXID":
            try PL.space(&buffer)
            return .mailboxID(try parseObjectIDInParentheses(&buffer))
        // "REFERRAL" SP imapurl *(SP imapurl)
        case "REFERRAL":
            let urls = try parseSpacedItems(&buffer) { buffer in
                String(
                    decoding: try PL.bytes(&buffer, what: "URL") {
                        $0.isTextChar && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "]")
                    }, as: UTF8.self)
            }
            guard !urls.isEmpty else { throw buffer.error("expected a referral URL") }
            return .referral(urls)
        default:
            return nil
        }
    }

    static func parseSpacedNZNumber(_ buffer: inout ParseBuffer) throws -> UInt32 {
        try PL.space(&buffer)
        return try parseNZNumber(&buffer)
    }

    /// `"(" objectid ")"` of RFC 8474, where objectid = 1*255(ALPHA / DIGIT / "_" / "-").
    static func parseObjectIDInParentheses(_ buffer: inout ParseBuffer) throws -> String {
        try PL.fixed(&buffer, "(")
        let id = try PL.bytes(&buffer, max: 255, what: "object id") {
            $0.isAlpha || $0.isDigit || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
        try PL.fixed(&buffer, ")")
        return String(decoding: id, as: UTF8.self)
    }
}
