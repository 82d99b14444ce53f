/// A message parsed from its raw bytes: header fields, the MIME tree, and everything a
/// server derives from them (ENVELOPE, BODYSTRUCTURE, BODY[section], BINARY, search text,
/// sort and thread keys).
///
///     C: A1 FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])
///
/// Lines may end in CRLF or a bare LF. Parsing never fails: malformed structure degrades the
/// way Cyrus and Dovecot degrade it, within `MIMELimits`.
/// - SeeAlso: [RFC 5322](https://www.rfc-editor.org/rfc/rfc5322),
///   [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045), [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2)
public struct MIMEMessage: Sendable {
    /// The message as given.
    public let bytes: [UInt8]
    public let limits: MIMELimits
    let root: MIMEPart

    public init(_ bytes: [UInt8], limits: MIMELimits = .default) {
        self.bytes = bytes
        self.limits = limits
        var parser = MIMEParser(bytes: bytes, limits: limits)
        self.root = parser.parsePart(from: 0, to: bytes.count, depth: 0, inDigest: false)
    }

    /// The top-level header's fields in order, each with its unfolded value (CR and LF
    /// removed, surrounding whitespace trimmed, encoded words left as they are).
    public var headerFields: [(name: String, value: [UInt8])] {
        root.header.fields.map { ($0.name, $0.value) }
    }

    /// The unfolded value of the first field called `name` (case-insensitive), or nil.
    public func header(_ name: String) -> [UInt8]? { root.header.value(name) }

    /// Every value of the fields called `name`, in order.
    public func headers(_ name: String) -> [[UInt8]] {
        root.header.fields.filter { $0.named(name) }.map(\.value)
    }

    /// The number of parts the parser built, the top-level message included.
    public var partCount: Int {
        func count(_ p: MIMEPart) -> Int {
            switch p.content {
            case .leaf: return 1
            case .multipart(let children): return 1 + children.reduce(0) { $0 + count($1) }
            case .message(let inner): return 1 + count(inner)
            }
        }
        return count(root)
    }
}
