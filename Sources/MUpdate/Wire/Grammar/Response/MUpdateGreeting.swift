/// The last banner line, which says the server is ready (RFC 3656 §3.8):
///
///     S: * OK MUPDATE "mupdate.example.com" "Murder" "0.1" "(master)"
///     S: * OK MUPDATE "fe1.example.com" "Cyrus IMAP" "3.6.1" "mupdate://mupdate.example.com"
///
/// - SeeAlso: [RFC 3656 §3.8](https://www.rfc-editor.org/rfc/rfc3656#section-3.8)
public struct MUpdateGreeting: Sendable, Hashable {
    public enum Role: Sendable, Hashable, CustomStringConvertible {
        /// `"(master)"`.
        case master
        /// `"mupdate://<master>"`: a list replica serving read-only MUPDATE.
        case replica(master: String)
        /// Anything else (Cyrus 2.1 wrote `"(slave)"`).
        case other(String)

        static let masterText = "(master)"
        static let replicaPrefix = "mupdate://"

        public init(_ text: String) {
            if text == Self.masterText {
                self = .master
            } else if text.hasPrefix(Self.replicaPrefix) {
                self = .replica(master: String(text.dropFirst(Self.replicaPrefix.count)))
            } else {
                self = .other(text)
            }
        }

        public var description: String {
            switch self {
            case .master: Self.masterText
            case .replica(let master): Self.replicaPrefix + master
            case .other(let text): text
            }
        }
    }

    public var serverName: String
    /// `"Murder"` for ours; `"Cyrus IMAP"` or `"Cyrus Murder"` for Cyrus.
    public var implementation: String
    public var version: String
    public var role: Role

    public init(
        serverName: String, implementation: String = MUpdateResponseText.implementation, version: String,
        role: Role
    ) {
        self.serverName = serverName
        self.implementation = implementation
        self.version = version
        self.role = role
    }
}
