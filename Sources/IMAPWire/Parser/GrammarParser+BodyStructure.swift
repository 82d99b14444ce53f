/// BODY and BODYSTRUCTURE: single parts, multiparts, body fields and extension data.
extension GrammarParser {
    /// Nesting of parts is bounded by ``Limits/maxNestingDepth``.
    // body = "(" (body-type-1part / body-type-mpart) ")"
    public static func parseBody(_ buffer: inout ParseBuffer) throws -> BodyStructure {
        try PL.fixed(&buffer, "(")
        let body = try PL.nested(&buffer) { buffer -> BodyStructure in
            if try buffer.peek() == UInt8(ascii: "(") { return .multipart(try parseBodyTypeMpart(&buffer)) }
            return .singlepart(try parseBodyType1part(&buffer))
        }
        try PL.fixed(&buffer, ")")
        return body
    }

    /// Parts may be separated by a space (some servers send one).
    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    public static func parseBodyTypeMpart(_ buffer: inout ParseBuffer) throws -> BodyStructure.Multipart {
        var parts = [try parseBody(&buffer)]
        while true {
            if try spaceThenParenthesis(buffer) { buffer.index += 1 }
            guard try buffer.peek() == UInt8(ascii: "(") else { break }
            guard parts.count < buffer.limits.maxListItems else {
                throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
            }
            parts.append(try parseBody(&buffer))
        }
        try PL.space(&buffer)
        let subtype = try parseBodyString(&buffer)
        var ext: BodyStructure.MultipartExtension?
        if buffer.peek(at: 0) == UInt8(ascii: " ") {
            buffer.index += 1
            // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
            let parameters = try parseBodyFldParam(&buffer)
            ext = .init(parameters: parameters, more: try parseBodyExtDisposition(&buffer))
        }
        return .init(parts: parts, subtype: subtype, extensionData: ext)
    }

    /// A TEXT part without lines, or a MESSAGE/RFC822 part without its envelope, body and
    /// lines, is read as a basic part.
    // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
    // body-type-basic = media-basic SP body-fields
    // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
    // body-type-text = media-text SP body-fields SP body-fld-lines
    public static func parseBodyType1part(_ buffer: inout ParseBuffer) throws -> BodyStructure.SinglePart {
        let type = try parseBodyString(&buffer)
        try PL.space(&buffer)
        let subtype = try parseBodyString(&buffer)
        try PL.space(&buffer)
        let fields = try parseBodyFields(&buffer)
        var kind = BodyStructure.Kind.basic(type: type, subtype: subtype)
        switch (type.uppercased(), subtype.uppercased()) {
        case ("TEXT", _):
            let lines = try PL.optional(&buffer) { buffer in
                try PL.space(&buffer)
                return try parseNumber64(&buffer)
            }
            if let lines { kind = .text(subtype: subtype, lineCount: lines) }
        case ("MESSAGE", "RFC822"), ("MESSAGE", "GLOBAL"):
            let message = try PL.optional(&buffer) { buffer in
                try PL.space(&buffer)
                let envelope = try parseEnvelope(&buffer)
                try PL.space(&buffer)
                let body = try parseBody(&buffer)
                try PL.space(&buffer)
                return (envelope, body, try parseNumber64(&buffer))
            }
            if let (envelope, body, lines) = message {
                kind = .message(subtype: subtype, envelope: envelope, body: body, lineCount: lines)
            }
        default: break
        }
        var ext: BodyStructure.SinglePartExtension?
        if buffer.peek(at: 0) == UInt8(ascii: " ") {
            buffer.index += 1
            // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
            let md5 = try parseBodyNString(&buffer)
            ext = .init(md5: md5, more: try parseBodyExtDisposition(&buffer))
        }
        return .init(kind: kind, fields: fields, extensionData: ext)
    }

    // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    public static func parseBodyFields(_ buffer: inout ParseBuffer) throws -> BodyStructure.Fields {
        let parameters = try parseBodyFldParam(&buffer)
        try PL.space(&buffer)
        let id = try parseBodyNString(&buffer)
        try PL.space(&buffer)
        let description = try parseBodyNString(&buffer)
        try PL.space(&buffer)
        let encoding = try parseBodyString(&buffer)
        try PL.space(&buffer)
        let octets = try parseNumber(&buffer)
        return .init(parameters: parameters, id: id, description: description, encoding: encoding, octetCount: octets)
    }

    /// `NIL` (and a lenient `()`) is no parameters.
    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    public static func parseBodyFldParam(_ buffer: inout ParseBuffer) throws -> [BodyStructure.Parameter] {
        if try buffer.peek() != UInt8(ascii: "(") {
            try parseNil(&buffer)
            return []
        }
        return try PL.parenthesized(&buffer) { buffer in
            let name = try parseBodyString(&buffer)
            try PL.space(&buffer)
            return BodyStructure.Parameter(name, try parseBodyString(&buffer))
        }
    }

    /// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
    static func parseBodyExtDisposition(_ buffer: inout ParseBuffer) throws -> BodyStructure.DispositionExtension? {
        guard buffer.peek(at: 0) == UInt8(ascii: " ") else { return nil }
        buffer.index += 1
        let disposition = try parseBodyFldDsp(&buffer)
        guard buffer.peek(at: 0) == UInt8(ascii: " ") else { return .init(disposition: disposition) }
        buffer.index += 1
        let languages = try parseBodyFldLang(&buffer)
        guard buffer.peek(at: 0) == UInt8(ascii: " ") else {
            return .init(disposition: disposition, more: .init(languages: languages))
        }
        buffer.index += 1
        // body-fld-loc = nstring
        let location = try parseBodyNString(&buffer)
        let extensions = try parseSpacedItems(&buffer) { try parseBodyExtension(&$0) }
        return .init(
            disposition: disposition,
            more: .init(languages: languages, more: .init(location: location, extensions: extensions)))
    }

    // body-fld-dsp = "(" string SP body-fld-param ")" / nil
    public static func parseBodyFldDsp(_ buffer: inout ParseBuffer) throws -> BodyStructure.Disposition? {
        if try buffer.peek() != UInt8(ascii: "(") {
            try parseNil(&buffer)
            return nil
        }
        try PL.fixed(&buffer, "(")
        let disposition = try PL.nested(&buffer) { buffer in
            let kind = try parseBodyString(&buffer)
            try PL.space(&buffer)
            return BodyStructure.Disposition(kind: kind, parameters: try parseBodyFldParam(&buffer))
        }
        try PL.fixed(&buffer, ")")
        return disposition
    }

    // body-fld-lang = nstring / "(" string *(SP string) ")"
    public static func parseBodyFldLang(_ buffer: inout ParseBuffer) throws -> [String] {
        if try buffer.peek() == UInt8(ascii: "(") {
            return try PL.parenthesized(&buffer, allowEmpty: false) { try parseBodyString(&$0) }
        }
        return try parseBodyNString(&buffer).map { [$0] } ?? []
    }

    // body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
    public static func parseBodyExtension(_ buffer: inout ParseBuffer) throws -> BodyExtension {
        switch try buffer.peek() {
        case UInt8(ascii: "("):
            return .list(try PL.parenthesized(&buffer, allowEmpty: false) { try parseBodyExtension(&$0) })
        case let c where c.isDigit: return .number(try parseNumber64(&buffer))
        default: return .string(try parseBodyNString(&buffer))
        }
    }

    static func parseBodyString(_ buffer: inout ParseBuffer) throws -> String {
        String(decoding: try parseString(&buffer), as: UTF8.self)
    }

    static func parseBodyNString(_ buffer: inout ParseBuffer) throws -> String? {
        try parseNString(&buffer).map { String(decoding: $0, as: UTF8.self) }
    }
}
