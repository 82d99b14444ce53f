/// What a MUPDATE server's banner offered (SPEC.md §3.2). Lines a client does not know are
/// ignored; the last line, `* OK MUPDATE …`, is the greeting.
///
///     S: * AUTH "PLAIN" "DIGEST-MD5"         mechanisms
///     S: * STARTTLS                          startTLS
///     S: * COMPRESS "DEFLATE"                compression
///     S: * PARTIAL-UPDATE                    partialUpdate
///     S: * X-UPDATE-SINCE                    updateSince
///     S: * OK MUPDATE "127.0.0.1:13905" "Cyrus IMAP" "3.6.1" "(master)"
///
/// - SeeAlso: [RFC 3656 §3.8](https://www.rfc-editor.org/rfc/rfc3656#section-3.8)
public struct MUpdateCapabilities: Sendable, Hashable {
    /// SASL mechanisms, as the server spelled them.
    public var mechanisms: [String] = []
    public var startTLS = false
    /// Algorithms of `* COMPRESS` (Cyrus extension; this client does not use it).
    public var compression: [String] = []
    /// `* PARTIAL-UPDATE`: `UPDATE "server" …` restricts the stream.
    public var partialUpdate = false
    /// `* X-UPDATE-SINCE`: `UPDATE SINCE "epoch" "seq"` resumes a stream (SPEC.md §3.5).
    public var updateSince = false
    /// The `* OK MUPDATE` line.
    public var greeting: MUpdateGreeting?

    public init() {}

    /// Takes in one banner line; true when it was the greeting, which ends the banner.
    mutating func absorb(_ response: MUpdateResponse) -> Bool {
        switch response {
        case .authMechanisms(let names): mechanisms = names
        case .startTLSAvailable: startTLS = true
        case .compressAvailable(let names): compression = names
        case .partialUpdateAvailable: partialUpdate = true
        case .updateSinceAvailable: updateSince = true
        case .greeting(let line):
            greeting = line
            return true
        default: break
        }
        return false
    }
}
