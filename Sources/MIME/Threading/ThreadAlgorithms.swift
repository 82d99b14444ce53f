public import IMAPWire

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two THREAD algorithms of RFC 5256, producing IMAPWire's `ThreadNode` trees.
///
///     C: A1 THREAD ORDEREDSUBJECT UTF-8 ALL
///     S: * THREAD (2)(3 6 (4 23)(44 7 96))
///
/// A chain of single children becomes one node's `messages`; a message with two or more
/// children ends its chain with `children`. A dummy (a message that is referenced but not in
/// the set) survives only at the top when it joins several threads, as `ThreadNode([],
/// children: …)`, which encodes as `((3)(5))`. Base subjects are compared after
/// `SearchText.fold`; ties in sent date are broken by `id`.
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
public enum ThreadAlgorithms {
    /// ORDEREDSUBJECT: messages grouped by base subject; in each group the earliest message is
    /// the parent of all the others; groups are ordered by their first message's date.
    /// - SeeAlso: [RFC 5256 §3 ORDEREDSUBJECT](https://www.rfc-editor.org/rfc/rfc5256#section-3)
    public static func orderedSubject(_ messages: [ThreadInput]) -> [ThreadNode] {
        let keyed = messages.map { (key: SearchText.fold($0.baseSubject.utf8), input: $0) }
        let sorted = keyed.sorted { a, b in
            if a.key != b.key { return a.key.lexicographicallyPrecedes(b.key) }
            return earlier(a.input, b.input)
        }
        var groups: [[ThreadInput]] = []
        var lastKey: [UInt8]? = nil
        for m in sorted {
            if m.key == lastKey, !groups.isEmpty {
                groups[groups.count - 1].append(m.input)
            } else {
                groups.append([m.input])
                lastKey = m.key
            }
        }
        groups.sort { earlier($0[0], $1[0]) }
        return groups.map { group in
            let rest = group.dropFirst().map(\.id)
            if rest.count == 1 { return ThreadNode([group[0].id] + rest) }
            return ThreadNode([group[0].id], children: rest.map { ThreadNode([$0]) })
        }
    }

    static func earlier(_ a: ThreadInput, _ b: ThreadInput) -> Bool {
        a.sentDate != b.sentDate ? a.sentDate < b.sentDate : a.id < b.id
    }

    /// REFERENCES: threads built from Message-ID, References and In-Reply-To, with dummies
    /// pruned, then root threads of the same base subject gathered together.
    /// - SeeAlso: [RFC 5256 §3 REFERENCES](https://www.rfc-editor.org/rfc/rfc5256#section-3)
    public static func references(_ messages: [ThreadInput]) -> [ThreadNode] {
        var table = ReferencesTable()
        for m in messages { table.add(m) }
        return table.threads()
    }
}
