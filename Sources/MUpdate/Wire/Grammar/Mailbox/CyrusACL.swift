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

        /// An entry whose parts the parser has already checked.
        init(checked identifier: String, rights: String) {
            self.identifier = identifier
            self.rights = rights
        }

        /// Whether these are negative rights (`-identifier`).
        public var isNegative: Bool { identifier.utf8.first == UInt8(ascii: "-") }
    }

    /// The entries in the order of the text form.
    public private(set) var entries: [Entry] {
        didSet { bytes = Self.text(of: entries) }
    }

    /// The TAB form, kept beside the entries so that a list of a million ACLs is written out
    /// without rebuilding each one.
    public private(set) var bytes: [UInt8]

    /// Every rights letter Cyrus 3.6 accepts.
    public static let rightsLetters: Set<UInt8> = Set("lrswipkxtecdan0123456789".utf8)
    /// ``rightsLetters`` as a table indexed by byte, for the parser.
    static let isRightsLetter: [Bool] = (0..<256).map { rightsLetters.contains(UInt8($0)) }
    public static let tab = UInt8(ascii: "\t")

    public static let empty = CyrusACL()

    public init() {
        entries = []
        bytes = []
    }

    /// nil if an identifier appears twice.
    public init?(_ entries: [Entry]) {
        guard Set(entries.map(\.identifier)).count == entries.count else { return nil }
        self.entries = entries
        bytes = Self.text(of: entries)
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
            let idBytes = bytes[i..<idEnd]
            guard Self.isValidIdentifier(bytes: idBytes), let identifier = String(validating: idBytes, as: UTF8.self)
            else { throw ParserError("bad ACL identifier", at: i) }
            let rightsBytes = bytes[(idEnd + 1)..<rightsEnd]
            guard !rightsBytes.isEmpty, rightsBytes.allSatisfy({ Self.isRightsLetter[Int($0)] }) else {
                throw ParserError("bad ACL rights", at: idEnd + 1)
            }
            // Most ACLs have a few entries, where a linear look for a repeated identifier beats
            // a set; long ones (thousands of entries) get the set.
            if entries.count < 16 {
                guard !entries.contains(where: { $0.identifier == identifier }) else {
                    throw ParserError("identifier twice in an ACL", at: i)
                }
                if entries.count == 15 { seen = Set(entries.map(\.identifier) + [identifier]) }
            } else {
                guard seen.insert(identifier).inserted else {
                    throw ParserError("identifier twice in an ACL", at: i)
                }
            }
            entries.append(Entry(checked: identifier, rights: String(decoding: rightsBytes, as: UTF8.self)))
            i = rightsEnd + 1
        }
        self.entries = entries
        self.bytes = bytes
    }

    public init(parsing text: String) throws { try self.init(parsing: Array(text.utf8)) }

    /// The TAB form.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    static func text(of entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out += entry.identifier.utf8
            out.append(tab)
            out += entry.rights.utf8
            out.append(tab)
        }
        return out
    }

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
        isValidIdentifier(bytes: Array(identifier.utf8)[...])
    }

    static func isValidIdentifier(bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, !(bytes.count == 1 && bytes.first == UInt8(ascii: "-")) else { return false }
        return !bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// A non-empty run of ``rightsLetters``.
    public static func isValidRights(_ rights: String) -> Bool {
        !rights.isEmpty && rights.utf8.allSatisfy { isRightsLetter[Int($0)] }
    }
}
