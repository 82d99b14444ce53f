/// One end of a sequence range: a number, or `*` (the largest number in use).
public enum SequenceBound: Sendable, Hashable {
    case number(UInt32)
    case last

    /// The number this bound stands for when the largest in use is `max`.
    public func resolved(max: UInt32) -> UInt32 {
        switch self {
        case .number(let n): return n
        case .last: return max
        }
    }
}

/// `a`, `a:b` or `*`. The order of the two ends is not significant (RFC 3501 §9: `4:2` = `2:4`).
public struct SequenceRange: Sendable, Hashable {
    public var from: SequenceBound
    public var to: SequenceBound

    public init(_ from: SequenceBound, _ to: SequenceBound) {
        self.from = from
        self.to = to
    }

    public init(_ single: SequenceBound) { self.init(single, single) }

    public init(_ n: UInt32) { self.init(.number(n)) }

    public init(_ range: ClosedRange<UInt32>) { self.init(.number(range.lowerBound), .number(range.upperBound)) }

    /// The range as numbers, ends sorted, with `*` standing for `max`.
    public func resolved(max: UInt32) -> ClosedRange<UInt32> {
        let a = from.resolved(max: max), b = to.resolved(max: max)
        return Swift.min(a, b)...Swift.max(a, b)
    }
}

/// A message set: `1:4,7,9:*` (message sequence numbers or UIDs), or `$` (RFC 5182 saved search).
///
///     C: A003 FETCH 2:4,7:* (FLAGS)
///
/// - SeeAlso: [RFC 3501 §9 sequence-set](https://www.rfc-editor.org/rfc/rfc3501#section-9)
public struct SequenceSet: Sendable, Hashable {
    public var ranges: [SequenceRange]
    /// `$`: the result of the last SEARCH ... RETURN (SAVE).
    public var isSavedResult: Bool

    public init(_ ranges: [SequenceRange]) {
        self.ranges = ranges
        self.isSavedResult = false
    }

    public init(_ numbers: UInt32...) { self.init(numbers.map { SequenceRange($0) }) }

    public static let all = SequenceSet([SequenceRange(.number(1), .last)])
    public static let savedResult: SequenceSet = {
        var s = SequenceSet([])
        s.isSavedResult = true
        return s
    }()

    /// Whether `n` is in the set when the largest number in use is `max`.
    public func contains(_ n: UInt32, max: UInt32) -> Bool {
        ranges.contains { $0.resolved(max: max).contains(n) }
    }

    /// The set as sorted, merged closed ranges.
    public func normalized(max: UInt32) -> [ClosedRange<UInt32>] {
        let sorted = ranges.map { $0.resolved(max: max) }.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        for r in sorted {
            if let last = out.last, last.upperBound == .max || r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...Swift.max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}

// MARK: - Parsing

extension GrammarParser {
    // seq-number = nz-number / "*"
    public static func parseSequenceBound(_ buffer: inout ParseBuffer) throws -> SequenceBound {
        if try buffer.peek() == UInt8(ascii: "*") {
            buffer.index += 1
            return .last
        }
        return .number(try parseNZNumber(&buffer))
    }

    // seq-range = seq-number ":" seq-number
    public static func parseSequenceRange(_ buffer: inout ParseBuffer) throws -> SequenceRange {
        let from = try parseSequenceBound(&buffer)
        if buffer.peek(at: 0) == UInt8(ascii: ":") {
            buffer.index += 1
            return SequenceRange(from, try parseSequenceBound(&buffer))
        }
        return SequenceRange(from)
    }

    // sequence-set = (seq-number / seq-range) ["," sequence-set] / "$"
    public static func parseSequenceSet(_ buffer: inout ParseBuffer) throws -> SequenceSet {
        if try buffer.peek() == UInt8(ascii: "$") {
            buffer.index += 1
            return .savedResult
        }
        var ranges = [try parseSequenceRange(&buffer)]
        while buffer.peek(at: 0) == UInt8(ascii: ",") {
            buffer.index += 1
            ranges.append(try parseSequenceRange(&buffer))
            if ranges.count > buffer.limits.maxSequenceRanges {
                throw LimitExceeded(.sequenceRanges, bound: buffer.limits.maxSequenceRanges)
            }
        }
        return SequenceSet(ranges)
    }

    // uid-set = (uniqueid / uid-range) *("," uid-set) ; no "*" (RFC 4315)
    public static func parseUIDSet(_ buffer: inout ParseBuffer) throws -> SequenceSet {
        let start = buffer.index
        let set = try parseSequenceSet(&buffer)
        if set.isSavedResult || set.ranges.contains(where: { $0.from == .last || $0.to == .last }) {
            throw ParserError("expected a uid-set without * or $", at: start)
        }
        return set
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    @discardableResult
    public mutating func writeSequenceBound(_ b: SequenceBound) -> Int {
        switch b {
        case .number(let n): return writeRaw(String(n))
        case .last: return writeRaw("*")
        }
    }

    @discardableResult
    public mutating func writeSequenceSet(_ set: SequenceSet) -> Int {
        if set.isSavedResult { return writeRaw("$") }
        var n = 0
        for (i, r) in set.ranges.enumerated() {
            if i > 0 { n += writeRaw(",") }
            n += writeSequenceBound(r.from)
            if r.from != r.to {
                n += writeRaw(":")
                n += writeSequenceBound(r.to)
            }
        }
        return n
    }
}
