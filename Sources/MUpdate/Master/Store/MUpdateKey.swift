#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The byte key under which the list keeps a record: the name's ``MUpdateOrder`` key. Keys
/// compare as plain bytes (`memcmp`), so a list kept sorted by key is already in dump order
/// (SPEC.md §3.4) and a lookup is a binary search.
///
///     user.alice.Sent      75 73 65 72 1F 61 6C 69 63 65 1F 53 65 6E 74
///     example.com!user.b   65 78 61 6D 70 6C 65 2E 63 6F 6D 1D 75 73 65 72 1F 62
///
/// The mapping is reversible for well-formed names (no control characters, see
/// ``InternalMailboxName/isWellFormed``), which is the only kind the list stores, so the key is
/// all a record keeps of its name.
public enum MUpdateKey {
    /// The key of `name` (``MUpdateOrder/key(for:)``).
    public static func key(for name: InternalMailboxName) -> [UInt8] { MUpdateOrder.key(for: name) }

    /// The name whose key is `key`.
    public static func name(for key: [UInt8]) -> InternalMailboxName {
        var out: [UInt8] = []
        out.reserveCapacity(key.count)
        appendName(of: key, to: &out)
        return InternalMailboxName(out)
    }

    /// Appends the wire bytes of the name whose key is `key`.
    @inline(__always)
    static func appendName(of key: [UInt8], to out: inout [UInt8]) {
        key.withUnsafeBufferPointer { k in
            var i = 0
            if let d = k.firstIndex(of: MUpdateOrder.domainSeparator) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: k[0..<d]))
                out.append(InternalMailboxName.domainSeparator)
                i = d + 1
            }
            while i < k.count {
                switch k[i] {
                case MUpdateOrder.hierarchySeparator: out.append(InternalMailboxName.separator)
                case InternalMailboxName.separator: out.append(InternalMailboxName.escapedDot)
                case let b: out.append(b)
                }
                i += 1
            }
        }
    }

    /// The length of the name whose key is `key` (the same: the mapping is byte for byte, the
    /// domain's 0x1D standing for `!`).
    @inline(__always)
    static func nameLength(of key: [UInt8]) -> Int { key.count }

    /// Three-way byte comparison: negative, zero or positive.
    @inline(__always)
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let n = min(pa.count, pb.count)
                if n > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let c = memcmp(x, y, n)
                    if c != 0 { return Int(c) }
                }
                return pa.count - pb.count
            }
        }
    }

    @inline(__always)
    public static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { compare(a, b) < 0 }
}
