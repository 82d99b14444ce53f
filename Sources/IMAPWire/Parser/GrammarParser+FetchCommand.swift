/// FETCH and STORE arguments: data items, sections, partial ranges, modifiers, flag changes.

extension GrammarParser {
    // fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
    //         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
    static func parseFetchArguments(_ buffer: inout ParseBuffer) throws -> FetchCommand {
        let set = try parseSequenceSet(&buffer)
        try PL.space(&buffer)
        let attributes: FetchAttributes
        if buffer.next(is: "(") {
            attributes = .list(try PL.parenthesized(&buffer, allowEmpty: false) { try parseFetchAttribute(&$0) })
        } else if try PL.tryFixed(&buffer, "ALL") {
            attributes = .all
        } else if try PL.tryFixed(&buffer, "FAST") {
            attributes = .fast
        } else if try PL.tryFixed(&buffer, "FULL") {
            attributes = .full
        } else {
            attributes = .list([try parseFetchAttribute(&buffer)])
        }
        let modifiers = try parseOptionalParenthesized(&buffer) { try parseFetchModifier(&$0) }
        return FetchCommand(set, attributes, modifiers: modifiers)
    }

    // fetch-modifier = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED" / tagged-ext
    static func parseFetchModifier(_ buffer: inout ParseBuffer) throws -> FetchModifier {
        let saved = buffer
        switch try parseKeyword(&buffer) {
        case "CHANGEDSINCE": return .changedSince(try spaced(&buffer, parseNZNumber64))
        case "VANISHED": return .vanished
        default:
            buffer = saved
            return .other(try parseTaggedExtension(&buffer))
        }
    }

    // fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    //             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary /
    //             "MODSEQ" / "EMAILID" / "THREADID"
    public static func parseFetchAttribute(_ buffer: inout ParseBuffer) throws -> FetchAttribute {
        let start = buffer.index
        switch try parseKeyword(&buffer) {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "RFC822.PEEK": return .rfc822Peek
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "EMAILID": return .emailID
        case "THREADID": return .threadID
        case "BODY" where !buffer.next(is: "["): return .body
        case "BODY":
            return .bodySection(try parseSection(&buffer), partial: try parseOptionalPartial(&buffer), peek: false)
        case "BODY.PEEK":
            return .bodySection(try parseSection(&buffer), partial: try parseOptionalPartial(&buffer), peek: true)
        case "BINARY":
            return .binary(
                part: try parseSectionBinary(&buffer), partial: try parseOptionalPartial(&buffer), peek: false)
        case "BINARY.PEEK":
            return .binary(
                part: try parseSectionBinary(&buffer), partial: try parseOptionalPartial(&buffer), peek: true)
        case "BINARY.SIZE":
            return .binarySize(part: try parseSectionBinary(&buffer))
        case let word:
            throw ParserError("unknown fetch item \(word)", at: start)
        }
    }

    // section = "[" [section-spec] "]"
    // section-spec = section-msgtext / (section-part ["." section-text])
    // section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    // section-text = section-msgtext / "MIME"
    public static func parseSection(_ buffer: inout ParseBuffer) throws -> SectionSpecifier {
        try PL.fixed(&buffer, "[")
        var section = SectionSpecifier()
        if try buffer.peek().isDigit {
            section.part = try parseSectionPart(&buffer)
            if buffer.next(is: "]") {
                buffer.index += 1
                return section
            }
            try PL.fixed(&buffer, ".")
        } else if buffer.next(is: "]") {
            buffer.index += 1
            return section
        }
        let start = buffer.index
        switch try parseKeyword(&buffer) {
        case "HEADER": section.text = .header
        case "HEADER.FIELDS": section.text = .headerFields(try spaced(&buffer, parseHeaderList))
        case "HEADER.FIELDS.NOT": section.text = .headerFieldsNot(try spaced(&buffer, parseHeaderList))
        case "TEXT": section.text = .text
        case "MIME" where !section.part.isEmpty: section.text = .mime
        case let word: throw ParserError("unknown section \(word)", at: start)
        }
        try PL.fixed(&buffer, "]")
        return section
    }

    // section-part = nz-number *("." nz-number) ; as deep as the nesting bound
    static func parseSectionPart(_ buffer: inout ParseBuffer) throws -> [UInt32] {
        var part = [try parseNZNumber(&buffer)]
        while let b = try buffer.byte(after: "."), b.isDigit {
            buffer.index += 1
            guard part.count < buffer.limits.maxNestingDepth else {
                throw LimitExceeded(.nestingDepth, bound: buffer.limits.maxNestingDepth)
            }
            part.append(try parseNZNumber(&buffer))
        }
        return part
    }

    // section-binary = "[" [section-part] "]"
    static func parseSectionBinary(_ buffer: inout ParseBuffer) throws -> [UInt32] {
        try PL.fixed(&buffer, "[")
        let part = buffer.next(is: "]") ? [] : try parseSectionPart(&buffer)
        try PL.fixed(&buffer, "]")
        return part
    }

    // header-list = "(" header-fld-name *(SP header-fld-name) ")" ; header-fld-name = astring
    static func parseHeaderList(_ buffer: inout ParseBuffer) throws -> [String] {
        try PL.parenthesized(&buffer, allowEmpty: false) { String(decoding: try parseAString(&$0), as: UTF8.self) }
    }

    // partial = "<" number64 "." nz-number64 ">"
    static func parseOptionalPartial(_ buffer: inout ParseBuffer) throws -> Partial? {
        guard buffer.next(is: "<") else { return nil }
        buffer.index += 1
        let offset = try parseNumber64(&buffer)
        try PL.fixed(&buffer, ".")
        let length = try parseNZNumber64(&buffer)
        try PL.fixed(&buffer, ">")
        return Partial(offset: offset, length: length)
    }

    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    // store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
    // store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer / tagged-ext
    static func parseStoreArguments(_ buffer: inout ParseBuffer) throws -> StoreCommand {
        let set = try parseSequenceSet(&buffer)
        let modifiers = try parseOptionalParenthesized(&buffer) { buffer -> StoreModifier in
            let saved = buffer
            if try parseKeyword(&buffer) == "UNCHANGEDSINCE" {
                return .unchangedSince(try spaced(&buffer, parseNumber64))
            }
            buffer = saved
            return .other(try parseTaggedExtension(&buffer))
        }
        return StoreCommand(set, modifiers: modifiers, try spaced(&buffer, parseStoreAttFlags))
    }

    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    static func parseStoreAttFlags(_ buffer: inout ParseBuffer) throws -> StoreData {
        var operation = StoreOperation.replace
        if buffer.next(is: "+") {
            operation = .add
        } else if buffer.next(is: "-") {
            operation = .remove
        }
        if operation != .replace { buffer.index += 1 }
        let start = buffer.index
        let silent: Bool
        switch try parseKeyword(&buffer) {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        case let word: throw ParserError("expected FLAGS or FLAGS.SILENT, got \(word)", at: start)
        }
        try PL.space(&buffer)
        let flags =
            buffer.next(is: "(")
            ? try parseFlagList(&buffer)
            : try PL.oneOrMore(&buffer, separator: PL.space) { try parseFlag(&$0) }
        return StoreData(operation, silent: silent, flags)
    }
}
