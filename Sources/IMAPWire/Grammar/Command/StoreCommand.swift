/// The arguments of STORE and UID STORE: which messages, under which condition, what change.
///
///     C: A003 STORE 2:4 +FLAGS (\Deleted)
///     C: d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)
///
/// - SeeAlso: [RFC 9051 §6.4.6](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.6),
///   [RFC 7162 §3.1.3](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.3)
public struct StoreCommand: Sendable, Hashable {
    public var set: SequenceSet
    public var modifiers: [StoreModifier]
    public var data: StoreData

    public init(_ set: SequenceSet, modifiers: [StoreModifier] = [], _ data: StoreData) {
        self.set = set
        self.modifiers = modifiers
        self.data = data
    }
}

/// A STORE modifier: `UNCHANGEDSINCE modseq` or an extension's.
/// - SeeAlso: [RFC 7162 §3.1.3](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.3)
public enum StoreModifier: Sendable, Hashable {
    case unchangedSince(UInt64)
    case other(TaggedExtension)
}

/// Add, remove or replace flags.
public enum StoreOperation: Sendable, Hashable {
    case add, remove, replace
}

/// store-att-flags: `[+|-]FLAGS[.SILENT] (flags)`.
/// - SeeAlso: [RFC 9051 §6.4.6](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.6)
public struct StoreData: Sendable, Hashable {
    public var operation: StoreOperation
    /// `.SILENT`: no untagged FETCH in answer.
    public var silent: Bool
    public var flags: [Flag]

    public init(_ operation: StoreOperation, silent: Bool = false, _ flags: [Flag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags (arguments only)
    @discardableResult
    public mutating func writeStoreCommand(_ store: StoreCommand) -> Int {
        var n = writeSequenceSet(store.set)
        if !store.modifiers.isEmpty {
            n +=
                writeSpace()
                + writeList(store.modifiers) { buffer, m in
                    switch m {
                    case .unchangedSince(let v): return buffer.writeRaw("UNCHANGEDSINCE ") + buffer.writeNumber(v)
                    case .other(let ext): return buffer.writeTaggedExtension(ext)
                    }
                }
        }
        return n + writeSpace() + writeStoreData(store.data)
    }

    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    @discardableResult
    public mutating func writeStoreData(_ data: StoreData) -> Int {
        let sign: String
        switch data.operation {
        case .add: sign = "+"
        case .remove: sign = "-"
        case .replace: sign = ""
        }
        return writeRaw(sign + "FLAGS" + (data.silent ? ".SILENT " : " ")) + writeFlags(data.flags)
    }
}
