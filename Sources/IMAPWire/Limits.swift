/// Every bound the wire layer enforces, in one place.
///
/// Parsers and scanners take a `Limits` value; going past one of its bounds is reported as
/// ``LimitExceeded``, never as "need more bytes" or as a syntax error, so that a session can
/// answer with the right response (a tagged `BAD`, or `BYE` when the stream cannot be resynced).
public struct Limits: Sendable, Hashable {
    /// Bytes of one line segment, CRLF included, not counting literal bodies.
    public var maxLineLength: Int
    /// Largest announced literal of any kind (message bodies included; APPENDLIMIT).
    public var maxLiteralSize: UInt64
    /// Largest literal accepted where the grammar wants a string that is not a message
    /// (mailbox names, search strings, flags, metadata values).
    public var maxStringLiteralSize: Int
    /// Literals in one command or response.
    public var maxLiteralsPerMessage: Int
    /// Depth of nested parenthesised lists (search keys, body structures, extension data).
    public var maxNestingDepth: Int
    /// Items in one parenthesised list, or arguments of one command.
    public var maxListItems: Int
    /// Ranges in one sequence set.
    public var maxSequenceRanges: Int
    /// Octets of one mailbox name as sent on the wire.
    public var maxMailboxNameLength: Int

    public init(
        maxLineLength: Int = 8192,
        maxLiteralSize: UInt64 = 64 << 20,
        maxStringLiteralSize: Int = 64 << 10,
        maxLiteralsPerMessage: Int = 1000,
        maxNestingDepth: Int = 64,
        maxListItems: Int = 10_000,
        maxSequenceRanges: Int = 10_000,
        maxMailboxNameLength: Int = 1024
    ) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxStringLiteralSize = maxStringLiteralSize
        self.maxLiteralsPerMessage = maxLiteralsPerMessage
        self.maxNestingDepth = maxNestingDepth
        self.maxListItems = maxListItems
        self.maxSequenceRanges = maxSequenceRanges
        self.maxMailboxNameLength = maxMailboxNameLength
    }

    /// Bounds for what a client sends to a server.
    public static let commands = Limits()

    /// Bounds for what a server sends to a client: long SEARCH and FETCH lines, large bodies.
    public static let responses = Limits(
        maxLineLength: 1 << 20,
        maxLiteralSize: 1 << 30,
        maxStringLiteralSize: 1 << 30,
        maxLiteralsPerMessage: 100_000,
        maxListItems: 1_000_000,
        maxSequenceRanges: 1_000_000
    )

    /// Bounds of RFC 3656 as SPEC.md §3.1 sets them: 8192-octet lines, 65536-octet literals,
    /// 490-octet mailbox names.
    public static let mupdate = Limits(
        maxLineLength: 8192,
        maxLiteralSize: 65536,
        maxStringLiteralSize: 65536,
        // UPDATE may name 30 servers (SPEC.md §3.3), each of them a literal.
        maxLiteralsPerMessage: 32,
        maxNestingDepth: 4,
        maxListItems: 64,
        maxSequenceRanges: 1,
        maxMailboxNameLength: 490
    )
}

/// Names one bound of ``Limits``.
public enum Limit: String, Sendable, Hashable, CaseIterable {
    case lineLength = "line length"
    case literalSize = "literal size"
    case stringLiteralSize = "string literal size"
    case literalsPerMessage = "literals per message"
    case nestingDepth = "nesting depth"
    case listItems = "list items"
    case sequenceRanges = "sequence ranges"
    case mailboxNameLength = "mailbox name length"
}

/// A bound of ``Limits`` was passed. Distinct from incomplete input and from invalid syntax.
public struct LimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    public var limit: Limit
    /// The bound that was in force.
    public var bound: UInt64

    public init(_ limit: Limit, bound: some BinaryInteger) {
        self.limit = limit
        self.bound = UInt64(clamping: bound)
    }

    public var description: String { "\(limit.rawValue) over \(bound)" }
}
