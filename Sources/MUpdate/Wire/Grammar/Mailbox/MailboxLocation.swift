/// Where a mailbox lives: `servername!partition` (SPEC.md §1).
///
///     S: X1 MAILBOX {8+}
///     S: user.bob {23+}
///     S: 127.0.0.1:14143!default {19+}
///     S: bob\tlrswipkxtecdan\t
///
/// The partition may be absent (`servername` alone): Cyrus stores such a location when a backend
/// runs with `mupdate_config: replicated` and sends only what follows the `!`. It may also be
/// empty (`servername!`): Cyrus 3.6 backends register renamed and deleted mailboxes that way
/// until `ctl_mboxlist -m` rewrites them with their partition.
///
/// - SeeAlso: [RFC 3656 §3.6](https://www.rfc-editor.org/rfc/rfc3656#section-3.6)
public struct MailboxLocation: Sendable, Hashable, CustomStringConvertible {
    public let server: ServerName
    public let partition: String?

    public static let separator = UInt8(ascii: "!")

    /// A location; nil if the partition holds a space, a control character or `!`.
    public init?(server: ServerName, partition: String?) {
        if let partition, !Self.isValidPartition(Array(partition.utf8)) { return nil }
        self.server = server
        self.partition = partition
    }

    /// Parses `servername[!partition]`; nil when there are two `!` or a part is malformed.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        let parts = bytes.split(separator: Self.separator, maxSplits: 1, omittingEmptySubsequences: false)
        guard let server = ServerName(String(decoding: parts[0], as: UTF8.self)) else { return nil }
        if parts.count == 2 {
            guard Self.isValidPartition(Array(parts[1])) else { return nil }
            self.init(server: server, partition: String(decoding: parts[1], as: UTF8.self))
        } else {
            self.init(server: server, partition: nil)
        }
    }

    public init?(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self.init(text)
    }

    public var description: String {
        guard let partition else { return server.description }
        return "\(server)!\(partition)"
    }

    /// The prefix that selects every location of `server` in `LIST` (SPEC.md §4.1).
    public static func listPrefix(for server: ServerName) -> String { "\(server)!" }

    static func isValidPartition(_ partition: [UInt8]) -> Bool {
        partition.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != Self.separator }
    }
}
