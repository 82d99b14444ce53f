public import IMAPWire

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

extension MIMEMessage {
    /// The RFC 5256 base subject of the Subject field (empty when there is none).
    /// - SeeAlso: [RFC 5256 §2.1](https://www.rfc-editor.org/rfc/rfc5256#section-2.1)
    public var baseSubject: String { subjectKey.text }

    /// The base subject and whether the subject was a reply or forward.
    public var subjectKey: BaseSubject { BaseSubject(header("Subject") ?? []) }

    /// The Date field as an instant, read leniently; nil when absent or unreadable (SORT and
    /// THREAD then use the internal date, RFC 5256 §2.2).
    public var sentDate: Date? { header("Date").flatMap(DateParser.parse) }

    /// The first address of an address field (`From`, `To`, `Cc`…), group members included.
    ///
    ///     C: A1 SORT (FROM) UTF-8 ALL     ← sorts by this address's mailbox
    ///
    /// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
    public func firstAddress(_ field: String) -> Address? {
        guard let value = header(field) else { return nil }
        for item in AddressParser.parse(value, limits: limits) {
            switch item {
            case .address(let a): return a
            case .group(let g): if let a = g.members.first { return a }
            }
        }
        return nil
    }

    /// The SORT FROM/TO/CC key: the first address's mailbox (local part), or "" without one.
    public func sortAddress(_ field: String) -> String {
        firstAddress(field)?.mailbox.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The SORT DISPLAYFROM/DISPLAYTO key: the first address's display name with encoded
    /// words decoded, else its `mailbox@host`, else "".
    /// - SeeAlso: [RFC 5957 §3](https://www.rfc-editor.org/rfc/rfc5957#section-3)
    public func sortDisplay(_ field: String) -> String {
        guard let a = firstAddress(field) else { return "" }
        if let name = a.name, !name.isEmpty { return String(decoding: EncodedWord.decode(name), as: UTF8.self) }
        let mailbox = a.mailbox.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let host = a.host.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return host.isEmpty ? mailbox : mailbox + "@" + host
    }

    /// The Message-ID's msg-id without angle brackets, or nil.
    public var messageID: String? { header("Message-ID").flatMap { Self.messageIDs($0, limit: 1).first } }

    /// The first msg-id of In-Reply-To, without angle brackets, or nil.
    public var inReplyTo: String? { header("In-Reply-To").flatMap { Self.messageIDs($0, limit: 1).first } }

    /// The msg-ids of References, in order, without angle brackets.
    public var references: [String] {
        guard let value = header("References") else { return [] }
        return Self.messageIDs(value, limit: limits.maxReferences)
    }

    /// The `<…>` message ids in a field value, in order; whitespace inside one is dropped.
    /// - SeeAlso: [RFC 5322 §3.6.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.6.4)
    public static func messageIDs(_ value: [UInt8], limit: Int = 1000) -> [String] {
        var out: [String] = []
        var i = 0
        while i < value.count, out.count < limit {
            guard value[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            var j = i + 1
            var id: [UInt8] = []
            while j < value.count, value[j] != UInt8(ascii: ">"), value[j] != UInt8(ascii: "<") {
                if !isWhitespace(value[j]) { id.append(value[j]) }
                j += 1
            }
            if j < value.count, value[j] == UInt8(ascii: ">"), !id.isEmpty {
                out.append(String(decoding: id, as: UTF8.self))
                i = j + 1
            } else {
                i = j
            }
        }
        return out
    }
}
