/// What `BINARY[part]` yields: the decoded content, or why there is none.
///
///     C: A1 FETCH 1 BINARY[2]
///     S: * 1 FETCH (BINARY[2] ~{5}
///     S: hello)
///
/// - SeeAlso: [RFC 3516 §4.2](https://www.rfc-editor.org/rfc/rfc3516#section-4.2)
public enum BinaryResult: Sendable, Hashable {
    /// The part's content with its Content-Transfer-Encoding removed.
    case content([UInt8])
    /// The part does not exist.
    case notFound
    /// The encoding is not one the server can decode: answer `NO [UNKNOWN-CTE]`.
    case unknownEncoding(String)
}

extension MIMEMessage {
    /// The decoded content of a part for `BINARY[part]` (and its size for `BINARY.SIZE`).
    /// `[]` is the whole message as it is. 7bit, 8bit and binary pass through; base64 and
    /// quoted-printable are decoded; any other encoding gives `.unknownEncoding`.
    /// - SeeAlso: [RFC 3516 §4.2](https://www.rfc-editor.org/rfc/rfc3516#section-4.2)
    public func binarySection(_ part: [UInt32]) -> BinaryResult {
        guard !part.isEmpty else { return .content(bytes) }
        guard let p = resolve(part) else { return .notFound }
        guard let decoded = decodedBody(p) else { return .unknownEncoding(p.encoding ?? "") }
        return .content(decoded)
    }

    /// The body with its transfer encoding removed; nil for an unknown encoding.
    func decodedBody(_ p: MIMEPart) -> [UInt8]? {
        let raw = bytes[p.body]
        switch p.encoding {
        case nil, "7bit", "8bit", "binary", "": return Array(raw)
        case "base64": return Base64.decode(raw)
        case "quoted-printable": return QuotedPrintable.decode(raw)
        default: return nil
        }
    }
}
