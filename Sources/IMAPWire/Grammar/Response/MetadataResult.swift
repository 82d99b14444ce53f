/// The data of a `METADATA` response: entries with values (answer to GETMETADATA), or entry
/// names alone (an unsolicited change notice).
///
///     C: a GETMETADATA "INBOX" /private/comment
///     S: * METADATA "INBOX" (/private/comment "My own comment")
///     S: * METADATA "" /shared/comment /shared/admin
///
/// - SeeAlso: [RFC 5464 §4.4](https://www.rfc-editor.org/rfc/rfc5464#section-4.4)
public enum MetadataResult: Sendable, Hashable {
    case values([Item])
    case entries([String])

    /// An entry and its value (nil for `NIL`).
    public struct Item: Sendable, Hashable {
        public var entry: String
        public var value: [UInt8]?

        public init(entry: String, value: [UInt8]?) {
            self.entry = entry
            self.value = value
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // entry-values = "(" entry-value *(SP entry-value) ")" ; entry-list = entry *(SP entry)
    @discardableResult
    public mutating func writeMetadataResult(_ result: MetadataResult) -> Int {
        switch result {
        case .values(let items):
            return writeList(items) {
                $0.writeAString($1.entry) + $0.writeSpace() + $0.writeMetadataResponseValue($1.value)
            }
        case .entries(let entries):
            var n = 0
            for (i, e) in entries.enumerated() { n += (i > 0 ? writeSpace() : 0) + writeAString(e) }
            return n
        }
    }

    /// `value = nstring / literal8`: a literal8 when the value holds NUL.
    @discardableResult
    public mutating func writeMetadataResponseValue(_ value: [UInt8]?) -> Int {
        guard let value else { return writeNil() }
        return value.contains(0) ? writeLiteral(value, binary: true) : writeString(value)
    }
}
