/// The MIME structure of a message, as `BODY` and `BODYSTRUCTURE` return it.
///
///     C: a003 fetch 12 bodystructure
///     S: * 12 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152
///         23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff")
///         "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED"))
///
/// Extension data is kept exactly as deep as it was sent: each later field exists only if
/// the earlier one does, so a `NIL` that was sent stays distinct from a field that was not.
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public indirect enum BodyStructure: Sendable, Hashable {
    case singlepart(SinglePart)
    case multipart(Multipart)

    /// A leaf part: its type, common fields and optional extension data.
    public struct SinglePart: Sendable, Hashable {
        public var kind: Kind
        public var fields: Fields
        public var extensionData: SinglePartExtension?

        public init(kind: Kind, fields: Fields, extensionData: SinglePartExtension? = nil) {
            self.kind = kind
            self.fields = fields
            self.extensionData = extensionData
        }
    }

    /// The media type, with what TEXT and MESSAGE/RFC822 parts carry besides the fields.
    public enum Kind: Sendable, Hashable {
        /// Any type that is not TEXT or MESSAGE/RFC822 (GLOBAL): `"IMAGE" "GIF"`.
        case basic(type: String, subtype: String)
        /// `"TEXT" subtype … lines`.
        case text(subtype: String, lineCount: UInt64)
        /// `"MESSAGE" "RFC822"` (or `"GLOBAL"`) with the enclosed message's envelope, body and lines.
        case message(subtype: String, envelope: Envelope, body: BodyStructure, lineCount: UInt64)
    }

    // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    public struct Fields: Sendable, Hashable {
        /// Content-Type parameters; empty stands for `NIL`.
        public var parameters: [Parameter]
        public var id: String?
        public var description: String?
        public var encoding: String
        public var octetCount: UInt32

        public init(parameters: [Parameter], id: String?, description: String?, encoding: String, octetCount: UInt32) {
            self.parameters = parameters
            self.id = id
            self.description = description
            self.encoding = encoding
            self.octetCount = octetCount
        }
    }

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `body-ext-1part = body-fld-md5 [SP body-fld-dsp …]`.
    public struct SinglePartExtension: Sendable, Hashable {
        public var md5: String?
        public var more: DispositionExtension?

        public init(md5: String?, more: DispositionExtension? = nil) {
            self.md5 = md5
            self.more = more
        }
    }

    /// A multipart: its parts, subtype and optional extension data.
    public struct Multipart: Sendable, Hashable {
        public var parts: [BodyStructure]
        public var subtype: String
        public var extensionData: MultipartExtension?

        public init(parts: [BodyStructure], subtype: String, extensionData: MultipartExtension? = nil) {
            self.parts = parts
            self.subtype = subtype
            self.extensionData = extensionData
        }
    }

    /// `body-ext-mpart = body-fld-param [SP body-fld-dsp …]`.
    public struct MultipartExtension: Sendable, Hashable {
        public var parameters: [Parameter]
        public var more: DispositionExtension?

        public init(parameters: [Parameter], more: DispositionExtension? = nil) {
            self.parameters = parameters
            self.more = more
        }
    }

    /// `body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]`.
    public struct DispositionExtension: Sendable, Hashable {
        public var disposition: Disposition?
        public var more: LanguageExtension?

        public init(disposition: Disposition?, more: LanguageExtension? = nil) {
            self.disposition = disposition
            self.more = more
        }
    }

    /// `body-fld-lang [SP body-fld-loc *(SP body-extension)]`; no languages stands for `NIL`.
    public struct LanguageExtension: Sendable, Hashable {
        public var languages: [String]
        public var more: LocationExtension?

        public init(languages: [String], more: LocationExtension? = nil) {
            self.languages = languages
            self.more = more
        }
    }

    /// `body-fld-loc *(SP body-extension)`.
    public struct LocationExtension: Sendable, Hashable {
        public var location: String?
        public var extensions: [BodyExtension]

        public init(location: String?, extensions: [BodyExtension] = []) {
            self.location = location
            self.extensions = extensions
        }
    }

    /// `body-fld-dsp = "(" string SP body-fld-param ")"`: `("ATTACHMENT" ("FILENAME" "a.txt"))`.
    public struct Disposition: Sendable, Hashable {
        public var kind: String
        public var parameters: [Parameter]

        public init(kind: String, parameters: [Parameter]) {
            self.kind = kind
            self.parameters = parameters
        }
    }
}

