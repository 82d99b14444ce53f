/// A parameter of SELECT or EXAMINE: CONDSTORE, QRESYNC, or an extension's.
///
///     C: A142 SELECT INBOX (CONDSTORE)
///     C: A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))
///
/// - SeeAlso: [RFC 7162 §3.1.8, §3.2.5](https://www.rfc-editor.org/rfc/rfc7162#section-3.2.5)
public enum SelectParameter: Sendable, Hashable {
    case condStore
    case qresync(QResyncParameters)
    case other(TaggedExtension)
}

/// What a client knows of a mailbox when it selects it with QRESYNC.
/// - SeeAlso: [RFC 7162 §3.2.5](https://www.rfc-editor.org/rfc/rfc7162#section-3.2.5)
public struct QResyncParameters: Sendable, Hashable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    /// known-uids: the UIDs the client holds (no `*`).
    public var knownUIDs: SequenceSet?
    /// seq-match-data: message numbers and the UIDs they had.
    public var sequenceMatch: SequenceMatch?

    /// `(known-sequence-set SP known-uid-set)`
    public struct SequenceMatch: Sendable, Hashable {
        public var sequenceNumbers: SequenceSet
        public var uids: SequenceSet

        public init(sequenceNumbers: SequenceSet, uids: SequenceSet) {
            self.sequenceNumbers = sequenceNumbers
            self.uids = uids
        }
    }

    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil)
    {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // select-params = SP "(" select-param *(SP select-param) ")" ; nothing when empty
    @discardableResult
    public mutating func writeSelectParameters(_ params: [SelectParameter]) -> Int {
        guard !params.isEmpty else { return 0 }
        return writeSpace() + writeList(params) { $0.writeSelectParameter($1) }
    }

    // select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
    //                [SP seq-match-data] ")" / tagged-ext
    @discardableResult
    public mutating func writeSelectParameter(_ param: SelectParameter) -> Int {
        switch param {
        case .condStore:
            return writeRaw("CONDSTORE")
        case .other(let ext):
            return writeTaggedExtension(ext)
        case .qresync(let q):
            var n = writeRaw("QRESYNC (") + writeNumber(q.uidValidity) + writeSpace() + writeNumber(q.modSeq)
            if let known = q.knownUIDs { n += writeSpace() + writeSequenceSet(known) }
            if let match = q.sequenceMatch {
                n += writeRaw(" (") + writeSequenceSet(match.sequenceNumbers) + writeSpace()
                n += writeSequenceSet(match.uids) + writeRaw(")")
            }
            return n + writeRaw(")")
        }
    }
}
