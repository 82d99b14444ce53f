/// A parameter of an extension the grammar does not know by name (RFC 4466): a label and an
/// optional value, as it may follow SELECT, CREATE, FETCH, STORE and APPEND.
///
///     C: A1 SELECT INBOX (X-FOO (1 "two" (3)))
///
/// - SeeAlso: [RFC 4466 §2.1](https://www.rfc-editor.org/rfc/rfc4466#section-2.1)
public struct TaggedExtension: Sendable, Hashable {
    /// tagged-ext-label, as received.
    public var name: String
    public var value: TaggedExtensionValue?

    public init(_ name: String, _ value: TaggedExtensionValue? = nil) {
        self.name = name
        self.value = value
    }
}

/// The value of a ``TaggedExtension``: a number, a sequence set, or a parenthesised tree of
/// strings. A lone number always parses as ``number(_:)``.
/// - SeeAlso: [RFC 4466 §2.1](https://www.rfc-editor.org/rfc/rfc4466#section-2.1)
public enum TaggedExtensionValue: Sendable, Hashable {
    case number(UInt64)
    case sequenceSet(SequenceSet)
    /// `"(" [tagged-ext-comp] ")"`
    case list([TaggedExtensionComponent])
}

/// tagged-ext-comp: an astring or a parenthesised list of components.
public indirect enum TaggedExtensionComponent: Sendable, Hashable {
    case string([UInt8])
    case list([TaggedExtensionComponent])
}

// MARK: - Encoding

extension EncodeBuffer {
    // tagged-ext = tagged-ext-label [SP tagged-ext-val]
    @discardableResult
    public mutating func writeTaggedExtension(_ ext: TaggedExtension) -> Int {
        var n = writeRaw(ext.name)
        if let value = ext.value { n += writeSpace() + writeTaggedExtensionValue(value) }
        return n
    }

    // tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    @discardableResult
    public mutating func writeTaggedExtensionValue(_ value: TaggedExtensionValue) -> Int {
        switch value {
        case .number(let n): return writeNumber(n)
        case .sequenceSet(let set): return writeSequenceSet(set)
        case .list(let items): return writeList(items) { $0.writeTaggedExtensionComponent($1) }
        }
    }

    @discardableResult
    public mutating func writeTaggedExtensionComponent(_ comp: TaggedExtensionComponent) -> Int {
        switch comp {
        case .string(let s): return writeAString(s)
        case .list(let items): return writeList(items) { $0.writeTaggedExtensionComponent($1) }
        }
    }
}
