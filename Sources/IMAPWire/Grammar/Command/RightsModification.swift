/// The rights argument of SETACL: rights to add (`+`), remove (`-`) or set.
///
///     C: A035 SETACL INBOX/Drafts John lrQswicda
///     C: A036 SETACL INBOX/Drafts Fred +k
///
/// - SeeAlso: [RFC 4314 §3.1](https://www.rfc-editor.org/rfc/rfc4314#section-3.1)
public struct RightsModification: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case add, remove, replace
    }

    public var mode: Mode
    /// The rights letters, without the sign.
    public var rights: String

    public init(_ mode: Mode, _ rights: String) {
        self.mode = mode
        self.rights = rights
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // mod-rights = astring ; +rights to add, -rights to remove, rights to replace
    @discardableResult
    public mutating func writeRightsModification(_ m: RightsModification) -> Int {
        switch m.mode {
        case .add: return writeAString("+" + m.rights)
        case .remove: return writeAString("-" + m.rights)
        case .replace: return writeAString(m.rights)
        }
    }
}
