/// One data item of a `FETCH` response.
///
///     C: A999 UID FETCH 4827313:4828442 FLAGS
///     S: * 23 FETCH (FLAGS (\Seen) UID 4827313)
///
/// Message contents (`RFC822*`, `BODY[…]`, `BINARY[…]`) are always written as literals, as
/// Cyrus does; `BINARY` data holding NUL is written as a literal8 (`~{n}`).
/// - SeeAlso: [RFC 9051 §7.5.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.5.2),
///   [RFC 3516](https://www.rfc-editor.org/rfc/rfc3516), [RFC 7162](https://www.rfc-editor.org/rfc/rfc7162),
///   [RFC 8474](https://www.rfc-editor.org/rfc/rfc8474)
public enum MessageAttribute: Sendable, Hashable {
    case flags([Flag])
    case envelope(Envelope)
    case internalDate(InternalDate)
    case rfc822([UInt8]?)
    case rfc822Header([UInt8]?)
    case rfc822Text([UInt8]?)
    case rfc822Size(UInt64)
    /// `BODY`: the structure without extension data (written as given).
    case body(BodyStructure)
    case bodyStructure(BodyStructure)
    /// `BODY[section]<origin>`: a section's contents, or nil for `NIL`.
    case bodySection(SectionSpecifier, origin: UInt32?, data: [UInt8]?)
    /// `BINARY[part]`: decoded contents (RFC 3516).
    case binary(section: [UInt32], data: [UInt8]?)
    case binarySize(section: [UInt32], size: UInt32)
    case uid(UInt32)
    /// RFC 7162.
    case modSeq(UInt64)
    /// RFC 8474.
    case emailID(String)
    /// RFC 8474; nil for `NIL` (the server does not thread this message).
    case threadID(String?)
}

// MARK: - Encoding

extension EncodeBuffer {
    // msg-att-dynamic / msg-att-static
    @discardableResult
    public mutating func writeMessageAttribute(_ attribute: MessageAttribute) -> Int {
        switch attribute {
        case .flags(let flags): return writeRaw("FLAGS ") + writeFlags(flags)
        case .envelope(let e): return writeRaw("ENVELOPE ") + writeEnvelope(e)
        case .internalDate(let d): return writeRaw("INTERNALDATE ") + writeInternalDate(d)
        case .rfc822(let data): return writeRaw("RFC822 ") + writeMessageContents(data)
        case .rfc822Header(let data): return writeRaw("RFC822.HEADER ") + writeMessageContents(data)
        case .rfc822Text(let data): return writeRaw("RFC822.TEXT ") + writeMessageContents(data)
        case .rfc822Size(let n): return writeRaw("RFC822.SIZE ") + writeNumber(n)
        case .body(let b): return writeRaw("BODY ") + writeBodyStructure(b)
        case .bodyStructure(let b): return writeRaw("BODYSTRUCTURE ") + writeBodyStructure(b)
        case .bodySection(let section, let origin, let data):
            var n = writeRaw("BODY") + writeSection(section)
            if let origin { n += writeRaw("<") + writeNumber(origin) + writeRaw(">") }
            return n + writeSpace() + writeMessageContents(data)
        case .binary(let section, let data):
            return writeRaw("BINARY") + writeSectionBinary(section) + writeSpace()
                + writeMessageContents(data, binary: true)
        case .binarySize(let section, let size):
            return writeRaw("BINARY.SIZE") + writeSectionBinary(section) + writeSpace() + writeNumber(size)
        case .uid(let n): return writeRaw("UID ") + writeNumber(n)
        case .modSeq(let n): return writeRaw("MODSEQ (") + writeNumber(n) + writeRaw(")")
        case .emailID(let id): return writeRaw("EMAILID (") + writeRaw(id) + writeRaw(")")
        case .threadID(let id):
            guard let id else { return writeRaw("THREADID NIL") }
            return writeRaw("THREADID (") + writeRaw(id) + writeRaw(")")
        }
    }

    /// Message contents: `NIL`, or a literal (a literal8 when `binary` and the data holds NUL).
    @discardableResult
    public mutating func writeMessageContents(_ data: [UInt8]?, binary: Bool = false) -> Int {
        guard let data else { return writeNil() }
        return writeLiteral(data, binary: binary && data.contains(0))
    }
}
