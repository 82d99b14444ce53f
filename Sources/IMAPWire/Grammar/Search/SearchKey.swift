/// A search criterion of SEARCH, SORT and THREAD. Several keys side by side are ANDed
/// (``and(_:)``, which on the wire is a parenthesised list or, at the top level, just the keys).
///
///     C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
///     C: A283 SEARCH OR (TO foo CC foo) MODSEQ "/flags/\\draft" all 620162338
///
/// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4),
///   [RFC 3501 §6.4.4](https://www.rfc-editor.org/rfc/rfc3501#section-6.4.4),
///   [RFC 7162 §3.1.5](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.5),
///   [RFC 8474 §6](https://www.rfc-editor.org/rfc/rfc8474#section-6),
///   [RFC 5032 §3](https://www.rfc-editor.org/rfc/rfc5032#section-3)
public indirect enum SearchKey: Sendable, Hashable {
    case all
    case answered, deleted, draft, flagged, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    /// RFC 3501 only (IMAP4rev2 dropped \Recent).
    case new, old, recent
    case keyword(Flag)
    case unkeyword(Flag)

    case bcc([UInt8])
    case body([UInt8])
    case cc([UInt8])
    case from([UInt8])
    case subject([UInt8])
    case text([UInt8])
    case to([UInt8])
    /// `HEADER field-name string`
    case header(String, [UInt8])

    /// Internal date (ignoring time and zone).
    case before(IMAPDate)
    case on(IMAPDate)
    case since(IMAPDate)
    /// Date: header.
    case sentBefore(IMAPDate)
    case sentOn(IMAPDate)
    case sentSince(IMAPDate)
    /// WITHIN (RFC 5032): internal date older / younger than this many seconds.
    case older(UInt32)
    case younger(UInt32)

    case larger(UInt64)
    case smaller(UInt64)

    case sequenceSet(SequenceSet)
    case uid(SequenceSet)

    case not(SearchKey)
    case or(SearchKey, SearchKey)
    case and([SearchKey])

    /// `MODSEQ ["/flags/<flag>" priv|shared|all] modseq` (RFC 7162)
    case modSeq(ModSeqEntry?, UInt64)
    /// `EMAILID objectid` / `THREADID objectid` (RFC 8474)
    case emailID(String)
    case threadID(String)

    /// The metadata item a MODSEQ key names: a flag's modification sequence.
    public struct ModSeqEntry: Sendable, Hashable {
        /// entry-type-req
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case `private` = "priv"
            case shared
            case all
        }

        public var flag: Flag
        public var kind: Kind

        public init(_ flag: Flag, _ kind: Kind) {
            self.flag = flag
            self.kind = kind
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    /// search-key *(SP search-key): a top-level ``SearchKey/and(_:)`` of two or more keys is
    /// written without parentheses.
    @discardableResult
    public mutating func writeSearchProgramKeys(_ key: SearchKey) -> Int {
        if case .and(let keys) = key, keys.count > 1 {
            var n = 0
            for (i, k) in keys.enumerated() { n += (i > 0 ? writeSpace() : 0) + writeSearchKey(k) }
            return n
        }
        return writeSearchKey(key)
    }

    // search-key = "ALL" / "ANSWERED" / "BCC" SP astring / ... / "(" search-key *(SP search-key) ")"
    @discardableResult
    public mutating func writeSearchKey(_ key: SearchKey) -> Int {
        switch key {
        case .all: return writeRaw("ALL")
        case .answered: return writeRaw("ANSWERED")
        case .deleted: return writeRaw("DELETED")
        case .draft: return writeRaw("DRAFT")
        case .flagged: return writeRaw("FLAGGED")
        case .seen: return writeRaw("SEEN")
        case .unanswered: return writeRaw("UNANSWERED")
        case .undeleted: return writeRaw("UNDELETED")
        case .undraft: return writeRaw("UNDRAFT")
        case .unflagged: return writeRaw("UNFLAGGED")
        case .unseen: return writeRaw("UNSEEN")
        case .new: return writeRaw("NEW")
        case .old: return writeRaw("OLD")
        case .recent: return writeRaw("RECENT")
        case .keyword(let f): return writeRaw("KEYWORD ") + writeFlag(f)
        case .unkeyword(let f): return writeRaw("UNKEYWORD ") + writeFlag(f)
        case .bcc(let s): return writeRaw("BCC ") + writeAString(s)
        case .body(let s): return writeRaw("BODY ") + writeAString(s)
        case .cc(let s): return writeRaw("CC ") + writeAString(s)
        case .from(let s): return writeRaw("FROM ") + writeAString(s)
        case .subject(let s): return writeRaw("SUBJECT ") + writeAString(s)
        case .text(let s): return writeRaw("TEXT ") + writeAString(s)
        case .to(let s): return writeRaw("TO ") + writeAString(s)
        case .header(let field, let s):
            return writeRaw("HEADER ") + writeAString(field) + writeSpace() + writeAString(s)
        case .before(let d): return writeRaw("BEFORE ") + writeDate(d)
        case .on(let d): return writeRaw("ON ") + writeDate(d)
        case .since(let d): return writeRaw("SINCE ") + writeDate(d)
        case .sentBefore(let d): return writeRaw("SENTBEFORE ") + writeDate(d)
        case .sentOn(let d): return writeRaw("SENTON ") + writeDate(d)
        case .sentSince(let d): return writeRaw("SENTSINCE ") + writeDate(d)
        case .older(let n): return writeRaw("OLDER ") + writeNumber(n)
        case .younger(let n): return writeRaw("YOUNGER ") + writeNumber(n)
        case .larger(let n): return writeRaw("LARGER ") + writeNumber(n)
        case .smaller(let n): return writeRaw("SMALLER ") + writeNumber(n)
        case .sequenceSet(let set): return writeSequenceSet(set)
        case .uid(let set): return writeRaw("UID ") + writeSequenceSet(set)
        case .not(let k): return writeRaw("NOT ") + writeSearchKey(k)
        case .or(let a, let b): return writeRaw("OR ") + writeSearchKey(a) + writeSpace() + writeSearchKey(b)
        case .and(let keys): return writeList(keys) { $0.writeSearchKey($1) }
        case .modSeq(let entry, let value):
            var n = writeRaw("MODSEQ ")
            if let entry {
                n +=
                    writeQuoted(Array(("/flags/" + entry.flag.name).utf8)) + writeSpace()
                    + writeRaw(entry.kind.rawValue)
                n += writeSpace()
            }
            return n + writeNumber(value)
        case .emailID(let id): return writeRaw("EMAILID ") + writeRaw(id)
        case .threadID(let id): return writeRaw("THREADID ") + writeRaw(id)
        }
    }
}
