/// Splits an IMAP byte stream into line segments and literal bodies: the Swift twin of the C
/// core's `scan.c`, with the same events for the same bytes however they are split.
///
/// A message (one command or one response) is a first line segment, then, for every literal
/// announced at the end of a segment (`{n}`, `{n+}`, `~{n}`, `~{n+}` before the CRLF or bare
/// LF, outside quoted strings), the literal's bytes and a further segment:
///
///     C: A003 APPEND saved (\Seen) {12}
///     C: Hello World!
///     C:
///     S: * 12 FETCH (BODY[] {3}
///     S: abc)
///
/// The state lives in the value; ``next(_:)-(UnsafeRawBufferPointer)`` resumes at any byte
/// boundary and never looks back at bytes given to earlier calls, so the caller keeps the
/// current segment's bytes if it wants them (spans are relative to the segment's start).
/// Bounds come from ``Limits``: `maxLineLength`, `maxLiteralSize`, `maxLiteralsPerMessage`.
/// The exact rules are written in `include/murder_core.h`, above `mc_scan_step`.
///
/// - SeeAlso: [RFC 9051 §4.3](https://www.rfc-editor.org/rfc/rfc9051#section-4.3),
///   [RFC 7888](https://www.rfc-editor.org/rfc/rfc7888),
///   [RFC 3516](https://www.rfc-editor.org/rfc/rfc3516)
public struct FrameScanner: Sendable {
    /// Which side's stream is being scanned.
    public enum Mode: Sendable, Hashable {
        /// Client to server: `tag SP verb ...`.
        case commands
        /// Server to client: `* ...`, `+ ...`, `tag OK|NO|BAD ...`.
        case responses
    }

    enum State: UInt8 {
        case line, literal, discard, closed
    }

    /// Literal-announcement recogniser, fed with the bytes outside quotes.
    enum Tail: UInt8 {
        case none, tilde, open, digits, plus, close, closeCR
    }

    enum Token: UInt8 {
        case tag, verb, done
    }

    public let mode: Mode
    let maxLine: Int
    let maxLiteral: UInt64
    let maxLiterals: Int

    /// Bytes consumed since the scanner was made: the stream position.
    public private(set) var streamOffset: UInt64 = 0

    var state: State = .line
    var closeReason: FrameError.Reason = .lineTooLong
    var literals = 0
    var literalLeft: UInt64 = 0

    // The current segment.
    var segLen = 0
    var first = true
    var token: Token = .tag
    var tagLen = 0
    var tagFirst: UInt8 = 0
    var verbOff = 0
    var verbLen = 0
    var statusWord: UInt64 = 0
    var tail: Tail = .none
    var tailKind: LiteralAnnouncement.Kind = .synchronizing
    var tailLen: UInt64 = 0
    var tailOverflow = false
    var sawNUL = false
    var inQuote = false
    var quoteEscape = false
    var hasCR = false

    /// - Precondition: `limits.maxLineLength` is in `64..<UInt32.max` and
    ///   `limits.maxLiteralsPerMessage` is not negative (scan.c refuses the same limits).
    public init(mode: Mode, limits: Limits) {
        precondition(limits.maxLineLength >= 64 && limits.maxLineLength < Int(UInt32.max), "maxLineLength")
        precondition(limits.maxLiteralsPerMessage >= 0, "maxLiteralsPerMessage")
        self.mode = mode
        self.maxLine = limits.maxLineLength
        self.maxLiteral = limits.maxLiteralSize
        self.maxLiterals = min(limits.maxLiteralsPerMessage, Int(UInt32.max))
    }

