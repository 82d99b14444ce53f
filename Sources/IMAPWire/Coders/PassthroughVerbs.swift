/// The commands a ``CommandDecoder`` hands out raw: matched on the verb of a command's first
/// line segment, and for `UID` on the word after it. Case-insensitive.
///
///     a1 FETCH 1:* (FLAGS)         verbs ∋ FETCH           -> passthrough
///     a2 UID FETCH 1:* (FLAGS)     uidVerbs ∋ FETCH        -> passthrough
///     a3 UID COPY 1:* Archive      uidVerbs ∌ COPY         -> parsed
public struct PassthroughVerbs: Sendable, Hashable {
    /// Upper-case verbs, e.g. "FETCH".
    public var verbs: Set<String>
    /// Upper-case words after `UID`, e.g. "FETCH".
    public var uidVerbs: Set<String>

    public init(verbs: Set<String>, uidVerbs: Set<String>) {
        self.verbs = Set(verbs.map { $0.uppercased() })
        self.uidVerbs = Set(uidVerbs.map { $0.uppercased() })
    }

    /// Whether the command whose first segment is `line` is one of these.
    public func matches(_ line: [UInt8], _ info: LineInfo) -> Bool {
        guard info.isFirst, !info.verb.isEmpty, info.verb.upperBound <= line.count else { return false }
        let verb = Self.word(line[info.verb])
        if verb == "UID" {
            var start = info.verb.upperBound
            guard start < line.count, line[start] == UInt8(ascii: " ") else { return false }
            start += 1
            var end = start
            while end < line.count, line[end] != UInt8(ascii: " "), line[end] != 0x0D, line[end] != 0x0A { end += 1 }
            return uidVerbs.contains(Self.word(line[start..<end]))
        }
        return verbs.contains(verb)
    }

    /// Upper-case ASCII text of a short token.
    public static func word(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(32).map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}
