/// The order of a mailbox-list dump (SPEC.md §3.4): the order of a Cyrus 3.6 mailbox database,
/// which a Cyrus list replica expects when it merges a dump with its own list.
///
/// The key of an internal name is its domain followed by 0x1D (when it has one), then its
/// hierarchy components joined by 0x1F, with `^` decoded back to `.`. Keys compare as bytes, so
/// a mailbox sorts right before its children, and before siblings that merely share a prefix:
///
///     user.a        75 73 65 72 1F 61
///     user.a.b      75 73 65 72 1F 61 1F 62
///     user.a^b      75 73 65 72 1F 61 2E 62
///     user.ab       75 73 65 72 1F 61 62
///
/// - SeeAlso: [RFC 3656 §4.11](https://www.rfc-editor.org/rfc/rfc3656#section-4.11)
public enum MUpdateOrder {
    /// Ends the domain part of a key.
    public static let domainSeparator: UInt8 = 0x1D
    /// Joins the hierarchy components of a key.
    public static let hierarchySeparator: UInt8 = 0x1F

    /// The dump ordering key of `name`.
    public static func key(for name: InternalMailboxName) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(name.bytes.count)
        if let domain = name.domain {
            key += domain.utf8
            key.append(domainSeparator)
        }
        for b in name.localBytes {
            switch b {
            case InternalMailboxName.separator: key.append(hierarchySeparator)
            case InternalMailboxName.escapedDot: key.append(InternalMailboxName.separator)
            default: key.append(b)
            }
        }
        return key
    }

    /// Whether `a` comes before `b` in a dump.
    public static func areInIncreasingOrder(_ a: InternalMailboxName, _ b: InternalMailboxName) -> Bool {
        key(for: a).lexicographicallyPrecedes(key(for: b))
    }

    /// `names` in dump order.
    public static func sorted(_ names: some Sequence<InternalMailboxName>) -> [InternalMailboxName] {
        names.map { (key(for: $0), $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .map(\.1)
    }
}
