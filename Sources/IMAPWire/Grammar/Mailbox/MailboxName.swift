/// A mailbox name exactly as it travels on the wire (modified UTF-7, or UTF-8 after
/// `ENABLE UTF8=ACCEPT`). `INBOX` in any case is the same mailbox (RFC 3501 §5.1).
///
///     C: A142 SELECT INBOX
///     C: A143 CREATE "&ZeVnLIqe-/Sub"
///
/// - SeeAlso: [RFC 3501 §5.1.3](https://www.rfc-editor.org/rfc/rfc3501#section-5.1.3)
public struct MailboxName: Sendable, Hashable, CustomStringConvertible {
    /// The name's bytes; `INBOX` is normalised to upper case.
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        if bytes.count == 5, bytes.map(PL.asciiLower) == Array("inbox".utf8) {
            self.bytes = Array("INBOX".utf8)
        } else {
            self.bytes = bytes
        }
    }

    public init(_ string: String) { self.init(Array(string.utf8)) }

    public static let inbox = MailboxName("INBOX")

    public var isInbox: Bool { bytes == MailboxName.inbox.bytes }

    /// The wire form as a string (lossless for ASCII, which modified UTF-7 always is).
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The name for display: modified UTF-7 decoded; nil if the bytes are not valid
    /// modified UTF-7 (such a name is still a valid name for the server, byte for byte).
    public var displayName: String? { ModifiedUTF7.decode(bytes) }

    /// A name from display text, encoded in modified UTF-7.
    public init(displayName: String) { self.init(ModifiedUTF7.encode(displayName)) }

    /// The name's components split on `separator`.
    public func components(separator: UInt8) -> [ArraySlice<UInt8>] {
        bytes.split(separator: separator, omittingEmptySubsequences: false)
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // mailbox = "INBOX" / astring
    @discardableResult
    public mutating func writeMailbox(_ name: MailboxName) -> Int { writeAString(name.bytes) }
}
