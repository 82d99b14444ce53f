public import IMAPWire

extension MUpdateParser {
    /// Parses one command frame, for the server.
    ///
    /// Errors found once the tag was read are thrown as a ``BadCommand`` carrying it, so the
    /// server can answer `tag BAD "..."` (``MUpdateResponse/init(answering:)``); the
    /// ``ParserError`` reasons are Cyrus's texts ("Unrecognized command", "Missing arguments",
    /// "Extra arguments", "Badly formed arguments", …). ``IncompleteMessage`` is never wrapped.
    // command = tag SP command-name [SP arguments] CRLF
    public static func parseCommand(_ buffer: inout ParseBuffer) throws -> MUpdateCommand {
        buffer.literalCount = 0
        let start = buffer.index
        let tag: String
        do {
            tag = try parseCommandTag(&buffer)
        } catch let error as ParserError {
            do {
                try checkLineLength(buffer, from: start)
            } catch let limit as LimitExceeded {
                throw BadCommand(tag: nil, underlying: limit)
            }
            throw BadCommand(tag: nil, underlying: error)
        }
        do {
            try checkLineLength(buffer, from: start)
            return MUpdateCommand(tag: tag, try parseCommandKind(&buffer))
        } catch let error as ParserError {
            throw BadCommand(tag: tag, underlying: error)
        } catch let error as LimitExceeded {
            throw BadCommand(tag: tag, underlying: error)
        }
    }

    // tag = 1*<any ASTRING-CHAR except "+">
    static func parseCommandTag(_ buffer: inout ParseBuffer) throws -> String {
        let tag = try GrammarParser.parseTag(&buffer)
        // parseTag stops after 256 characters; a longer tag is not a tag.
        if let next = buffer.peek(at: 0), next.isTagChar { throw buffer.error("tag too long") }
        return tag
    }

    // command-name = atom ; case-insensitive
    static func parseCommandKind(_ buffer: inout ParseBuffer) throws -> MUpdateCommand.Kind {
        guard try buffer.peek() == sp else { throw buffer.error(needCommand) }
        buffer.index += 1
        let nameStart = buffer.index
        let name: String
        do {
            name = try GrammarParser.parseAtom(&buffer).uppercased()
        } catch is ParserError {
            throw ParserError(nullCommand, at: nameStart)
        }
        switch name {
        case "AUTHENTICATE": return try parseAuthenticate(&buffer)
        case "STARTTLS":
            try parseEnd(&buffer)
            return .startTLS
        case "COMPRESS":
            try parseArgumentSpace(&buffer)
            let algorithm = try parseArgumentOrAtom(&buffer)
            try parseEnd(&buffer)
            return .compress(algorithm: algorithm)
        case "RESERVE":
            let (name, location) = try parseNameAndLocation(&buffer)
            try parseEnd(&buffer)
            return .reserve(name: name, location: location)
        case "ACTIVATE":
            let (name, location) = try parseNameAndLocation(&buffer)
            try parseArgumentSpace(&buffer)
            let acl = try parseACL(&buffer)
            try parseEnd(&buffer)
            return .activate(name: name, location: location, acl: acl)
        case "DEACTIVATE":
            let (name, location) = try parseNameAndLocation(&buffer)
            try parseEnd(&buffer)
            return .deactivate(name: name, location: location)
        case "DELETE":
            try parseArgumentSpace(&buffer)
            let name = try parseName(&buffer)
            try parseEnd(&buffer)
            return .delete(name: name)
        case "FIND":
            try parseArgumentSpace(&buffer)
            let name = try parseName(&buffer)
            try parseEnd(&buffer)
            return .find(name: name)
        case "LIST": return try parseList(&buffer)
        case "UPDATE": return try parseUpdate(&buffer)
        case "NOOP":
            try parseEnd(&buffer)
            return .noop
        case "LOGOUT":
            try parseEnd(&buffer)
            return .logout
        default:
            throw ParserError(unrecognizedCommand, at: nameStart)
        }
    }

    // SP name SP location
    static func parseNameAndLocation(_ buffer: inout ParseBuffer) throws -> (InternalMailboxName, MailboxLocation) {
        try parseArgumentSpace(&buffer)
        let name = try parseName(&buffer)
        try parseArgumentSpace(&buffer)
        return (name, try parseLocation(&buffer))
    }

    // authenticate = "AUTHENTICATE" SP mechanism [SP initial-response]
    // mechanism = string / atom ; initial-response = string / "=" ; base64 or "=" for empty
    static func parseAuthenticate(_ buffer: inout ParseBuffer) throws -> MUpdateCommand.Kind {
        try parseArgumentSpace(&buffer)
        let mechanism = try parseArgumentOrAtom(&buffer)
        var initial: String?
        if try buffer.peek() == sp {
            buffer.index += 1
            initial = try parseInitialResponse(&buffer)
        }
        try parseEnd(&buffer)
        return .authenticate(mechanism: mechanism, initialResponse: initial)
    }

    static func parseInitialResponse(_ buffer: inout ParseBuffer) throws -> String {
        let start = buffer.index
        // A bare "=" (RFC 4959 style) is tolerated although RFC 3656 wants a string.
        if try buffer.peek() == UInt8(ascii: "="), let next = buffer.peek(at: 1), next == cr || next == lf {
            buffer.index += 1
            return ""
        }
        let bytes = try parseArgument(&buffer)
        if bytes == [UInt8(ascii: "=")] { return "" }
        guard !bytes.isEmpty, isBase64(bytes) else { throw ParserError(badlyFormedArguments, at: start) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // list = "LIST" [SP prefix] ; prefix = string
    static func parseList(_ buffer: inout ParseBuffer) throws -> MUpdateCommand.Kind {
        var prefix: String?
        if try buffer.peek() == sp {
            buffer.index += 1
            let start = buffer.index
            guard let text = String(validating: try parseArgument(&buffer), as: UTF8.self) else {
                throw ParserError(badlyFormedArguments, at: start)
            }
            prefix = text
        }
        try parseEnd(&buffer)
        return .list(prefix: prefix)
    }

    // update = "UPDATE" [1*30(SP server) / SP "SINCE" SP epoch SP seq] ; server = string
    static func parseUpdate(_ buffer: inout ParseBuffer) throws -> MUpdateCommand.Kind {
        guard try buffer.peek() == sp else {
            try parseEnd(&buffer)
            return .update(servers: [])
        }
        buffer.index += 1
        let first = try buffer.peek()
        guard first == UInt8(ascii: "\"") || first == UInt8(ascii: "{") else {
            let start = buffer.index
            let word: String?
            do {
                word = try GrammarParser.parseAtom(&buffer)
            } catch is ParserError {
                word = nil
            }
            guard word?.uppercased() == "SINCE" else { throw ParserError(badlyFormedArguments, at: start) }
            try parseArgumentSpace(&buffer)
            let epoch = try parseEpoch(&buffer)
            try parseArgumentSpace(&buffer)
            let sequence = try parseSequence(&buffer)
            try parseEnd(&buffer)
            return .updateSince(epoch: epoch, sequence: sequence)
        }
        var servers: [String] = []
        while true {
            let start = buffer.index
            let bytes = try parseArgument(&buffer)
            guard !bytes.isEmpty, let server = String(validating: bytes, as: UTF8.self) else {
                throw ParserError(badlyFormedArguments, at: start)
            }
            guard servers.count < MUpdateCommand.maxUpdateServers else { throw ParserError(extraArguments, at: start) }
            servers.append(server)
            guard try buffer.peek() == sp else { break }
            buffer.index += 1
        }
        try parseEnd(&buffer)
        return .update(servers: servers)
    }
}
