/// A selection option of extended LIST: which mailboxes to list.
///
///     C: A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"
///
/// - SeeAlso: [RFC 5258 §3.1](https://www.rfc-editor.org/rfc/rfc5258#section-3.1),
///   [RFC 6154 §3](https://www.rfc-editor.org/rfc/rfc6154#section-3)
public enum ListSelectOption: String, Sendable, Hashable, CaseIterable {
    case subscribed = "SUBSCRIBED"
    case remote = "REMOTE"
    /// Only together with a base option (SUBSCRIBED, SPECIAL-USE).
    case recursiveMatch = "RECURSIVEMATCH"
    case specialUse = "SPECIAL-USE"

    /// list-select-base-opt: the options RECURSIVEMATCH needs beside it.
    public var isBase: Bool { self == .subscribed || self == .specialUse }
}
