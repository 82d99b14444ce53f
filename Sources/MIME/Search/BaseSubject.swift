/// The RFC 5256 base subject, used by SORT SUBJECT and both THREAD algorithms.
///
///     Subject: Re: [list] Fwd: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= (fwd)   →  "Grüße", isReply true
///
/// Encoded words are decoded to UTF-8, whitespace runs become one space, then trailers
/// (`(fwd)`), leaders (`Re:`, `Fw:`, `Fwd:`, each optionally with a `[blob]`), leading
/// `[blob]`s and `[Fwd: …]` wrappers are removed until nothing changes (§2.1 steps 1–6).
/// Case is kept: the result is compared with `i;unicode-casemap` (`SearchText.fold` of both
/// sides), as RFC 5256 §2.1 asks of the comparison, not of the extraction.
/// - SeeAlso: [RFC 5256 §2.1](https://www.rfc-editor.org/rfc/rfc5256#section-2.1)
public struct BaseSubject: Sendable, Hashable {
    /// The base subject, UTF-8, case kept.
    public var text: String
    /// Whether a reply or forward marker was removed (RFC 5256 §2.1, used by REFERENCES threading).
    public var isReplyOrForward: Bool

    public init(text: String, isReplyOrForward: Bool) {
        self.text = text
        self.isReplyOrForward = isReplyOrForward
    }

    /// Extracts the base subject of a raw Subject value.
    public init(_ raw: [UInt8]) {
        // (1) Decode encoded words; tabs and runs of whitespace become one space.
        var s: [UInt8] = []
        for b in EncodedWord.decode(raw) {
            if isWhitespace(b) {
                if s.last != 0x20 { s.append(0x20) }
            } else {
                s.append(b)
            }
        }
        var reply = false
        var changed = true
        while changed {
            changed = false
            // (2) Remove trailers: "(fwd)" and whitespace.
            while true {
                if s.last == 0x20 {
                    s.removeLast()
                } else if s.count >= 5, Self.lower(s[(s.count - 5)...]) == Array("(fwd)".utf8) {
                    s.removeLast(5)
                    reply = true
                } else {
                    break
                }
            }
            // (3)–(5) Remove leaders and a leading blob, until neither applies.
            var inner = true
            while inner {
                inner = false
                if let (n, refwd) = Self.leaderLength(s) {
                    s.removeFirst(n)
                    reply = reply || refwd
                    inner = true
                }
                if let n = Self.blobLength(s, at: 0), n < s.count {
                    s.removeFirst(n)
                    inner = true
                }
            }
            // (6) "[fwd:" … "]" wrapper.
            if s.count >= 6, Self.lower(s[0..<5]) == Array("[fwd:".utf8), s.last == UInt8(ascii: "]") {
                s = Array(s[5..<(s.count - 1)])
                reply = true
                changed = true
            }
        }
        // A leading space left by the blob rules.
        while s.first == 0x20 { s.removeFirst() }
        self.text = String(decoding: s, as: UTF8.self)
        self.isReplyOrForward = reply
    }

    static func lower(_ b: ArraySlice<UInt8>) -> [UInt8] {
        b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    // subj-blob = "[" *BLOBCHAR "]" *WSP
    static func blobLength(_ s: [UInt8], at start: Int) -> Int? {
        guard start < s.count, s[start] == UInt8(ascii: "[") else { return nil }
        var i = start + 1
        while i < s.count, s[i] != UInt8(ascii: "]") {
            if s[i] == UInt8(ascii: "[") { return nil }
            i += 1
        }
        guard i < s.count else { return nil }
        i += 1
        while i < s.count, s[i] == 0x20 { i += 1 }
        return i - start
    }

    // subj-leader = (*subj-blob subj-refwd) / WSP
    // subj-refwd  = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
    /// The leader's length, and whether it was a reply/forward marker rather than a space.
    static func leaderLength(_ s: [UInt8]) -> (Int, Bool)? {
        if s.first == 0x20 { return (1, false) }
        var i = 0
        while let n = blobLength(s, at: i) { i += n }
        let rest = lower(s[i..<min(s.count, i + 3)])
        if rest.starts(with: Array("re".utf8)) {
            i += 2
        } else if rest.starts(with: Array("fwd".utf8)) {
            i += 3
        } else if rest.starts(with: Array("fw".utf8)) {
            i += 2
        } else {
            return nil
        }
        while i < s.count, s[i] == 0x20 { i += 1 }
        if let n = blobLength(s, at: i) { i += n }
        guard i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
        return (i + 1, true)
    }
}
