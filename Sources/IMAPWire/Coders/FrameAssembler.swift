/// Collects whole messages (a command or a response with its literal bodies in place) from a
/// byte stream, for the parsers, which work on complete frames.
///
/// In a command stream it also says when a synchronising literal has been announced, so the
/// server can send its continuation request (or refuse the literal with a tagged `NO`/`BAD`
/// and call ``refuseLiteral()``).
///
///     C: A1 LOGIN {5}         -> .literalRequest(tag "A1", 5 octets)
///     S: + go ahead
///     C: alice secret         -> .frame("A1 LOGIN {5}\r\nalice secret\r\n")
public struct FrameAssembler: Sendable {
    public enum Event: Sendable, Hashable {
        /// One complete message; `first` describes its first line segment.
        case frame([UInt8], first: LineInfo)
        /// A synchronising literal was announced (command streams only).
        case literalRequest(LiteralRequest)
        /// A segment was refused; the message is dropped and reading goes on.
        case invalid(FrameError, tag: String?)
        /// The stream cannot be resynchronised.
        case close(FrameError, tag: String?)
    }

    var reader: SegmentReader
    let mode: FrameScanner.Mode
    var frame: [UInt8] = []
    var first: LineInfo?
    /// Skip the rest of the current message (a refused synchronising literal).
    var refused = false

    public init(mode: FrameScanner.Mode, limits: Limits) {
        self.mode = mode
        reader = SegmentReader(mode: mode, limits: limits)
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reader.append(bytes)
    }

    /// Bytes held for the current message or not yet read.
    public var buffered: Int { reader.buffered + frame.count }

    /// The last ``Event/literalRequest(_:)`` is answered with a refusal: the client will not
    /// send the literal, so the message ends here and the next line starts a new one.
    public mutating func refuseLiteral() {
        frame.removeAll(keepingCapacity: true)
        first = nil
        reader.scanner.abandonLiteral()
    }

    public mutating func next() -> Event? {
        while let event = reader.next() {
            switch event {
            case .line(let bytes, let info):
                if info.isFirst { first = info }
                frame.append(contentsOf: bytes)
                if let literal = info.literal {
                    if mode == .commands && !literal.kind.isNonSynchronizing {
                        return .literalRequest(LiteralRequest(tag: reader.messageTag, length: literal.length,
                                                              isBinary: literal.kind == .binary))
                    }
                    continue
                }
                let done = frame
                frame.removeAll(keepingCapacity: true)
                return .frame(done, first: first ?? info)
            case .literal(let bytes, _):
                frame.append(contentsOf: bytes)
            case .invalid(let error, let tag):
                frame.removeAll(keepingCapacity: true)
                return .invalid(error, tag: tag)
            case .close(let error, let tag):
                frame.removeAll()
                return .close(error, tag: tag)
            }
        }
        return nil
    }
}

/// A synchronising literal announced by a client, waiting for `+` or a refusal.
public struct LiteralRequest: Sendable, Hashable {
    /// The tag of the command, if readable.
    public var tag: String?
    public var length: UInt64
    /// `~{n}`: a literal8.
    public var isBinary: Bool

    public init(tag: String?, length: UInt64, isBinary: Bool = false) {
        self.tag = tag
        self.length = length
        self.isBinary = isBinary
    }
}
