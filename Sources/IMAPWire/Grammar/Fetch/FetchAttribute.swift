/// A data item FETCH can ask for.
///
///     C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)] BINARY.PEEK[1]<0.100> MODSEQ)
///
/// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5),
///   [RFC 3516 §4.1](https://www.rfc-editor.org/rfc/rfc3516#section-4.1),
///   [RFC 7162 §3.1.4](https://www.rfc-editor.org/rfc/rfc7162#section-3.1.4),
///   [RFC 8474 §5](https://www.rfc-editor.org/rfc/rfc8474#section-5)
public enum FetchAttribute: Sendable, Hashable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// Cyrus's `RFC822.PEEK`: the whole message, answered as `RFC822`, without setting \Seen
    /// (what a Cyrus frontend fetches for a COPY between backends).
    case rfc822Peek
    /// `BODY`: the body structure without extension data.
    case body
    case bodyStructure
    case uid
    /// `BODY[section]<partial>`, or `BODY.PEEK[...]` (which does not set \Seen).
    case bodySection(SectionSpecifier, partial: Partial?, peek: Bool)
    /// `BINARY[part]<partial>` / `BINARY.PEEK[...]`: the part with its transfer encoding undone.
    case binary(part: [UInt32], partial: Partial?, peek: Bool)
    /// `BINARY.SIZE[part]`
    case binarySize(part: [UInt32])
    case modSeq
    case emailID
    case threadID
}

// MARK: - Encoding

extension EncodeBuffer {
    // fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    //             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary /
    //             "MODSEQ" / "EMAILID" / "THREADID"
    @discardableResult
    public mutating func writeFetchAttribute(_ att: FetchAttribute) -> Int {
        switch att {
        case .envelope: return writeRaw("ENVELOPE")
        case .flags: return writeRaw("FLAGS")
        case .internalDate: return writeRaw("INTERNALDATE")
        case .rfc822: return writeRaw("RFC822")
        case .rfc822Header: return writeRaw("RFC822.HEADER")
        case .rfc822Size: return writeRaw("RFC822.SIZE")
        case .rfc822Text: return writeRaw("RFC822.TEXT")
        case .rfc822Peek: return writeRaw("RFC822.PEEK")
        case .body: return writeRaw("BODY")
        case .bodyStructure: return writeRaw("BODYSTRUCTURE")
        case .uid: return writeRaw("UID")
        case .modSeq: return writeRaw("MODSEQ")
        case .emailID: return writeRaw("EMAILID")
        case .threadID: return writeRaw("THREADID")
        case .bodySection(let section, let partial, let peek):
            return writeRaw(peek ? "BODY.PEEK" : "BODY") + writeSection(section)
                + (partial.map { writePartial($0) } ?? 0)
        case .binary(let part, let partial, let peek):
            return writeRaw(peek ? "BINARY.PEEK" : "BINARY") + writeSectionBinary(part)
                + (partial.map { writePartial($0) } ?? 0)
        case .binarySize(let part):
            return writeRaw("BINARY.SIZE") + writeSectionBinary(part)
        }
    }
}
