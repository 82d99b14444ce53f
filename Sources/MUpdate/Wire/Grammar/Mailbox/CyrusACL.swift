import IMAPWire

/// A mailbox ACL in Cyrus's text form: `identifier TAB rights TAB`, repeated, the trailing TAB
/// included (SPEC.md §2). An identifier starting with `-` holds negative rights (RFC 4314 §2).
///
///     alice\tlrswipkxtecdan\tanyone\tlr\t-bob\tw\t
///
/// Rights are the letters of RFC 4314 §2.1 (`l r s w i p k x t e a`), the obsolete `c` and `d`
/// that Cyrus still writes (RFC 4314 §2.1.1), `n` (RFC 5464 §6) and the site-defined digits.
///
/// - SeeAlso: [RFC 4314 §2](https://www.rfc-editor.org/rfc/rfc4314#section-2)
public struct CyrusACL: Sendable, Hashable, CustomStringConvertible {
    /// One identifier and its rights.
    public struct Entry: Sendable, Hashable {
        public let identifier: String
        public let rights: String

        /// nil when the identifier or the rights are not valid (see ``CyrusACL``).
        public init?(identifier: String, rights: String) {
            guard CyrusACL.isValidIdentifier(identifier), CyrusACL.isValidRights(rights) else { return nil }
            self.identifier = identifier
            self.rights = rights
        }

        /// Whether these are negative rights (`-identifier`).
        public var isNegative: Bool { identifier.utf8.first == UInt8(ascii: "-") }
    }

    /// The entries in the order of the text form.
    public private(set) var entries: [Entry]

    /// Every rights letter Cyrus 3.6 accepts.
    public static let rightsLetters: Set<UInt8> = Set("lrswipkxtecdan0123456789".utf8)
    public static let tab = UInt8(ascii: "\t")

    public static let empty = CyrusACL()

    public init() { entries = [] }

    /// nil if an identifier appears twice.
    public init?(_ entries: [Entry]) {
        guard Set(entries.map(\.identifier)).count == entries.count else { return nil }
        self.entries = entries
    }

    /// Parses the TAB form. Throws a ``ParserError`` whose offset is in `bytes`.
    public init(parsing bytes: [UInt8]) throws {
        var entries: [Entry] = []
        var seen: Set<String> = []
        var i = 0
        while i < bytes.count {
            guard let idEnd = bytes[i...].firstIndex(of: Self.tab) else {
                throw ParserError("ACL entry without a TAB after the identifier", at: i)
            }
            guard let rightsEnd = bytes[(idEnd + 1)...].firstIndex(of: Self.tab) else {
                throw ParserError("ACL entry without a TAB after the rights", at: idEnd + 1)
            }
            guard let identifier = String(validating: bytes[i..<idEnd], as: UTF8.self),
                Self.isValidIdentifier(identifier)
            else { throw ParserError("bad ACL identifier", at: i) }
            let rights = String(decoding: bytes[(idEnd + 1)..<rightsEnd], as: UTF8.self)
            guard let entry = Entry(identifier: identifier, rights: rights) else {
                throw ParserError("bad ACL rights", at: idEnd + 1)
            }
            guard seen.insert(identifier).inserted else {
                throw ParserError("identifier twice in an ACL", at: i)
            }
            entries.append(entry)
            i = rightsEnd + 1
        }
        self.entries = entries
    }

    public init(parsing text: String) throws { try self.init(parsing: Array(text.utf8)) }

    /// The TAB form.
    public var description: String {
        var out = ""
        for entry in entries { out += "\(entry.identifier)\t\(entry.rights)\t" }
        return out
    }

    public var bytes: [UInt8] { Array(description.utf8) }

    public var isEmpty: Bool { entries.isEmpty }

    /// Identifier → rights.
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.identifier, $0.rights) })
    }

    /// The rights of `identifier`; setting replaces them in place (or appends the identifier),
    /// nil removes the entry. Setting invalid rights is a programming error.
    public subscript(identifier: String) -> String? {
        get { entries.first { $0.identifier == identifier }?.rights }
        set {
            let index = entries.firstIndex { $0.identifier == identifier }
            guard let newValue else {
                if let index { entries.remove(at: index) }
                return
            }
            guard let entry = Entry(identifier: identifier, rights: newValue) else {
                preconditionFailure("invalid ACL entry \(identifier.debugDescription) \(newValue.debugDescription)")
            }
            if let index { entries[index] = entry } else { entries.append(entry) }
        }
    }

    /// RFC 4314 §3 identifiers as Cyrus stores them: non-empty, not a lone `-`, valid UTF-8 without
    /// TAB or any other control character.
    public static func isValidIdentifier(_ identifier: String) -> Bool {
        let bytes = Array(identifier.utf8)
        guard !bytes.isEmpty, bytes != [UInt8(ascii: "-")] else { return false }
        return !bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// A non-empty run of ``rightsLetters``.
    public static func isValidRights(_ rights: String) -> Bool {
        !rights.isEmpty && rights.utf8.allSatisfy { rightsLetters.contains($0) }
    }
}