    /// Consumes bytes until one event is complete or the bytes run out, and returns the event
    /// with the number of bytes consumed (0 only for empty input, or after `.close`). Call
    /// again with the bytes after those consumed.
    public mutating func next(_ bytes: UnsafeRawBufferPointer) -> (event: FrameEvent, consumed: Int) {
        if state == .closed {
            return (.close(FrameError(closeReason, line: LineInfo(length: 0, isFirst: false, hasCR: false))), 0)
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return (.needMore, 0) }
        let n = bytes.count
        var i = 0
        while i < n {
            switch state {
            case .literal:
                let take = Int(min(UInt64(n - i), literalLeft))
                i += take
                literalLeft -= UInt64(take)
                if literalLeft == 0 {
                    state = .line
                    beginSegment(first: false)
                }
                return finish(.literal(count: take, left: literalLeft), consumed: i)

            case .discard:
                while i < n {
                    let c = base.load(fromByteOffset: i, as: UInt8.self)
                    i += 1
                    if c == Self.lf {
                        if tail == .close || tail == .closeCR, arrivesUnasked(tailKind) {
                            let literal = LiteralAnnouncement(kind: tailKind, length: announcedLength)
                            let line = LineInfo(length: 0, isFirst: false, hasCR: false, literal: literal)
                            return finish(close(.lineTooLong, line), consumed: i)
                        }
                        state = .line
                        beginSegment(first: true)
                        break
                    }
                    contentStep(c)
                }

            case .line:
                if segLen == 0 {
                    // The common case: the whole segment is in this buffer.
                    if let count = fastSegment(base + i, window: min(n - i, maxLine)) {
                        i += count
                        return finish(endSegment(), consumed: i)
                    }
                }
                while i < n {
                    let c = base.load(fromByteOffset: i, as: UInt8.self)
                    i += 1
                    segLen += 1
                    if token != .done { tokenStep(c, at: segLen - 1) }
                    if c == Self.lf { return finish(endSegment(), consumed: i) }
                    contentStep(c)
                    if segLen > maxLine {
                        state = .discard
                        return finish(.invalid(FrameError(.lineTooLong, line: lineInfo(atLF: false))), consumed: i)
                    }
                }

            case .closed:
                preconditionFailure("unreachable: a closed scanner returns before the loop")
            }
        }
        return finish(.needMore, consumed: i)
    }

    /// ``next(_:)-(UnsafeRawBufferPointer)`` over the bytes of an array slice.
    public mutating func next(_ bytes: ArraySlice<UInt8>) -> (event: FrameEvent, consumed: Int) {
        bytes.withUnsafeBytes { self.next($0) }
    }

    /// ``next(_:)-(UnsafeRawBufferPointer)`` over the bytes of an array.
    public mutating func next(_ bytes: [UInt8]) -> (event: FrameEvent, consumed: Int) {
        bytes.withUnsafeBytes { self.next($0) }
    }

    /// The receiver refused the synchronising literal just announced (a tagged `NO` or `BAD`
    /// instead of `+`), so its bytes will not come: the next byte starts a new message. Does
    /// nothing unless the scanner is waiting for a literal's body. Twin of
    /// `mc_scan_abandon_literal`.
    public mutating func abandonLiteral() {
        guard state == .literal else { return }
        literalLeft = 0
        state = .line
        beginSegment(first: true)
    }

    /// Whether a literal's bytes come without the receiver asking: a non-synchronising
    /// literal, or any literal in a response stream (servers never wait for a continuation).
    /// Refusing the line that announced one cannot resynchronise the stream.
    func arrivesUnasked(_ kind: LiteralAnnouncement.Kind) -> Bool {
        kind.isNonSynchronizing || mode == .responses
    }

    mutating func finish(_ event: FrameEvent, consumed: Int) -> (event: FrameEvent, consumed: Int) {
        streamOffset &+= UInt64(consumed)
        return (event, consumed)
    }

    mutating func close(_ reason: FrameError.Reason, _ line: LineInfo) -> FrameEvent {
        state = .closed
        closeReason = reason
        return .close(FrameError(reason, line: line))
    }

    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let sp: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
}

// MARK: - Segments

extension FrameScanner {
    /// Resets the per-segment state before a segment's first byte.
    mutating func beginSegment(first: Bool) {
        segLen = 0
        self.first = first
        token = first ? .tag : .done
        tagLen = 0
        tagFirst = 0
        verbOff = 0
        verbLen = 0
        statusWord = 0
        tail = .none
        tailLen = 0
        tailOverflow = false
        sawNUL = false
        inQuote = false
        quoteEscape = false
        hasCR = false
        if first { literals = 0 }
    }

    var announcedLength: UInt64 { tailOverflow ? UInt64.max : tailLen }

    /// Follows the tag and verb of a first segment, one byte at `pos` at a time.
    @inline(__always)
    mutating func tokenStep(_ c: UInt8, at pos: Int) {
        if token == .tag {
            if c == Self.sp {
                token = .verb
                verbOff = pos + 1
            } else if c == Self.cr || c == Self.lf {
                token = .done
            } else {
                if tagLen == 0 { tagFirst = c }
                tagLen += 1
            }
        } else if c == Self.sp || c == Self.cr || c == Self.lf {
            token = .done
        } else {
            if verbLen < 8 {
                let u = c >= 0x61 && c <= 0x7A ? c - 0x20 : c
                statusWord |= UInt64(u) << UInt64(8 * verbLen)
            }
            verbLen += 1
        }
    }

