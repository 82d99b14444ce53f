/// The data of one `LIST`, `LSUB` or `XLIST` response: attributes, hierarchy delimiter,
/// name, and the LIST-EXTENDED items.
///
///     C: A101 LIST "" "*"
///     S: * LIST (\HasNoChildren) "/" INBOX
///     S: * LIST () "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))
///
/// - SeeAlso: [RFC 9051 §7.3.1](https://www.rfc-editor.org/rfc/rfc9051#section-7.3.1),
///   [RFC 5258 §4](https://www.rfc-editor.org/rfc/rfc5258#section-4)
public struct MailboxInfo: Sendable, Hashable {
    /// Name attributes as sent (`\Noselect`, `\HasChildren`, `\Sent`, …).
    public var attributes: [String]
    /// The hierarchy delimiter, or nil for a flat name (`NIL`).
    public var delimiter: Character?
    public var name: MailboxName
    /// Extended data items; empty when the response has none (an empty `()` reads as none).
    public var extendedItems: [ListExtendedItem]

    public init(attributes: [String], delimiter: Character?, name: MailboxName, extendedItems: [ListExtendedItem] = [])
    {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.extendedItems = extendedItems
    }
}

/// One item of a LIST response's extended data.
///
///     S: * LIST () "/" "NewMailbox" ("OLDNAME" ("OldMailbox"))
///
/// - SeeAlso: [RFC 5258 §4](https://www.rfc-editor.org/rfc/rfc5258#section-4),
///   [RFC 9051 §6.3.9.7](https://www.rfc-editor.org/rfc/rfc9051#section-6.3.9.7)
public enum ListExtendedItem: Sendable, Hashable {
    /// `"CHILDINFO" ("SUBSCRIBED")`: selection options some child matches.
    case childInfo([String])
    /// `"OLDNAME" ("old")`: the name before a RENAME.
    case oldName(MailboxName)
    case other(tag: String, value: ResponseExtensionValue)
}

// MARK: - Encoding

extension EncodeBuffer {
    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    //                [SP mbx-list-extended]
    @discardableResult
    public mutating func writeMailboxInfo(_ info: MailboxInfo) -> Int {
        var n = writeList(info.attributes) { $0.writeRaw($1) } + writeSpace()
        n += writeHierarchyDelimiter(info.delimiter) + writeSpace() + writeMailbox(info.name)
        if !info.extendedItems.isEmpty {
            n += writeSpace() + writeList(info.extendedItems) { $0.writeListExtendedItem($1) }
        }
        return n
    }

    /// A hierarchy delimiter: `"/"`, `"\\"` or `NIL`.
    @discardableResult
    public mutating func writeHierarchyDelimiter(_ delimiter: Character?) -> Int {
        guard let delimiter else { return writeNil() }
        return writeQuoted(Array(String(delimiter).utf8))
    }

    // mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
    @discardableResult
    public mutating func writeListExtendedItem(_ item: ListExtendedItem) -> Int {
        switch item {
        case .childInfo(let options):
            return writeRaw("\"CHILDINFO\" ") + writeList(options) { $0.writeQuoted(Array($1.utf8)) }
        case .oldName(let name):
            return writeRaw("\"OLDNAME\" (") + writeMailbox(name) + writeRaw(")")
        case .other(let tag, let value):
            return writeString(tag) + writeSpace() + writeResponseExtensionValue(value)
        }
    }
}
