/// Turns bytes as they arrive into whole line segments and literal chunks, with a
/// ``FrameScanner`` deciding where each ends.
///
/// A line segment is handed out whole (CRLF included), as its bytes are bounded by
/// ``Limits/maxLineLength``; literal bodies are handed out in the chunks that arrived, so a
/// message body is never held whole here. A refused segment is reported with the tag read
/// from its message's first segment, so the answer can be a tagged `BAD`.
///
///     C: A1 LOGIN {5}        -> .line("A1 LOGIN {5}\r\n", literal {5})
///     C: alice "secret"      -> .literal("alice", left: 0), .line(" \"secret\"\r\n")
public struct SegmentReader: Sendable {
    public enum Event: Sendable, Hashable {
        /// A complete line segment, CRLF (or LF) included.
        case line([UInt8], LineInfo)
        /// Bytes of a literal body; `left` still to come.
        case literal(ArraySlice<UInt8>, left: UInt64)
        /// A segment was refused; the message ends here and reading goes on with the next.
        case invalid(FrameError, tag: String?)
        /// The stream cannot be resynchronised: answer `BYE` and close.
        case close(FrameError, tag: String?)
    }

    var scanner: FrameScanner
    var input: [UInt8] = []
    var readIndex = 0
    /// Bytes of the current line segment so far.
    var segment: [UInt8] = []
    /// The tag of the current message, once its first segment has ended.
    var messageTag: String?
    /// After a segment over the line bound, the scanner drops bytes up to the next LF.
    var discardingToLF = false
    /// ``Event/close(_:tag:)`` was reported: nothing more will be read.
    public private(set) var isClosed = false

    public init(mode: FrameScanner.Mode, limits: Limits) {
        scanner = FrameScanner(mode: mode, limits: limits)
    }

    /// Bytes received and not yet handed out as events.
    public var buffered: Int { input.count - readIndex + segment.count }

    /// Whether the next byte starts a new message: no segment, literal or discarded line is
    /// under way.
    public var isAtMessageStart: Bool {
        !isClosed && segment.isEmpty && !discardingToLF && scanner.state == .line && scanner.first
            && scanner.segLen == 0
    }

    /// At a message start: takes the bytes received and not yet scanned (a frontend hands
    /// them to the C relay). Elsewhere: nil, and nothing changes.
    public mutating func takeUnscanned() -> [UInt8]? {
        guard isAtMessageStart else { return nil }
        let rest = Array(input[readIndex...])
        // Released, not kept: the reader may now sit unused for a long time (an idle relay).
        input = []
        segment = []
        readIndex = 0
        return rest
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard !isClosed else { return }
        if readIndex > 0 && readIndex * 2 >= input.count {
            input.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        input.append(contentsOf: bytes)
    }

    /// The next event, or nil when more bytes are needed (or after the stream was closed:
    /// ``Event/close(_:tag:)`` is reported once).
    public mutating func next() -> Event? {
        while !isClosed {
            let available = input[readIndex...]
            let (event, consumed) = scanner.next(available)
            let taken = input[readIndex..<readIndex + consumed]
            readIndex += consumed
            switch event {
            case .needMore:
                keep(taken)
                return nil
            case .literal(let count, let left):
                return .literal(taken.suffix(count), left: left)
            case .line(let info):
                keep(taken)
                let bytes = segment
                segment.removeAll(keepingCapacity: true)
                if info.isFirst { messageTag = tagText(bytes, info) }
                return .line(bytes, info)
            case .invalid(let error):
                keep(taken)
                let tag = error.line.isFirst ? tagText(segment, error.line) : messageTag
                // Over the line bound the scanner goes on dropping bytes to the LF, unless
                // the refused byte was that LF.
                discardingToLF = error.reason == .lineTooLong && taken.last != 0x0A
                segment.removeAll(keepingCapacity: true)
                messageTag = nil
                return .invalid(error, tag: tag)
            case .close(let error):
                keep(taken)
                let tag = error.line.isFirst ? tagText(segment, error.line) : messageTag
                segment.removeAll()
                input.removeAll()
                readIndex = 0
                isClosed = true
                return .close(error, tag: tag)
            }
        }
        return nil
    }

    /// Adds consumed bytes to the current segment, minus those the scanner discards.
    mutating func keep(_ bytes: ArraySlice<UInt8>) {
        var bytes = bytes
        if discardingToLF {
            guard let lf = bytes.firstIndex(of: 0x0A) else { return }
            discardingToLF = false
            bytes = bytes[(lf + 1)...]
        }
        segment.append(contentsOf: bytes)
    }

    func tagText(_ bytes: [UInt8], _ info: LineInfo) -> String? {
        guard !info.tag.isEmpty, info.tag.upperBound <= bytes.count else { return nil }
        let tag = bytes[info.tag]
        guard tag.allSatisfy(\.isTagChar) else { return nil }
        return String(decoding: tag, as: UTF8.self)
    }
}
