/// A threading algorithm: ORDEREDSUBJECT, REFERENCES, or another by name.
///
///     C: A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000
///
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
public enum ThreadAlgorithm: Sendable, Hashable {
    case orderedSubject
    case references
    /// thread-alg-ext (such as Cyrus's REFS), as received.
    case other(String)

    public var name: String {
        switch self {
        case .orderedSubject: return "ORDEREDSUBJECT"
        case .references: return "REFERENCES"
        case .other(let name): return name
        }
    }
}

/// The arguments of THREAD and UID THREAD: algorithm, charset, search keys.
///
///     C: A285 UID THREAD REFERENCES UTF-8 SINCE 5-MAR-2000
///
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
public struct ThreadCommand: Sendable, Hashable {
    public var algorithm: ThreadAlgorithm
    public var charset: String
    public var key: SearchKey

    public init(_ algorithm: ThreadAlgorithm, charset: String, _ key: SearchKey) {
        self.algorithm = algorithm
        self.charset = charset
        self.key = key
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria (arguments only)
    @discardableResult
    public mutating func writeThreadCommand(_ thread: ThreadCommand) -> Int {
        writeRaw(thread.algorithm.name) + writeSpace() + writeCharset(thread.charset) + writeSpace()
            + writeSearchProgramKeys(thread.key)
    }
}
