/// A parameter of CREATE: the special use of the new mailbox, Cyrus's partition, or an
/// extension's.
///
///     C: t1 CREATE "Drafts" (USE (\Drafts))
///     C: t2 CREATE "Archive" (PARTITION p2)
///
/// (Cyrus also takes the partition as a bare trailing atom, `CREATE name p2`; that form is the
/// `partition` of ``Command/create(_:partition:_:)``.)
/// - SeeAlso: [RFC 6154 §3](https://www.rfc-editor.org/rfc/rfc6154#section-3),
///   [RFC 4466 §2.2](https://www.rfc-editor.org/rfc/rfc4466#section-2.2)
public enum CreateParameter: Sendable, Hashable {
    /// `USE (\Drafts \Sent)`: special-use attributes, each with its backslash.
    case use([String])
    /// `PARTITION name` (Cyrus).
    case partition(String)
    case other(TaggedExtension)
}

// MARK: - Encoding

extension EncodeBuffer {
    // create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")" / "PARTITION" SP astring / tagged-ext
    @discardableResult
    public mutating func writeCreateParameter(_ param: CreateParameter) -> Int {
        switch param {
        case .use(let attrs): return writeRaw("USE ") + writeList(attrs) { $0.writeRaw($1) }
        case .partition(let p): return writeRaw("PARTITION ") + writeAString(p)
        case .other(let ext): return writeTaggedExtension(ext)
        }
    }
}
