/// One field of the ID command: a name and a value or NIL.
///
///     C: a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")
///     C: a024 ID NIL
///
/// RFC 2971 §3.3 bounds the list; the parser enforces those bounds as Cyrus does.
/// - SeeAlso: [RFC 2971 §3.1](https://www.rfc-editor.org/rfc/rfc2971#section-3.1)
public struct IDParameter: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(_ key: String, _ value: String?) {
        self.key = key
        self.value = value
    }

    /// Pairs one ID command may carry.
    public static let maxPairs = 30
    /// Octets of a field name.
    public static let maxKeyLength = 30
    /// Octets of a value.
    public static let maxValueLength = 1024
}

// MARK: - Encoding

extension EncodeBuffer {
    // id-params-list = "(" *(string SP nstring) ")" / nil
    @discardableResult
    public mutating func writeIDParameters(_ params: [IDParameter]?) -> Int {
        guard let params else { return writeNil() }
        return writeList(params) { buffer, p in
            buffer.writeString(p.key) + buffer.writeSpace() + buffer.writeNString(p.value.map { Array($0.utf8) })
        }
    }
}
