/// A LIST pattern (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the hierarchy
/// separator. Matching is by dynamic programming, so hostile patterns cost O(pattern × name).
/// `INBOX` at the start of a name matches case-insensitively.
public struct ListPattern: Sendable {
    let pattern: [UInt8]
    let separator: UInt8

    public init(_ pattern: [UInt8], separator: Character) {
        self.pattern = Self.normaliseInbox(pattern, separator: separator)
        self.separator = UInt8(ascii: separator.unicodeScalars.first ?? "/")
    }

    public static func normaliseInbox(_ bytes: [UInt8], separator: Character) -> [UInt8] {
        guard bytes.count >= 5, bytes.prefix(5).map({ $0 | 0x20 }) == Array("inbox".utf8) else { return bytes }
        if bytes.count == 5 || bytes[5] == UInt8(ascii: separator.unicodeScalars.first ?? "/") {
            return Array("INBOX".utf8) + bytes.dropFirst(5)
        }
        return bytes
    }

    public func matches(_ name: [UInt8]) -> Bool {
        let p = pattern
        let n = name
        // reachable[j]: pattern prefix processed so far can end at name index j.
        var reachable = [Bool](repeating: false, count: n.count + 1)
        reachable[0] = true
        for c in p {
            var next = [Bool](repeating: false, count: n.count + 1)
            switch c {
            case UInt8(ascii: "*"):
                var on = false
                for j in 0...n.count {
                    if reachable[j] { on = true }
                    next[j] = on
                }
            case UInt8(ascii: "%"):
                var on = false
                for j in 0...n.count {
                    if reachable[j] { on = true }
                    next[j] = on
                    if j < n.count && n[j] == separator { on = false }
                }
            default:
                for j in 0..<n.count where reachable[j] && n[j] == c { next[j + 1] = true }
            }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[n.count]
    }
}
