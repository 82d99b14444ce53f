/// Every bound the MIME parser applies, in one place, so that no message can make it use
/// unbounded time, memory or stack.
///
/// A part past `maxDepth` or `maxParts` is not split further: it becomes one
/// `APPLICATION/OCTET-STREAM` leaf holding its bytes, as Dovecot does for over-deep messages.
/// - SeeAlso: [RFC 2046 §5.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1)
public struct MIMELimits: Sendable, Hashable {
    /// Multipart and message/rfc822 nesting below the top-level message.
    public var maxDepth: Int
    /// Parts in the whole tree, the top-level message included.
    public var maxParts: Int
    /// Header fields kept per header; later fields stay in the header bytes but are not indexed.
    public var maxHeaderFields: Int
    /// Bytes of one header that are indexed into fields; the rest stays in the header bytes only.
    public var maxHeaderBytes: Int
    /// Bytes kept of one field's unfolded value.
    public var maxFieldValueBytes: Int
    /// Addresses kept per address list (envelope, sort keys).
    public var maxAddresses: Int
    /// Message ids kept from a References field.
    public var maxReferences: Int

    public init(
        maxDepth: Int = 32, maxParts: Int = 1000, maxHeaderFields: Int = 1000, maxHeaderBytes: Int = 1 << 20,
        maxFieldValueBytes: Int = 64 << 10, maxAddresses: Int = 1000, maxReferences: Int = 1000
    ) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
        self.maxHeaderBytes = maxHeaderBytes
        self.maxFieldValueBytes = maxFieldValueBytes
        self.maxAddresses = maxAddresses
        self.maxReferences = maxReferences
    }

    public static let `default` = MIMELimits()
}
