/// A message flag: a system flag (`\Seen`), a keyword (`$Forwarded`), or `\*` in PERMANENTFLAGS.
///
///     S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)
///
/// Flags compare case-insensitively (RFC 3501 §2.3.2); the spelling received is kept.
/// - SeeAlso: [RFC 3501 §2.3.2](https://www.rfc-editor.org/rfc/rfc3501#section-2.3.2)
public struct Flag: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public static let answered = Flag("\\Answered")
    public static let flagged = Flag("\\Flagged")
    public static let deleted = Flag("\\Deleted")
    public static let seen = Flag("\\Seen")
    public static let draft = Flag("\\Draft")
    public static let recent = Flag("\\Recent")
    /// `\*`: clients may create new keywords (PERMANENTFLAGS only).
    public static let wildcard = Flag("\\*")

    public var isSystem: Bool { name.hasPrefix("\\") }
    public var description: String { name }

    public static func == (lhs: Flag, rhs: Flag) -> Bool { lhs.name.lowercased() == rhs.name.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(name.lowercased()) }
}

// MARK: - Encoding

extension EncodeBuffer {
    @discardableResult
    public mutating func writeFlag(_ flag: Flag) -> Int { writeRaw(flag.name) }

    @discardableResult
    public mutating func writeFlags(_ flags: [Flag]) -> Int {
        writeList(flags) { $0.writeFlag($1) }
    }
}
