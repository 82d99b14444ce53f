/// The arguments of FETCH and UID FETCH: messages, data items, modifiers.
///
///     C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
///     C: s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5),
///   [RFC 7162 §3.1.4, §3.2.6](https://www.rfc-editor.org/rfc/rfc7162#section-3.2.6)
public struct FetchCommand: Sendable, Hashable {
    public var set: SequenceSet
    public var attributes: FetchAttributes
    public var modifiers: [FetchModifier]

    public init(_ set: SequenceSet, _ attributes: FetchAttributes, modifiers: [FetchModifier] = []) {
        self.set = set
        self.attributes = attributes
        self.modifiers = modifiers
    }
}

/// A macro (ALL, FAST, FULL) or a list of data items (one item without parentheses is a list
/// of one).
///
///     C: a003 fetch 12 full
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
public enum FetchAttributes: Sendable, Hashable {
    case all
    case fast
    case full
    case list([FetchAttribute])

    /// The data items a macro stands for (RFC 9051 §6.4.5).
    public var expanded: [FetchAttribute] {
        switch self {
        case .all: return [.flags, .internalDate, .rfc822Size, .envelope]
        case .fast: return [.flags, .internalDate, .rfc822Size]
        case .full: return [.flags, .internalDate, .rfc822Size, .envelope, .body]
        case .list(let atts): return atts
        }
    }
}

/// A FETCH modifier: CHANGEDSINCE, VANISHED, or an extension's.
///
///     C: A03 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)
///
/// - SeeAlso: [RFC 7162 §3.1.4.1, §3.2.6](https://www.rfc-editor.org/rfc/rfc7162#section-3.2.6)
public enum FetchModifier: Sendable, Hashable {
    case changedSince(UInt64)
    case vanished
    case other(TaggedExtension)
}

// MARK: - Encoding

extension EncodeBuffer {
    // fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
    //         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers] (arguments only)
    @discardableResult
    public mutating func writeFetchCommand(_ fetch: FetchCommand) -> Int {
        var n = writeSequenceSet(fetch.set) + writeSpace()
        switch fetch.attributes {
        case .all: n += writeRaw("ALL")
        case .fast: n += writeRaw("FAST")
        case .full: n += writeRaw("FULL")
        case .list(let atts): n += writeList(atts) { $0.writeFetchAttribute($1) }
        }
        if !fetch.modifiers.isEmpty {
            n +=
                writeSpace()
                + writeList(fetch.modifiers) { buffer, m in
                    switch m {
                    case .changedSince(let v): return buffer.writeRaw("CHANGEDSINCE ") + buffer.writeNumber(v)
                    case .vanished: return buffer.writeRaw("VANISHED")
                    case .other(let ext): return buffer.writeTaggedExtension(ext)
                    }
                }
        }
        return n
    }
}
