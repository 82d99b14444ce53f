/// A return option of extended LIST: what to say about each listed mailbox.
///
///     C: A01 LIST "" % RETURN (CHILDREN SUBSCRIBED SPECIAL-USE MYRIGHTS STATUS (MESSAGES))
///
/// - SeeAlso: [RFC 5258 §3.2](https://www.rfc-editor.org/rfc/rfc5258#section-3.2),
///   [RFC 5819 §2](https://www.rfc-editor.org/rfc/rfc5819#section-2),
///   [RFC 6154 §3](https://www.rfc-editor.org/rfc/rfc6154#section-3),
///   [RFC 8440 §3](https://www.rfc-editor.org/rfc/rfc8440#section-3)
public enum ListReturnOption: Sendable, Hashable {
    case subscribed
    case children
    case specialUse
    case myRights
    case status([StatusAttribute])
}

// MARK: - Encoding

extension EncodeBuffer {
    // return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / "MYRIGHTS" /
    //                 "STATUS" SP "(" status-att *(SP status-att) ")"
    @discardableResult
    public mutating func writeListReturnOption(_ option: ListReturnOption) -> Int {
        switch option {
        case .subscribed: return writeRaw("SUBSCRIBED")
        case .children: return writeRaw("CHILDREN")
        case .specialUse: return writeRaw("SPECIAL-USE")
        case .myRights: return writeRaw("MYRIGHTS")
        case .status(let attrs): return writeRaw("STATUS ") + writeStatusAttributes(attrs)
        }
    }
}
