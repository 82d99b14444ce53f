/// RFC 4466's generic extension parameters.

extension GrammarParser {
    // tagged-ext = tagged-ext-label [SP tagged-ext-val]
    // (`valueRequired` for append-ext, whose value is not optional)
    static func parseTaggedExtension(_ buffer: inout ParseBuffer, valueRequired: Bool = false) throws -> TaggedExtension
    {
        let name = try parseTaggedExtensionLabel(&buffer)
        if valueRequired {
            return TaggedExtension(name, try spaced(&buffer, parseTaggedExtensionValue))
        }
        if let b = try buffer.byte(after: " "),
            b.isDigit || b == UInt8(ascii: "*") || b == UInt8(ascii: "$") || b == UInt8(ascii: "(")
        {
            return TaggedExtension(name, try spaced(&buffer, parseTaggedExtensionValue))
        }
        return TaggedExtension(name)
    }

    // tagged-ext-label = tagged-label-fchar *tagged-label-char
    // tagged-label-fchar = ALPHA / "-" / "_" / "." ; tagged-label-char = tagged-label-fchar / DIGIT / ":"
    static func parseTaggedExtensionLabel(_ buffer: inout ParseBuffer) throws -> String {
        let start = buffer.index
        let first = try buffer.peek()
        guard first.isTaggedLabelChar, !first.isDigit, first != UInt8(ascii: ":") else {
            throw ParserError("expected an extension name", at: start)
        }
        return String(
            decoding: try PL.bytes(&buffer, max: 256, what: "extension name") { $0.isTaggedLabelChar }, as: UTF8.self)
    }

    // tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    // tagged-ext-simple = sequence-set / number / number64
    static func parseTaggedExtensionValue(_ buffer: inout ParseBuffer) throws -> TaggedExtensionValue {
        if buffer.next(is: "(") {
            return .list(try PL.parenthesized(&buffer) { try parseTaggedExtensionComponent(&$0) })
        }
        if try buffer.peek().isDigit {
            let saved = buffer
            let n = try parseNumber64(&buffer)
            if !buffer.next(is: ":") && !buffer.next(is: ",") { return .number(n) }
            buffer = saved
        }
        return .sequenceSet(try parseSequenceSet(&buffer))
    }

    // tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
    static func parseTaggedExtensionComponent(_ buffer: inout ParseBuffer) throws -> TaggedExtensionComponent {
        if buffer.next(is: "(") {
            return .list(try PL.parenthesized(&buffer) { try parseTaggedExtensionComponent(&$0) })
        }
        return .string(try parseAString(&buffer))
    }

    /// `SP "(" item *(SP item) ")"` if the next bytes are SP and `(`; empty otherwise.
    static func parseOptionalParenthesized<T>(
        _ buffer: inout ParseBuffer, _ element: (inout ParseBuffer) throws -> T
    ) throws -> [T] {
        guard try buffer.byte(after: " ") == UInt8(ascii: "(") else { return [] }
        buffer.index += 1
        return try PL.parenthesized(&buffer, allowEmpty: false, element)
    }
}

extension UInt8 {
    var isTaggedLabelChar: Bool {
        isAlpha || isDigit || self == UInt8(ascii: "-") || self == UInt8(ascii: "_") || self == UInt8(ascii: ".")
            || self == UInt8(ascii: ":")
    }
}
