public import IMAPWire

extension MIMEMessage {
    /// The exact bytes of `BODY[section]`, or nil when the section does not exist.
    ///
    ///     C: A1 FETCH 1 (BODY[HEADER.FIELDS (FROM SUBJECT)] BODY[2.1.MIME] BODY[3.HEADER])
    ///
    /// - `[]` the whole message; `[HEADER]`, `[TEXT]` the top-level header (blank line
    ///   included) and body.
    /// - `[HEADER.FIELDS (…)]` / `[HEADER.FIELDS.NOT (…)]` the raw lines of the matching
    ///   (or other) fields, names compared case-insensitively, then a blank CRLF line.
    /// - `[N…]` a part's body; part 1 of a non-multipart message is its body; a message/rfc822
    ///   part's body is the whole enclosed message, and its own parts continue the path.
    /// - `[N.MIME]` the part's MIME header; `[N.HEADER]`, `[N.TEXT]`, `[N.HEADER.FIELDS …]`
    ///   the enclosed message's, for message/rfc822 parts only.
    ///
    /// Partial fetches (`<offset.length>`) are applied by the caller with `partial(_:_:)`.
    /// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
    public func section(_ s: SectionSpecifier) -> [UInt8]? {
        guard let part = resolve(s.part) else { return nil }
        guard let text = s.text else { return s.part.isEmpty ? bytes : Array(bytes[part.body]) }
        if text == .mime {
            guard !s.part.isEmpty else { return nil }
            return Array(bytes[part.header.range])
        }
        // HEADER and TEXT name a message: the top-level one or an enclosed message/rfc822.
        let message: MIMEPart
        if s.part.isEmpty {
            message = root
        } else if case .message(let inner) = part.content {
            message = inner
        } else {
            return nil
        }
        switch text {
        case .header: return Array(bytes[message.header.range])
        case .text: return Array(bytes[message.body])
        case .headerFields(let names): return fieldLines(message.header, names, matching: true)
        case .headerFieldsNot(let names): return fieldLines(message.header, names, matching: false)
        case .mime: return nil
        }
    }

    /// `bytes[offset..<offset+length]` clipped to the section, as `BODY[…]<offset.length>` asks;
    /// empty when the offset is past the end.
    /// - SeeAlso: [RFC 9051 §6.4.5](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.5)
    public static func partial(_ section: [UInt8], _ p: Partial) -> [UInt8] {
        guard p.offset < UInt64(section.count) else { return [] }
        let start = Int(p.offset)
        let end = start + Int(min(p.length, UInt64(section.count - start)))
        return Array(section[start..<end])
    }

    /// The part a section path names; the empty path is the whole message.
    func resolve(_ path: [UInt32]) -> MIMEPart? {
        var current = root
        var isMessage = true  // `current` is a message (top-level or enclosed), not a plain part
        for n in path {
            guard n >= 1 else { return nil }
            if !isMessage, case .message(let inner) = current.content {
                current = inner
                isMessage = true
            }
            switch current.content {
            case .multipart(let children):
                guard Int(n) <= children.count else { return nil }
                current = children[Int(n) - 1]
                isMessage = false
            case .leaf, .message:
                // A non-multipart message has one part: its body (with the message's header as MIME header).
                guard isMessage, n == 1 else { return nil }
                isMessage = false
            }
        }
        return current
    }

    func fieldLines(_ header: Header, _ names: [String], matching: Bool) -> [UInt8] {
        let wanted = Set(names.map { $0.lowercased() })
        var out: [UInt8] = []
        for f in header.fields where wanted.contains(f.name.lowercased()) == matching {
            out += bytes[f.lines]
            if out.last != 0x0A { out += [0x0D, 0x0A] }
        }
        return out + [0x0D, 0x0A]
    }
}