    /// Quote tracking, NUL check and announcement recogniser for one byte that is not a LF.
    @inline(__always)
    mutating func contentStep(_ c: UInt8) {
        if c == 0 { sawNUL = true }
        if inQuote {
            if quoteEscape {
                quoteEscape = false
            } else if c == Self.backslash {
                quoteEscape = true
            } else if c == Self.quote {
                inQuote = false
            }
        } else if c == Self.quote {
            inQuote = true
            tail = .none
        } else {
            tailStep(c)
        }
        hasCR = c == Self.cr
    }

    /// Feeds one byte outside quotes to the announcement recogniser; digits are checked for
    /// overflow before each is added.
    @inline(__always)
    mutating func tailStep(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "{"):
            tailKind = tail == .tilde ? .binary : .synchronizing
            tailLen = 0
            tailOverflow = false
            tail = .open
        case UInt8(ascii: "~"):
            tail = .tilde
        case UInt8(ascii: "+"):
            if tail == .digits {
                tailKind = tailKind == .binary ? .binaryNonSynchronizing : .nonSynchronizing
                tail = .plus
            } else {
                tail = .none
            }
        case UInt8(ascii: "}"):
            tail = tail == .digits || tail == .plus ? .close : .none
        case Self.cr:
            tail = tail == .close ? .closeCR : .none
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if tail == .open || tail == .digits {
                addDigit(c)
                tail = .digits
            } else {
                tail = .none
            }
        default:
            tail = .none
        }
    }

    @inline(__always)
    mutating func addDigit(_ c: UInt8) {
        let d = UInt64(c &- 0x30)
        if tailOverflow || tailLen > (UInt64.max - d) / 10 {
            tailOverflow = true
        } else {
            tailLen = tailLen * 10 + d
        }
    }

    /// What is known of the current segment, as an event reports it.
    @inline(__always)
    func lineInfo(atLF: Bool) -> LineInfo {
        var info = LineInfo(length: segLen, isFirst: first, hasCR: atLF && hasCR)
        if first {
            if tagLen > 0 { info.tag = 0..<tagLen }
            if verbLen > 0 { info.verb = verbOff..<(verbOff + verbLen) }
            if mode == .responses && tagLen > 0 {
                if tagLen == 1 && tagFirst == UInt8(ascii: "*") {
                    info.responseKind = .untagged
                } else if tagLen == 1 && tagFirst == UInt8(ascii: "+") {
                    info.responseKind = .continuation
                } else {
                    info.responseKind = .tagged
                }
                if info.responseKind != .continuation { info.status = status }
            }
        }
        if atLF && (tail == .close || tail == .closeCR) {
            info.literal = LiteralAnnouncement(kind: tailKind, length: announcedLength)
        }
        return info
    }

    /// The status word of the verb, upper-cased bytes packed little-endian.
    @inline(__always)
    var status: LineInfo.Status {
        switch (verbLen, statusWord) {
        case (2, 0x4B4F): .ok  // "OK"
        case (2, 0x4F4E): .no  // "NO"
        case (3, 0x44_4142): .bad  // "BAD"
        case (3, 0x45_5942): .bye  // "BYE"
        case (7, 0x48_5455_4145_5250): .preauth  // "PREAUTH"
        default: .none
        }
    }

    /// Decides what a segment whose LF was just consumed means, and sets up the next one.
    /// Errors rank: line too long (the LF passed the bound), NUL, literal too large, too many
    /// literals; a refused segment that announced a non-synchronising literal closes.
    mutating func endSegment() -> FrameEvent {
        let info = lineInfo(atLF: true)
        var reason: FrameError.Reason?
        if segLen > maxLine {
            reason = .lineTooLong
        } else if sawNUL {
            reason = .nul
        } else if info.literal != nil {
            if tailOverflow || tailLen > maxLiteral {
                reason = .literalTooLarge
            } else {
                literals += 1
                if literals > maxLiterals { reason = .tooManyLiterals }
            }
        }
        if let reason {
            if let literal = info.literal, arrivesUnasked(literal.kind) {
                return close(reason, info)
            }
            beginSegment(first: true)
            return .invalid(FrameError(reason, line: info))
        }
        if info.literal == nil {
            beginSegment(first: true)
        } else if tailLen == 0 {
            beginSegment(first: false)
        } else {
            literalLeft = tailLen
            state = .literal
        }
        return .line(info)
    }
}
