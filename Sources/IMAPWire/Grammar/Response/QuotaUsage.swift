/// One resource of a `QUOTA` response: its name, usage and limit.
///
///     C: A003 GETQUOTA ""
///     S: * QUOTA "" (STORAGE 10 512)
///
/// - SeeAlso: [RFC 9208 §5.1](https://www.rfc-editor.org/rfc/rfc9208#section-5.1)
public struct QuotaUsage: Sendable, Hashable {
    public var resource: String
    public var usage: UInt64
    public var limit: UInt64

    public init(resource: String, usage: UInt64, limit: UInt64) {
        self.resource = resource
        self.usage = usage
        self.limit = limit
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // quota-resource = resource-name SP resource-usage SP resource-limit
    @discardableResult
    public mutating func writeQuotaUsage(_ q: QuotaUsage) -> Int {
        writeRaw(q.resource) + writeSpace() + writeNumber(q.usage) + writeSpace() + writeNumber(q.limit)
    }
}
