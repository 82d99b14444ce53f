/// What ``FrameScanner/next(_:)-(UnsafeRawBufferPointer)`` found in the bytes it consumed.
///
/// Every line segment ends in exactly one `.line`, `.invalid` or `.close`; literal bodies come
/// as `.literal` chunks between a segment that announces them and the segment that follows.
///
///     C: a1 LOGIN {5}          -> .line (first, tag "a1", verb "LOGIN", literal {5})
///     C: alice                 -> .literal(count: 5, left: 0)
///     C:  secret               -> .line (continuation: not first, no spans)
///
/// - SeeAlso: [RFC 9051 §4.3](https://www.rfc-editor.org/rfc/rfc9051#section-4.3),
///   [RFC 7888](https://www.rfc-editor.org/rfc/rfc7888)
public enum FrameEvent: Sendable, Hashable {
    /// Every given byte was consumed and the current segment or literal is not complete.
    case needMore
    /// A line segment ended; its LF was the last consumed byte.
    case line(LineInfo)
    /// `count` bytes of a literal body were consumed; `left` bytes of it are still to come.
    case literal(count: Int, left: UInt64)
    /// The segment is refused; the message ends and the scanner resynchronises by itself.
    case invalid(FrameError)
    /// The stream cannot be resynchronised; every later call repeats this, consuming nothing.
    case close(FrameError)
}

/// One line segment as the scanner saw it. Span offsets are relative to the segment's start.
public struct LineInfo: Sendable, Hashable {
    /// Bytes of the whole segment, LF included, counted across calls.
    public var length: Int
    /// The segment opens a message (a command or a response), rather than following a literal.
    public var isFirst: Bool
    /// The segment ended with CRLF rather than a bare LF.
    public var hasCR: Bool
    /// First segment: the bytes up to the first SP, CR or LF. Empty (`0..<0`) if none.
    public var tag: Range<Int>
    /// First segment: the token after the tag's SP, up to the next SP, CR or LF. Empty
    /// (`0..<0`) if none.
    public var verb: Range<Int>
    /// The shape of a first segment in a response stream.
    public var responseKind: ResponseKind
    /// The status word of a tagged or untagged response.
    public var status: Status
    /// The literal announced at the end of the segment, if any.
    public var literal: LiteralAnnouncement?

    public init(
        length: Int,
        isFirst: Bool,
        hasCR: Bool,
        tag: Range<Int> = 0..<0,
        verb: Range<Int> = 0..<0,
        responseKind: ResponseKind = .none,
        status: Status = .none,
        literal: LiteralAnnouncement? = nil
    ) {
        self.length = length
        self.isFirst = isFirst
        self.hasCR = hasCR
        self.tag = tag
        self.verb = verb
        self.responseKind = responseKind
        self.status = status
        self.literal = literal
    }

    /// Shape of a first segment in a response stream. Raw values are scan.c's `MC_RESP_*`.
    public enum ResponseKind: UInt32, Sendable, Hashable {
        /// A command stream, a continuation segment, or a first segment with an empty tag.
        case none = 0
        /// `tag SP ...`
        case tagged = 1
        /// `* ...`
        case untagged = 2
        /// `+ ...` or `+`
        case continuation = 3
    }

    /// Status word of a tagged or untagged response, matched case-insensitively on the whole
    /// verb. Raw values are scan.c's `MC_STATUS_*`.
    public enum Status: UInt32, Sendable, Hashable {
        case none = 0
        case ok = 1
        case no = 2
        case bad = 3
        case preauth = 4
        case bye = 5
    }
}

/// A literal announced at the end of a line segment: `{n}`, `{n+}`, `~{n}` or `~{n+}`.
public struct LiteralAnnouncement: Sendable, Hashable {
    /// The form of the announcement. Raw values are scan.c's `MC_LIT_*`.
    public enum Kind: UInt32, Sendable, Hashable {
        /// `{n}`: the receiver must answer `+` before the bytes come.
        case synchronizing = 1
        /// `{n+}`: the bytes follow at once (RFC 7888).
        case nonSynchronizing = 2
        /// `~{n}`: literal8 (RFC 3516), synchronising.
        case binary = 3
        /// `~{n+}`: literal8, non-synchronising.
        case binaryNonSynchronizing = 4

        /// The bytes follow without waiting for a continuation request.
        public var isNonSynchronizing: Bool { self == .nonSynchronizing || self == .binaryNonSynchronizing }
    }

    public var kind: Kind
    /// The announced length; `UInt64.max` if the digits overflowed 64 bits.
    public var length: UInt64

    public init(kind: Kind, length: UInt64) {
        self.kind = kind
        self.length = length
    }
}
