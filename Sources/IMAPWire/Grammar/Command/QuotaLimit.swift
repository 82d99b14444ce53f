/// A quota resource name: STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE or another atom.
/// Names compare case-insensitively; the upper-case spelling is kept.
///
///     C: A001 SETQUOTA "" (STORAGE 512 MESSAGE 1000)
///
/// - SeeAlso: [RFC 9208 §5](https://www.rfc-editor.org/rfc/rfc9208#section-5)
public struct QuotaResource: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name.uppercased() }

    public static let storage = QuotaResource("STORAGE")
    public static let message = QuotaResource("MESSAGE")
    public static let mailbox = QuotaResource("MAILBOX")
    public static let annotationStorage = QuotaResource("ANNOTATION-STORAGE")

    public var description: String { name }
}

/// One resource and its limit in SETQUOTA.
///
///     C: A001 SETQUOTA "" (STORAGE 512)
///
/// - SeeAlso: [RFC 9208 §4.3](https://www.rfc-editor.org/rfc/rfc9208#section-4.3)
public struct QuotaLimit: Sendable, Hashable {
    public var resource: QuotaResource
    /// STORAGE counts in units of 1024 octets.
    public var limit: UInt64

    public init(_ resource: QuotaResource, _ limit: UInt64) {
        self.resource = resource
        self.limit = limit
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
    @discardableResult
    public mutating func writeQuotaLimits(_ limits: [QuotaLimit]) -> Int {
        writeList(limits) { $0.writeRaw($1.resource.name) + $0.writeSpace() + $0.writeNumber($1.limit) }
    }
}
