/// The value of an extension item in a response (`tagged-ext-val` of RFC 4466): a number, a
/// sequence set, or a parenthesised list of strings and lists.
///
///     S: * ESEARCH (TAG "a") PARTIAL (-1:-100 201:300)
///
/// A lone number is always read as ``number(_:)``, never as a one-element sequence set.
/// - SeeAlso: [RFC 4466 §2.1](https://www.rfc-editor.org/rfc/rfc4466#section-2.1)
public indirect enum ResponseExtensionValue: Sendable, Hashable {
    case number(UInt64)
    case sequenceSet(SequenceSet)
    /// An astring inside a list (`tagged-ext-comp`).
    case string([UInt8])
    case list([ResponseExtensionValue])
}

// MARK: - Encoding

extension EncodeBuffer {
    // tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")"
    @discardableResult
    public mutating func writeResponseExtensionValue(_ value: ResponseExtensionValue) -> Int {
        switch value {
        case .number(let n): return writeNumber(n)
        case .sequenceSet(let set): return writeSequenceSet(set)
        case .string(let b): return writeAString(b)
        case .list(let items): return writeList(items) { $0.writeResponseExtensionValue($1) }
        }
    }
}
