extension MIMEMessage {
    /// SEARCH HEADER / FROM / TO / CC / BCC / SUBJECT: whether a field called `field` contains
    /// `needle` (UTF-8) after decoding its encoded words; an empty needle matches any message
    /// that has the field.
    ///
    ///     C: A1 SEARCH HEADER X-Mailer ""      ← every message with an X-Mailer field
    ///
    /// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4)
    public func headerContains(_ field: String, _ needle: [UInt8]) -> Bool {
        headerContains(field, SearchText.Needle(needle))
    }

    public func headerContains(_ field: String, _ needle: SearchText.Needle) -> Bool {
        for f in root.header.fields where f.named(field) {
            if needle.isEmpty { return true }
            if SearchText.contains(folded: SearchText.fold(EncodedWord.decode(f.value)), needle.folded) { return true }
        }
        return false
    }

    /// SEARCH BODY: whether the text of any text part (in enclosed messages too) contains
    /// `needle`, after undoing its Content-Transfer-Encoding and converting its charset to
    /// UTF-8 (unknown charsets are compared as bytes; HTML is searched as it is).
    ///
    ///     C: A1 SEARCH CHARSET UTF-8 BODY "grüße"
    ///
    /// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4)
    public func bodyContains(_ needle: [UInt8]) -> Bool { bodyContains(SearchText.Needle(needle)) }

    public func bodyContains(_ needle: SearchText.Needle) -> Bool {
        if needle.isEmpty { return true }
        var buffer: [UInt8] = []
        return textPartContains(root, needle, &buffer)
    }

    /// SEARCH TEXT: whether the header (encoded words decoded) or the body contains `needle`.
    /// - SeeAlso: [RFC 9051 §6.4.4](https://www.rfc-editor.org/rfc/rfc9051#section-6.4.4)
    public func textContains(_ needle: [UInt8]) -> Bool { textContains(SearchText.Needle(needle)) }

    public func textContains(_ needle: SearchText.Needle) -> Bool {
        if needle.isEmpty { return true }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(root.header.range.count)
        for f in root.header.fields {
            SearchText.fold(f.name.utf8, into: &buffer)
            buffer += [UInt8(ascii: ":"), 0x20]
            SearchText.fold(EncodedWord.decode(f.value), into: &buffer)
            buffer.append(0x0A)
        }
        if SearchText.contains(folded: buffer, needle.folded) { return true }
        return textPartContains(root, needle, &buffer)
    }

    func textPartContains(_ part: MIMEPart, _ needle: SearchText.Needle, _ buffer: inout [UInt8]) -> Bool {
        switch part.content {
        case .multipart(let children):
            return children.contains { textPartContains($0, needle, &buffer) }
        case .message(let inner):
            return textPartContains(inner, needle, &buffer)
        case .leaf:
            guard part.isText else { return false }
            buffer.removeAll(keepingCapacity: true)
            let charset = part.charset.flatMap { Charset(name: $0) }
            if part.isIdentityEncoding, charset == nil || charset == .utf8 || charset == .usASCII {
                // The common case: fold straight from the message bytes, no copies.
                SearchText.fold(bytes[part.body], into: &buffer)
            } else {
                let decoded = decodedBody(part) ?? Array(bytes[part.body])
                SearchText.fold(charset?.toUTF8(decoded) ?? decoded, into: &buffer)
            }
            return SearchText.contains(folded: buffer, needle.folded)
        }
    }
}
