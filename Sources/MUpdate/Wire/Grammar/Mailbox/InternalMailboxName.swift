/// A mailbox name in Cyrus's internal form, the key of the mailbox list. MUPDATE carries only
/// these, never the name a client typed.
///
/// The hierarchy separator is `.`; a `.` inside a component is stored as `^`; personal mailboxes
/// live under `user.<id>`; a virtual domain goes in front, ended by `!`:
///
///     user.alice                 alice's INBOX
///     user.alice.Sent            a folder of alice
///     user.john^doe              the INBOX of "john.doe"
///     example.com!user.bob       the INBOX of bob@example.com
///     shared.memo                a shared mailbox
///
/// The bytes are kept exactly as they travel; the views below decode them.
///
/// - SeeAlso: [RFC 3656 §2](https://www.rfc-editor.org/rfc/rfc3656#section-2)
public struct InternalMailboxName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name's bytes as they travel on the wire.
    public let bytes: [UInt8]

    public static let separator = UInt8(ascii: ".")
    public static let escapedDot = UInt8(ascii: "^")
    public static let domainSeparator = UInt8(ascii: "!")
    public static let userPrefix = "user"

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(_ string: String) { self.init(Array(string.utf8)) }

    public init(stringLiteral value: String) { self.init(value) }

    /// Builds a name from decoded components: each `.` inside a component becomes `^`.
    ///
    ///     InternalMailboxName(domain: "example.com", components: ["user", "john.doe"])
    ///     // example.com!user.john^doe
    public init(domain: String? = nil, components: [String]) {
        var out: [UInt8] = []
        if let domain {
            out += domain.utf8
            out.append(Self.domainSeparator)
        }
        for (i, component) in components.enumerated() {
            if i > 0 { out.append(Self.separator) }
            out += component.utf8.map { $0 == Self.separator ? Self.escapedDot : $0 }
        }
        self.init(out)
    }

    /// The INBOX of `userID` (a `.` in the id is written `^`), in `domain` if given.
    public static func inbox(of userID: String, domain: String? = nil) -> InternalMailboxName {
        InternalMailboxName(domain: domain, components: [userPrefix, userID])
    }

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The virtual domain: the bytes before the first `!`, if there is one.
    public var domain: String? {
        guard let bang = bytes.firstIndex(of: Self.domainSeparator) else { return nil }
        return String(decoding: bytes[..<bang], as: UTF8.self)
    }

    /// The name without its domain.
    public var localBytes: ArraySlice<UInt8> {
        guard let bang = bytes.firstIndex(of: Self.domainSeparator) else { return bytes[...] }
        return bytes[(bang + 1)...]
    }

    /// The hierarchy components of the local part, each with `^` decoded back to `.`.
    public var components: [String] {
        localBytes.split(separator: Self.separator, omittingEmptySubsequences: false).map { component in
            String(decoding: component.map { $0 == Self.escapedDot ? Self.separator : $0 }, as: UTF8.self)
        }
    }

    /// The user owning this mailbox when it lives under `user.<id>` (decoded: `john^doe` → `john.doe`).
    public var userID: String? {
        let parts = components
        guard parts.count >= 2, parts[0] == Self.userPrefix, !parts[1].isEmpty else { return nil }
        return parts[1]
    }

    /// Whether this is a user's INBOX (`user.<id>` with nothing below).
    public var isUserInbox: Bool { components.count == 2 && userID != nil }

    /// The parent mailbox name, or nil at the top of the hierarchy.
    public var parent: InternalMailboxName? {
        let local = localBytes
        guard let dot = local.lastIndex(of: Self.separator) else { return nil }
        return InternalMailboxName(Array(bytes[..<dot]))
    }

    /// Whether the name is well formed: non-empty, at most one `!` with a non-empty domain
    /// before it, no empty component, no control characters.
    public var isWellFormed: Bool {
        guard !bytes.isEmpty, !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return false }
        let bangs = bytes.lazy.filter { $0 == Self.domainSeparator }.count
        guard bangs <= 1 else { return false }
        if bangs == 1, bytes.first == Self.domainSeparator { return false }
        let local = localBytes
        guard !local.isEmpty else { return false }
        return !local.split(separator: Self.separator, omittingEmptySubsequences: false).contains { $0.isEmpty }
    }
}