/// Body extension data after the location, which no RFC defines yet: strings, numbers and
/// nested lists of them, kept so that a proxy can pass them on.
///
///     S: * 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL NIL NIL 5 ("x" NIL)))
///
/// - SeeAlso: [RFC 9051 §9 body-extension](https://www.rfc-editor.org/rfc/rfc9051#section-9)
public indirect enum BodyExtension: Sendable, Hashable {
    case string(String?)
    case number(UInt64)
    case list([BodyExtension])
}

extension BodyStructure {
    /// The same structure without extension data: what a `BODY` fetch returns.
    public var withoutExtensions: BodyStructure {
        switch self {
        case .singlepart(var part):
            part.extensionData = nil
            if case .message(let subtype, let envelope, let body, let lines) = part.kind {
                part.kind = .message(
                    subtype: subtype, envelope: envelope, body: body.withoutExtensions, lineCount: lines)
            }
            return .singlepart(part)
        case .multipart(var multi):
            multi.extensionData = nil
            multi.parts = multi.parts.map(\.withoutExtensions)
            return .multipart(multi)
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // body = "(" (body-type-1part / body-type-mpart) ")"
    @discardableResult
    public mutating func writeBodyStructure(_ body: BodyStructure) -> Int {
        var n = writeRaw("(")
        switch body {
        case .singlepart(let part):
            switch part.kind {
            case .basic(let type, let subtype): n += writeString(type) + writeSpace() + writeString(subtype)
            case .text(let subtype, _), .message(let subtype, _, _, _):
                n += writeRaw(part.kind.isText ? "\"TEXT\" " : "\"MESSAGE\" ") + writeString(subtype)
            }
            n += writeSpace() + writeBodyFields(part.fields)
            switch part.kind {
            case .basic: break
            case .text(_, let lines): n += writeSpace() + writeNumber(lines)
            case .message(_, let envelope, let inner, let lines):
                n +=
                    writeSpace() + writeEnvelope(envelope) + writeSpace() + writeBodyStructure(inner) + writeSpace()
                    + writeNumber(lines)
            }
            if let ext = part.extensionData {
                n += writeSpace() + writeNString(ext.md5.map { Array($0.utf8) }) + writeDispositionExtension(ext.more)
            }
        case .multipart(let multi):
            for p in multi.parts { n += writeBodyStructure(p) }
            n += writeSpace() + writeString(multi.subtype)
            if let ext = multi.extensionData {
                n += writeSpace() + writeBodyParameters(ext.parameters) + writeDispositionExtension(ext.more)
            }
        }
        return n + writeRaw(")")
    }

    // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
    @discardableResult
    public mutating func writeBodyFields(_ f: BodyStructure.Fields) -> Int {
        writeBodyParameters(f.parameters) + writeSpace() + writeNString(f.id.map { Array($0.utf8) }) + writeSpace()
            + writeNString(f.description.map { Array($0.utf8) }) + writeSpace() + writeString(f.encoding)
            + writeSpace() + writeNumber(f.octetCount)
    }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    @discardableResult
    public mutating func writeBodyParameters(_ parameters: [BodyStructure.Parameter]) -> Int {
        guard !parameters.isEmpty else { return writeNil() }
        return writeList(parameters) { $0.writeString($1.name) + $0.writeSpace() + $0.writeString($1.value) }
    }

    /// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`, each
    /// written only when present.
    @discardableResult
    mutating func writeDispositionExtension(_ ext: BodyStructure.DispositionExtension?) -> Int {
        guard let ext else { return 0 }
        var n = writeSpace()
        if let d = ext.disposition {
            n += writeRaw("(") + writeString(d.kind) + writeSpace() + writeBodyParameters(d.parameters) + writeRaw(")")
        } else {
            n += writeNil()
        }
        guard let lang = ext.more else { return n }
        n += writeSpace()
        switch lang.languages.count {
        case 0: n += writeNil()
        case 1: n += writeString(lang.languages[0])
        default: n += writeList(lang.languages) { $0.writeString($1) }
        }
        guard let loc = lang.more else { return n }
        n += writeSpace() + writeNString(loc.location.map { Array($0.utf8) })
        for e in loc.extensions { n += writeSpace() + writeBodyExtension(e) }
        return n
    }

    @discardableResult
    public mutating func writeBodyExtension(_ e: BodyExtension) -> Int {
        switch e {
        case .string(let s): return writeNString(s.map { Array($0.utf8) })
        case .number(let n): return writeNumber(n)
        case .list(let items): return writeList(items) { $0.writeBodyExtension($1) }
        }
    }
}

extension BodyStructure.Kind {
    var isText: Bool {
        if case .text = self { return true }
        return false
    }
}
