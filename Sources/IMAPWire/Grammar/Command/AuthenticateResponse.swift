/// The initial response of AUTHENTICATE (RFC 4959 SASL-IR): base64 text, or `=` for an empty
/// response. The text is kept as received; decoding is the SASL layer's job.
///
///     C: A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=
///
/// - SeeAlso: [RFC 4959 §7](https://www.rfc-editor.org/rfc/rfc4959#section-7)
public enum SASLInitialResponse: Sendable, Hashable {
    /// `=`: a present but empty response.
    case empty
    case base64(String)
}

/// A client's line in answer to an AUTHENTICATE challenge: base64 text, or `*` to cancel.
///
///     S: + YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=
///     C: YGgGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImPwkhbfa2QteAQAgAG1yYwE=
///
/// - SeeAlso: [RFC 9051 §6.2.2](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.2)
public enum AuthenticateResponse: Sendable, Hashable {
    /// The response, base64-encoded (empty for an empty line).
    case base64(String)
    case cancel
}

// MARK: - Encoding

extension EncodeBuffer {
    // authenticate-response = (base64 / "*") CRLF
    @discardableResult
    public mutating func writeAuthenticateResponse(_ r: AuthenticateResponse) -> Int {
        switch r {
        case .base64(let text): return writeRaw(text) + writeNewline()
        case .cancel: return writeRaw("*") + writeNewline()
        }
    }
}
