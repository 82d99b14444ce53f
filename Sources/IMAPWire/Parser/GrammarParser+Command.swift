/// Parsers of the command side: a whole tagged command frame, the IDLE `DONE` line, and the
/// lines answering AUTHENTICATE challenges.

extension ParseBuffer {
    /// Whether the next byte is `c`; false at the end of the frame (a mandatory rule that
    /// follows reports the end as incomplete).
    func next(is c: Unicode.Scalar) -> Bool { peek(at: 0) == UInt8(ascii: c) }

    /// The byte after `c` when `c` is next; nil when it is not. When `c` ends the frame the
    /// choice it starts cannot be made yet: ``IncompleteMessage``.
    func byte(after c: Unicode.Scalar) throws -> UInt8? {
        guard next(is: c) else { return nil }
        guard let b = peek(at: 1) else { throw IncompleteMessage() }
        return b
    }
}

extension GrammarParser {
    /// One command frame: tag, command, arguments, literals in place, and the final CRLF.
    ///
    /// Running off the end throws ``IncompleteMessage``. Bad syntax or a passed bound throws
    /// ``BadCommand``, with the tag when it was readable, wrapping the ``ParserError`` or
    /// ``LimitExceeded``.
    // command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    public static func parseTaggedCommand(_ buffer: inout ParseBuffer) throws -> TaggedCommand {
        try withTag(&buffer) { buffer, tag in
            let command = try parseCommand(&buffer)
            try PL.newline(&buffer)
            return TaggedCommand(tag: tag, command: command)
        }
    }

    /// Reads `tag SP`, then runs `body`, wrapping syntax and limit errors into ``BadCommand``.
    static func withTag<T>(_ buffer: inout ParseBuffer, _ body: (inout ParseBuffer, String) throws -> T) throws -> T {
        var tag: String?
        do {
            let t = try parseTag(&buffer)
            tag = t
            try PL.space(&buffer)
            return try body(&buffer, t)
        } catch let e as ParserError {
            throw BadCommand(tag: tag, underlying: e)
        } catch let e as LimitExceeded {
            throw BadCommand(tag: tag, underlying: e)
        }
    }

    /// A command without its tag and CRLF.
    public static func parseCommand(_ buffer: inout ParseBuffer) throws -> Command {
        let start = buffer.index
        let verb = try parseKeyword(&buffer)
        switch verb {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .startTLS
        case "NAMESPACE": return .namespace
        case "IDLE": return .idle
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "ID": return .id(try spaced(&buffer, parseIDParameters))
        case "ENABLE": return .enable(try parseEnableArguments(&buffer))
        case "AUTHENTICATE": return try parseAuthenticate(&buffer)
        case "LOGIN":
            return .login(username: try spaced(&buffer, parseAString), password: try spaced(&buffer, parseAString))
        case "COMPRESS": return .compress(mechanism: try spaced(&buffer, parseAtom))
        case "SELECT": return .select(try spaced(&buffer, parseMailbox), try parseSelectParameters(&buffer))
        case "EXAMINE": return .examine(try spaced(&buffer, parseMailbox), try parseSelectParameters(&buffer))
        case "CREATE": return try parseCreate(&buffer)
        case "DELETE": return .delete(try spaced(&buffer, parseMailbox))
        case "RENAME":
            let from = try spaced(&buffer, parseMailbox)
            let to = try spaced(&buffer, parseMailbox)
            let partition = buffer.next(is: " ") ? try spaced(&buffer, parseAtom) : nil
            return .rename(from: from, to: to, partition: partition)
        case "SUBSCRIBE": return .subscribe(try spaced(&buffer, parseMailbox))
        case "UNSUBSCRIBE": return .unsubscribe(try spaced(&buffer, parseMailbox))
        case "LIST": return .list(try parseListArguments(&buffer))
        case "LSUB":
            return .lsub(reference: try spaced(&buffer, parseMailbox), pattern: try spaced(&buffer, parseListMailbox))
        case "XLIST":
            return .xlist(reference: try spaced(&buffer, parseMailbox), pattern: try spaced(&buffer, parseListMailbox))
        case "STATUS": return .status(try spaced(&buffer, parseMailbox), try spaced(&buffer, parseStatusAttributeList))
        case "APPEND": return .append(try parseAppendMessages(&buffer, mailbox: try spaced(&buffer, parseMailbox)))
        case "LOCALAPPEND":
            let (mailbox, selected) = try parseLocalAppendMailboxes(&buffer)
            return .localAppend(try parseAppendMessages(&buffer, mailbox: mailbox), selected: selected)
        case "GETACL": return .getACL(try spaced(&buffer, parseMailbox))
        case "SETACL":
            return .setACL(
                try spaced(&buffer, parseMailbox), identifier: try spaced(&buffer, parseIdentifier),
                rights: try spaced(&buffer, parseModRights))
        case "DELETEACL":
            return .deleteACL(try spaced(&buffer, parseMailbox), identifier: try spaced(&buffer, parseIdentifier))
        case "LISTRIGHTS":
            return .listRights(try spaced(&buffer, parseMailbox), identifier: try spaced(&buffer, parseIdentifier))
        case "MYRIGHTS": return .myRights(try spaced(&buffer, parseMailbox))
        case "GETQUOTA": return .getQuota(root: try spaced(&buffer, parseAString))
        case "GETQUOTAROOT": return .getQuotaRoot(try spaced(&buffer, parseMailbox))
        case "SETQUOTA":
            return .setQuota(root: try spaced(&buffer, parseAString), try spaced(&buffer, parseSetQuotaList))
        case "GETMETADATA": return try parseGetMetadata(&buffer)
        case "SETMETADATA":
            return .setMetadata(try spaced(&buffer, parseMailbox), try spaced(&buffer, parseEntryValues))
        case "XFERPUT", "XFERCOMMIT", "XFERABORT": return .transfer(try parseTransferCommand(&buffer, verb: verb))
        case "COPY": return .copy(try spaced(&buffer, parseSequenceSet), try spaced(&buffer, parseMailbox))
        case "MOVE": return .move(try spaced(&buffer, parseSequenceSet), try spaced(&buffer, parseMailbox))
        case "FETCH": return .fetch(try spaced(&buffer, parseFetchArguments))
        case "STORE": return .store(try spaced(&buffer, parseStoreArguments))
        case "SEARCH": return .search(try parseSearchArguments(&buffer))
        case "SORT": return .sort(try spaced(&buffer, parseSortArguments))
        case "THREAD": return .thread(try spaced(&buffer, parseThreadArguments))
        case "UID": return try spaced(&buffer, parseUIDCommand)
        default: throw ParserError("unknown command \(verb)", at: start)
        }
    }

    // uid = "UID" SP ("COPY" / "MOVE" / "FETCH" / "SEARCH" / "STORE" / "SORT" / "THREAD" / "EXPUNGE") ...
    static func parseUIDCommand(_ buffer: inout ParseBuffer) throws -> Command {
        let start = buffer.index
        switch try parseKeyword(&buffer) {
        case "COPY": return .uidCopy(try spaced(&buffer, parseSequenceSet), try spaced(&buffer, parseMailbox))
        case "MOVE": return .uidMove(try spaced(&buffer, parseSequenceSet), try spaced(&buffer, parseMailbox))
        case "FETCH": return .uidFetch(try spaced(&buffer, parseFetchArguments))
        case "STORE": return .uidStore(try spaced(&buffer, parseStoreArguments))
        case "SEARCH": return .uidSearch(try parseSearchArguments(&buffer))
        case "SORT": return .uidSort(try spaced(&buffer, parseSortArguments))
        case "THREAD": return .uidThread(try spaced(&buffer, parseThreadArguments))
        case "EXPUNGE": return .uidExpunge(try spaced(&buffer, parseSequenceSet))
        case let verb: throw ParserError("unknown UID command \(verb)", at: start)
        }
    }

    // idle = "IDLE" CRLF "DONE" ; this parses the "DONE" CRLF line
    public static func parseIdleDone(_ buffer: inout ParseBuffer) throws {
        try PL.fixed(&buffer, "DONE")
        try PL.newline(&buffer)
    }

    /// A client's answer to an AUTHENTICATE challenge, with its CRLF.
    // authenticate-response = (base64 / "*") CRLF
    public static func parseAuthenticateResponse(_ buffer: inout ParseBuffer) throws -> AuthenticateResponse {
        if buffer.next(is: "*") {
            buffer.index += 1
            try PL.newline(&buffer)
            return .cancel
        }
        let text = try parseBase64(&buffer, min: 0)
        try PL.newline(&buffer)
        return .base64(text)
    }

    // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
    static func parseAuthenticate(_ buffer: inout ParseBuffer) throws -> Command {
        let mechanism = try spaced(&buffer, parseAtom)
        guard buffer.next(is: " ") else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        buffer.index += 1
        let text = try parseBase64(&buffer, min: 1, allowEmptyMarker: true)
        return .authenticate(mechanism: mechanism, initialResponse: text == "=" ? .empty : .base64(text))
    }

    // base64 = *(4base64-char) [base64-terminal]
    // (with `allowEmptyMarker`, a lone "=" is returned as is: SASL-IR's empty response)
    static func parseBase64(_ buffer: inout ParseBuffer, min: Int, allowEmptyMarker: Bool = false) throws -> String {
        let start = buffer.index
        let bytes = try PL.bytes(&buffer, min: min, what: "base64") { $0.isBase64Char || $0 == UInt8(ascii: "=") }
        if allowEmptyMarker, bytes.elementsEqual("=".utf8) { return "=" }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard bytes.count % 4 == 0, padding <= 2, !bytes.dropLast(padding).contains(UInt8(ascii: "=")) else {
            throw ParserError("invalid base64", at: start)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // enable = "ENABLE" 1*(SP capability)
    static func parseEnableArguments(_ buffer: inout ParseBuffer) throws -> [String] {
        try PL.space(&buffer)
        return try PL.oneOrMore(&buffer, separator: PL.space) { try parseAtom(&$0) }
    }

    // id = "ID" SP id-params-list ; id-params-list = "(" *(string SP nstring) ")" / nil
    static func parseIDParameters(_ buffer: inout ParseBuffer) throws -> [IDParameter]? {
        if try PL.tryFixed(&buffer, "NIL") { return nil }
        let bound = Swift.min(IDParameter.maxPairs, buffer.limits.maxListItems)
        var params: [IDParameter] = []
        try PL.fixed(&buffer, "(")
        while !buffer.next(is: ")") {
            if !params.isEmpty { try PL.space(&buffer) }
            let start = buffer.index
            let key = try parseString(&buffer)
            guard key.count <= IDParameter.maxKeyLength else {
                throw ParserError("ID field name over 30 octets", at: start)
            }
            try PL.space(&buffer)
            let valueStart = buffer.index
            let value = try parseNString(&buffer)
            guard (value?.count ?? 0) <= IDParameter.maxValueLength else {
                throw ParserError("ID value over 1024 octets", at: valueStart)
            }
            guard params.count < bound else { throw LimitExceeded(.listItems, bound: bound) }
            params.append(
                IDParameter(String(decoding: key, as: UTF8.self), value.map { String(decoding: $0, as: UTF8.self) }))
        }
        try PL.fixed(&buffer, ")")
        return params
    }

    // MARK: Helpers

    /// SP then `parse`.
    static func spaced<T>(_ buffer: inout ParseBuffer, _ parse: (inout ParseBuffer) throws -> T) throws -> T {
        try PL.space(&buffer)
        return try parse(&buffer)
    }

    /// A command name or keyword (letters, digits, `.`, `-`, `_`), upper-cased.
    static func parseKeyword(_ buffer: inout ParseBuffer) throws -> String {
        let bytes = try PL.bytes(&buffer, max: 64, what: "a keyword") {
            $0.isAlpha || $0.isDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
        return String(decoding: bytes, as: UTF8.self).uppercased()
    }

    /// A list of `element`s bounded by ``Limits/maxListItems``, parsed while `more` says so.
    static func boundedLoop<T>(
        _ buffer: inout ParseBuffer, more: (inout ParseBuffer) -> Bool, _ element: (inout ParseBuffer) throws -> T
    ) throws -> [T] {
        var items: [T] = []
        while more(&buffer) {
            guard items.count < buffer.limits.maxListItems else {
                throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
            }
            items.append(try element(&buffer))
        }
        return items
    }
}

extension UInt8 {
    /// base64-char = ALPHA / DIGIT / "+" / "/"
    var isBase64Char: Bool { isAlpha || isDigit || self == UInt8(ascii: "+") || self == UInt8(ascii: "/") }
}
