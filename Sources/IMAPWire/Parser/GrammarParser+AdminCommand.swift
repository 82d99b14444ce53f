/// Arguments of the ACL (RFC 4314), QUOTA (RFC 9208) and METADATA (RFC 5464) commands.

extension GrammarParser {
    // identifier = astring
    static func parseIdentifier(_ buffer: inout ParseBuffer) throws -> String {
        String(decoding: try parseAString(&buffer), as: UTF8.self)
    }

    // mod-rights = astring ; +rights to add, -rights to remove, rights to replace
    static func parseModRights(_ buffer: inout ParseBuffer) throws -> RightsModification {
        let rights = String(decoding: try parseAString(&buffer), as: UTF8.self)
        switch rights.first {
        case "+": return RightsModification(.add, String(rights.dropFirst()))
        case "-": return RightsModification(.remove, String(rights.dropFirst()))
        default: return RightsModification(.replace, rights)
        }
    }

    // setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
    // setquota-resource = resource-name SP resource-limit ; resource-limit = number64
    static func parseSetQuotaList(_ buffer: inout ParseBuffer) throws -> [QuotaLimit] {
        try PL.parenthesized(&buffer) { buffer in
            QuotaLimit(QuotaResource(try parseAtom(&buffer)), try spaced(&buffer, parseNumber64))
        }
    }

    // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
    // (the options are also accepted after the mailbox, as earlier drafts and Cyrus have them)
    static func parseGetMetadata(_ buffer: inout ParseBuffer) throws -> Command {
        try PL.space(&buffer)
        var options: [MetadataOption] = []
        if buffer.next(is: "(") {
            options = try parseGetMetadataOptions(&buffer)
            try PL.space(&buffer)
        }
        let mailbox = try parseMailbox(&buffer)
        try PL.space(&buffer)
        if options.isEmpty, let b = try buffer.byte(after: "("), b.isAlpha {
            // "(" then a letter: options; entries start with "/" (or a quote or literal).
            let saved = buffer
            if let found = try PL.optional(&buffer, { try parseGetMetadataOptions(&$0) }), buffer.next(is: " ") {
                options = found
                try PL.space(&buffer)
            } else {
                buffer = saved
            }
        }
        // entries = entry / "(" entry *(SP entry) ")"
        let entries =
            buffer.next(is: "(")
            ? try PL.parenthesized(&buffer, allowEmpty: false) { try parseIdentifier(&$0) }
            : [try parseIdentifier(&buffer)]
        return .getMetadata(options, mailbox, entries: entries)
    }

    // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
    // getmetadata-option = "MAXSIZE" SP number / "DEPTH" SP ("0" / "1" / "infinity") / tagged-ext
    static func parseGetMetadataOptions(_ buffer: inout ParseBuffer) throws -> [MetadataOption] {
        try PL.parenthesized(&buffer, allowEmpty: false) { buffer -> MetadataOption in
            let saved = buffer
            switch try parseKeyword(&buffer) {
            case "MAXSIZE": return .maxSize(try spaced(&buffer, parseNumber))
            case "DEPTH":
                let start = buffer.index + 1
                guard let depth = MetadataDepth(rawValue: try spaced(&buffer, parseKeyword).lowercased()) else {
                    throw ParserError("expected DEPTH 0, 1 or infinity", at: start)
                }
                return .depth(depth)
            default:
                buffer = saved
                return .other(try parseTaggedExtension(&buffer))
            }
        }
    }

    // entry-values = "(" entry-value *(SP entry-value) ")" ; entry-value = entry SP value
    // value = nstring / literal8
    static func parseEntryValues(_ buffer: inout ParseBuffer) throws -> [MetadataEntryValue] {
        try PL.parenthesized(&buffer, allowEmpty: false) { buffer in
            let entry = try parseIdentifier(&buffer)
            try PL.space(&buffer)
            if buffer.next(is: "~") { return MetadataEntryValue(entry, .binary(try parseLiteral8(&buffer))) }
            return MetadataEntryValue(entry, try parseNString(&buffer).map { .string($0) } ?? .nil)
        }
    }

    // literal8 = "~{" number64 ["+"] "}" CRLF *OCTET ; a value, bounded by maxStringLiteralSize
    static func parseLiteral8(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        let (length, isBinary, _) = try parseLiteralHeader(&buffer, binary: true)
        guard isBinary else { throw buffer.error("expected a literal8") }
        guard length <= UInt64(buffer.limits.maxStringLiteralSize) else {
            throw LimitExceeded(.stringLiteralSize, bound: buffer.limits.maxStringLiteralSize)
        }
        guard buffer.remaining >= Int(length) else { throw IncompleteMessage() }
        defer { buffer.index += Int(length) }
        return Array(buffer.bytes[buffer.index..<buffer.index + Int(length)])
    }
}
