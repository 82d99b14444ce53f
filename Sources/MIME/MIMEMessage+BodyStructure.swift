public import IMAPWire

extension MIMEMessage {
    /// The message's BODY (`extended: false`) or BODYSTRUCTURE (`extended: true`).
    ///
    ///     C: A1 FETCH 1 BODYSTRUCTURE
    ///     S: * 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92
    ///         NIL NIL NIL NIL))
    ///
    /// Types, subtypes, parameter names, dispositions and encodings are upper-cased as Cyrus
    /// writes them; parameter values are kept. Text parts without a charset get
    /// `("CHARSET" "US-ASCII")` (RFC 2045 §5.2). Octet counts are of the encoded body; line
    /// counts are the number of lines of the body, a last line without a line end included.
    /// Extension data: MD5 (the Content-MD5 value, NIL when absent), disposition, language and
    /// location, always all four (multiparts: parameters, disposition, language, location).
    /// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
    public func bodyStructure(extended: Bool) -> BodyStructure {
        structure(of: root, extended: extended)
    }

    func structure(of part: MIMEPart, extended: Bool) -> BodyStructure {
        let header = part.header
        func params(_ list: [(name: String, value: String)]) -> [BodyStructure.Parameter] {
            list.map { BodyStructure.Parameter($0.name.uppercased(), $0.value) }
        }
        func text(_ name: String) -> String? {
            header.value(name).map { String(decoding: $0, as: UTF8.self) }
        }
        let disposition = header.value("Content-Disposition").flatMap { raw -> BodyStructure.Disposition? in
            let parsed = HeaderParameters.parse(raw)
            guard !parsed.value.isEmpty else { return nil }
            return BodyStructure.Disposition(kind: parsed.value.uppercased(), parameters: params(parsed.parameters))
        }
        let languages: [String] = (text("Content-Language") ?? "").split(separator: ",").compactMap {
            let t = $0.trimmingWhitespace()
            return t.isEmpty ? nil : t
        }
        let location = header.value("Content-Location").map { raw in
            // Folding whitespace inside a URL is not part of it (RFC 2557 §4.4.2).
            String(decoding: raw.filter { !isWhitespace($0) }, as: UTF8.self)
        }
        let more = BodyStructure.DispositionExtension(
            disposition: disposition,
            more: BodyStructure.LanguageExtension(
                languages: languages, more: BodyStructure.LocationExtension(location: location)))

        if case .multipart(let children) = part.content {
            return .multipart(
                BodyStructure.Multipart(
                    parts: children.map { structure(of: $0, extended: extended) }, subtype: part.subtype.uppercased(),
                    extensionData: extended
                        ? BodyStructure.MultipartExtension(parameters: params(part.parameters), more: more) : nil))
        }

        var parameters = params(part.parameters)
        if part.isText, !parameters.contains(where: { $0.name == "CHARSET" }) {
            parameters.insert(BodyStructure.Parameter("CHARSET", "US-ASCII"), at: 0)
        }
        let fields = BodyStructure.Fields(
            parameters: parameters, id: text("Content-ID"), description: text("Content-Description"),
            encoding: part.encoding?.uppercased() ?? "7BIT", octetCount: UInt32(clamping: part.body.count))
        let kind: BodyStructure.Kind
        switch part.content {
        case .message(let inner):
            kind = .message(
                subtype: part.subtype.uppercased(), envelope: Self.envelope(of: inner.header, limits: limits),
                body: structure(of: inner, extended: extended), lineCount: lineCount(part.body))
        case .leaf where part.isText:
            kind = .text(subtype: part.subtype.uppercased(), lineCount: lineCount(part.body))
        default:
            kind = .basic(type: part.type.uppercased(), subtype: part.subtype.uppercased())
        }
        let ext = extended ? BodyStructure.SinglePartExtension(md5: text("Content-MD5"), more: more) : nil
        return .singlepart(BodyStructure.SinglePart(kind: kind, fields: fields, extensionData: ext))
    }

    /// Lines in `range`: line ends, plus one for a last line that has none.
    func lineCount(_ range: Range<Int>) -> UInt64 {
        var n: UInt64 = 0
        for i in range where bytes[i] == 0x0A { n += 1 }
        if let last = range.last, bytes[last] != 0x0A { n += 1 }
        return n
    }
}
