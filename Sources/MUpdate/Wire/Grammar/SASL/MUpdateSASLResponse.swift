public import IMAPWire

/// A client's answer to a SASL challenge during `AUTHENTICATE` (SPEC.md §3.3).
///
///     C: A01 AUTHENTICATE "PLAIN"
///     S: (empty line: an empty challenge)
///     C: AGJvYgBzZWNyZXQ=
///     S: A01 OK "Authenticated"
///
/// Cyrus's clients send each response as a bare base64 line and cancel with `*`; the server
/// also accepts a quoted string and a literal (`{n+}` CRLF base64), the RFC 3656 forms.
///
/// - SeeAlso: [RFC 3656 §4.2](https://www.rfc-editor.org/rfc/rfc3656#section-4.2)
public enum MUpdateSASLResponse: Sendable, Hashable {
    /// The base64 text of the response (empty for an empty response).
    case data(String)
    /// `*`: the client gives up; the server answers `NO`.
    case cancel
}

// MARK: - Encoding

extension EncodeBuffer {
    /// Writes `response` as Cyrus's clients do: the base64 text alone on its line, or `*`.
    @discardableResult
    public mutating func writeMUpdateSASLResponse(_ response: MUpdateSASLResponse) -> Int {
        switch response {
        case .data(let base64): writeRaw(base64) + writeNewline()
        case .cancel: writeRaw("*") + writeNewline()
        }
    }
}
