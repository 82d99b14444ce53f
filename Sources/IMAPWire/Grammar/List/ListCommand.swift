/// The arguments of LIST, basic or extended: selection options, reference, one or more
/// patterns, return options.
///
///     C: A101 LIST "" ""
///     C: A02 LIST (SUBSCRIBED) "" "*" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))
///     C: A03 LIST "" ("INBOX" "Drafts") RETURN (SPECIAL-USE)
///
/// - SeeAlso: [RFC 5258 §3](https://www.rfc-editor.org/rfc/rfc5258#section-3),
///   [RFC 9051 §6.3.9](https://www.rfc-editor.org/rfc/rfc9051#section-6.3.9)
public struct ListCommand: Sendable, Hashable {
    /// Empty without selection options (the same as `()`).
    public var selectOptions: [ListSelectOption]
    public var reference: MailboxName
    /// list-mailbox patterns (with `*` and `%`); one for a basic LIST.
    public var patterns: [[UInt8]]
    /// Empty without `RETURN` (the same as `RETURN ()`).
    public var returnOptions: [ListReturnOption]

    public init(
        selectOptions: [ListSelectOption] = [], reference: MailboxName, patterns: [[UInt8]],
        returnOptions: [ListReturnOption] = []
    ) {
        self.selectOptions = selectOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }

    public init(reference: String, pattern: String) {
        self.init(reference: MailboxName(reference), patterns: [Array(pattern.utf8)])
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts] (arguments only)
    @discardableResult
    public mutating func writeListCommand(_ list: ListCommand) -> Int {
        var n = 0
        if !list.selectOptions.isEmpty {
            n += writeList(list.selectOptions) { $0.writeRaw($1.rawValue) } + writeSpace()
        }
        n += writeMailbox(list.reference) + writeSpace()
        if list.patterns.count == 1 {
            n += writeListMailbox(list.patterns[0])
        } else {
            n += writeList(list.patterns) { $0.writeListMailbox($1) }
        }
        if !list.returnOptions.isEmpty {
            n += writeRaw(" RETURN ") + writeList(list.returnOptions) { $0.writeListReturnOption($1) }
        }
        return n
    }

    // list-mailbox = 1*list-char / string
    @discardableResult
    public mutating func writeListMailbox(_ pattern: [UInt8]) -> Int {
        if !pattern.isEmpty, pattern.allSatisfy(\.isListChar) { return writeBytes(pattern) }
        return writeString(pattern)
    }
}
