/// How a node authenticates its clients: which sasldb, which realm, which mechanisms.
///
/// Users live in a Cyrus sasldb (Berkeley DB, the file `saslpasswd2 -f` writes), keyed by user
/// name and realm. `realm` is the realm users are stored under; when nil, libsasl2 uses the
/// server's FQDN, as Cyrus imapd does with `servername` and `saslpasswd2` does with the host name
/// (so `saslpasswd2 -f PATH -u REALM` and `SASLDatabase(path: PATH, realm: REALM)` agree).
///
///     S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 AUTH=PLAIN] ready
///
/// - SeeAlso: [RFC 4422](https://www.rfc-editor.org/rfc/rfc4422), [RFC 9051 §6.2.2](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.2)
public struct SASLConfig: Sendable, Hashable {
    /// The mechanisms allowed when a node says nothing.
    public static let defaultMechanisms = ["PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"]
    /// Mechanisms that send the password itself: refused without TLS unless `allowPlaintext`.
    public static let plaintextMechanisms: Set<String> = ["PLAIN", "LOGIN"]

    /// The sasldb file.
    public var sasldbPath: String
    /// The realm users are stored under; nil means the server's FQDN (Cyrus's default).
    public var realm: String?
    /// The mechanisms this node may offer, upper-case, in the order it offers them.
    public var mechanisms: [String]
    /// Whether PLAIN, LOGIN and IMAP LOGIN work on a connection without TLS.
    public var allowPlaintext: Bool

    public init(
        sasldbPath: String, realm: String? = nil, mechanisms: [String] = SASLConfig.defaultMechanisms,
        allowPlaintext: Bool = false
    ) {
        self.sasldbPath = sasldbPath
        self.realm = realm
        self.mechanisms = mechanisms.map { $0.uppercased() }.filter(Self.isMechanismName)
        self.allowPlaintext = allowPlaintext
    }

    /// RFC 4422 §3.1: 1 to 20 characters of upper-case letters, digits, `-` and `_`.
    static func isMechanismName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...20).contains(bytes.count) else { return false }
        return bytes.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F }
    }
}
