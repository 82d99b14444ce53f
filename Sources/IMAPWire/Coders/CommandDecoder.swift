/// A server's reader of client commands: bytes in, commands out, with APPEND message bodies
/// streamed in the chunks they arrive in rather than held whole.
///
///     C: A1 NOOP                                  -> .command(A1 NOOP)
///     C: A2 APPEND INBOX (\Seen) {11}             -> .appendStart, .appendMessage(header),
///                                                    .literalRequest (answer "+ ..." or refuse)
///     C: Hello World                              -> .appendBytes("Hello World")
///     C:                                          -> .appendMessageEnd, .appendEnd
///
/// Syntax and limit errors come as ``Event/bad(_:)`` carrying the tag when it was readable
/// (answer a tagged `BAD`, or `* BAD` without one); a stream that cannot be resynchronised
/// (a non-synchronising literal over a bound) comes as ``Event/fatal(_:)`` (answer `BYE`).
/// During IDLE and AUTHENTICATE the session switches to ``Mode/lines``, where each line comes
/// as ``Event/line(_:)`` for ``GrammarParser/parseIdleDone(_:)`` or
/// ``GrammarParser/parseAuthenticateResponse(_:)``.
public struct CommandDecoder: Sendable {
    public enum Mode: Sendable, Hashable {
        case commands
        case lines
    }

    public enum Event: Sendable {
        case command(TaggedCommand)
        /// A synchronising literal was announced: send `+` (or refuse and call
        /// ``refuseLiteral()``).
        case literalRequest(LiteralRequest)
        case appendStart(AppendStart)
        case appendMessage(AppendMessageHeader)
        case appendBytes(ArraySlice<UInt8>)
        case appendMessageEnd
        case appendEnd
        /// A whole line, in ``Mode/lines``.
        case line([UInt8])
        /// A line segment of a command that ``passthrough`` matched, exactly as received; the
        /// command ends with the first such segment that announces no literal.
        case passthroughLine([UInt8], LineInfo)
        /// Literal bytes of a passthrough command, in the chunks they arrived in.
        case passthroughBytes(ArraySlice<UInt8>, left: UInt64)
        case bad(BadCommand)
        case fatal(BadCommand)
    }

    enum State: Sendable {
        case idle
        /// Assembling a command other than APPEND.
        case frame
        /// An APPEND whose mailbox name came as a literal, held until its message literal.
        case appendPrefix
        /// Inside an APPEND message body.
        case appendBody
        /// Dropping the rest of a message that was refused (its literals still arrive).
        case skipping
        /// Inside a command handed out raw.
        case passthrough
    }

    public var mode: Mode = .commands
    /// Commands handed out raw (``Event/passthroughLine(_:_:)``) instead of parsed: what a
    /// frontend relays to the selected backend verbatim. nil = every command is parsed.
    public var passthrough: PassthroughVerbs?
    /// Verbs (upper case) whose literals may reach ``Limits/maxLiteralSize`` instead of the
    /// string bound, held whole: what a backend allows its administrators for `XFERPUT`
    /// (``TransferCommand``). Empty for everyone else, so nobody can make a session hold a
    /// message-sized literal before authenticating.
    public var largeLiteralVerbs: Set<String> = []
    /// The literal bound of the command being assembled.
    var frameLiteralBound: UInt64 = 0
    var reader: SegmentReader
    let limits: Limits
    var state: State = .idle
    var frame: [UInt8] = []
    var pending: [Event] = []

    public init(limits: Limits = .commands) {
        self.limits = limits
        reader = SegmentReader(mode: .commands, limits: limits)
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        reader.append(bytes)
    }

    /// Bytes received and not yet turned into events (a partial command, not APPEND bodies).
    public var buffered: Int { reader.buffered + frame.count }

    /// Inside a command handed out raw (``Event/passthroughLine(_:_:)``): its literal bytes
    /// or a continuation line are still due.
    public var isInsidePassthrough: Bool { state == .passthrough }

    /// Whether the next byte starts a new command, with no event pending.
    public var isAtCommandStart: Bool {
        state == .idle && pending.isEmpty && frame.isEmpty && mode == .commands && reader.isAtMessageStart
    }

    /// Between two commands, with no event pending: takes the bytes received and not yet
    /// decoded, for a relay outside this decoder. Elsewhere: nil, and nothing changes.
    public mutating func takeUndecoded() -> [UInt8]? {
        guard state == .idle, pending.isEmpty, frame.isEmpty, mode == .commands else { return nil }
        frame = []
        pending = []
        return reader.takeUnscanned()
    }

    /// The last ``Event/literalRequest(_:)`` was answered with a refusal: the client will not
    /// send the literal, so the command ends here.
    public mutating func refuseLiteral() {
        reader.scanner.abandonLiteral()
        frame.removeAll(keepingCapacity: true)
        state = .idle
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        if !pending.isEmpty { return pending.removeFirst() }
        while let event = reader.next() {
            if let out = handle(event) { return out }
        }
        return nil
    }

    mutating func emit(_ events: Event...) -> Event? {
        pending.append(contentsOf: events.dropFirst())
        return events.first
    }

    mutating func handle(_ event: SegmentReader.Event) -> Event? {
        switch event {
        case .invalid(let error, let tag):
            frame.removeAll(keepingCapacity: true)
            state = .idle
            return .bad(BadCommand(tag: tag, underlying: FrameRefused(error)))
        case .close(let error, let tag):
            frame.removeAll()
            state = .idle
            return .fatal(BadCommand(tag: tag, underlying: FrameRefused(error)))
        case .literal(let bytes, let left):
            switch state {
            case .appendBody:
                if left == 0 {
                    return emit(.appendBytes(bytes), .appendMessageEnd)
                }
                return .appendBytes(bytes)
            case .frame, .appendPrefix:
                frame.append(contentsOf: bytes)
                return nil
            case .passthrough:
                return .passthroughBytes(bytes, left: left)
            case .idle, .skipping:
                return nil
            }
        case .line(let bytes, let info):
            return line(bytes, info)
        }
    }

    mutating func line(_ bytes: [UInt8], _ info: LineInfo) -> Event? {
        if mode == .lines && info.isFirst && state == .idle {
            if info.literal != nil { state = .skipping }
            return .line(bytes)
        }
        switch state {
        case .skipping:
            if info.literal == nil { state = .idle }
            return nil
        case .passthrough:
            return passthroughSegment(bytes, info)
        case .appendBody:
            return appendContinuation(bytes, info)
        case .appendPrefix:
            frame.append(contentsOf: bytes)
            return appendStart(frame, info)
        case .frame:
            frame.append(contentsOf: bytes)
            return frameSegmentEnded(info)
        case .idle:
            if let passthrough, passthrough.matches(bytes, info) { return passthroughSegment(bytes, info) }
            if info.literal != nil, isAppend(bytes, info) { return appendStart(bytes, info) }
            frame = bytes
            state = .frame
            frameLiteralBound = UInt64(limits.maxStringLiteralSize)
            if !largeLiteralVerbs.isEmpty,
                largeLiteralVerbs.contains(String(decoding: bytes[info.verb], as: UTF8.self).uppercased())
            {
                frameLiteralBound = limits.maxLiteralSize
            }
            return frameSegmentEnded(info)
        }
    }

    /// A segment of a passthrough command: handed out as it came. Its literals are string
    /// arguments (SEARCH's charset strings…) and get the string bound.
    mutating func passthroughSegment(_ bytes: [UInt8], _ info: LineInfo) -> Event? {
        guard let literal = info.literal else {
            state = .idle
            return .passthroughLine(bytes, info)
        }
        if literal.length > UInt64(limits.maxStringLiteralSize) {
            if literal.kind.isNonSynchronizing {
                state = .skipping
            } else {
                reader.scanner.abandonLiteral()
                state = .idle
            }
            let over = LimitExceeded(.stringLiteralSize, bound: limits.maxStringLiteralSize)
            return .bad(BadCommand(tag: reader.messageTag, underlying: over))
        }
        state = .passthrough
        guard literal.kind.isNonSynchronizing else {
            return emit(
                .passthroughLine(bytes, info),
                .literalRequest(LiteralRequest(tag: reader.messageTag, length: literal.length, isBinary: literal.kind == .binary)))
        }
        return .passthroughLine(bytes, info)
    }

    /// A segment of a non-APPEND command ended: ask for its literal, or parse the whole.
    mutating func frameSegmentEnded(_ info: LineInfo) -> Event? {
        if let literal = info.literal {
            // Only APPEND carries message-sized literals; in any other command a literal is a
            // string argument, held whole, so it gets the smaller bound. Its bytes are dropped
            // (non-synchronising) or never asked for (synchronising). The few verbs of
            // ``largeLiteralVerbs`` get the literal bound instead.
            if literal.length > frameLiteralBound {
                frame.removeAll(keepingCapacity: true)
                if literal.kind.isNonSynchronizing {
                    state = .skipping
                } else {
                    reader.scanner.abandonLiteral()
                    state = .idle
                }
                let over = LimitExceeded(.stringLiteralSize, bound: limits.maxStringLiteralSize)
                return .bad(BadCommand(tag: reader.messageTag, underlying: over))
            }
            guard literal.kind.isNonSynchronizing else {
                return .literalRequest(LiteralRequest(tag: reader.messageTag, length: literal.length,
                                                      isBinary: literal.kind == .binary))
            }
            return nil
        }
        state = .idle
        var buffer = ParseBuffer(frame, limits: limits)
        frame.removeAll(keepingCapacity: true)
        do {
            return .command(try GrammarParser.parseTaggedCommand(&buffer))
        } catch let bad as BadCommand {
            return .bad(bad)
        } catch {
            // A complete frame cannot be incomplete; report it as a syntax error all the same.
            return .bad(BadCommand(tag: reader.messageTag, underlying: ParserError("incomplete command", at: 0)))
        }
    }

    func isAppend(_ bytes: [UInt8], _ info: LineInfo) -> Bool {
        let verb = bytes[info.verb].map(PL.asciiLower)
        return verb == Array("append".utf8) || verb == Array("localappend".utf8)
    }

    mutating func appendStart(_ bytes: [UInt8], _ info: LineInfo) -> Event? {
        var buffer = ParseBuffer(bytes, limits: limits)
        let start: AppendStart
        do {
            start = try GrammarParser.parseAppendStart(&buffer)
        } catch is IncompleteMessage {
            return appendNameLiteral(bytes, info)
        } catch {
            frame.removeAll(keepingCapacity: true)
            return refuse(error, info)
        }
        frame.removeAll(keepingCapacity: true)
        do {
            let header = try parseHeader(&buffer, tag: start.tag)
            return beginMessage(header, first: .appendStart(start))
        } catch {
            return refuse(error, info)
        }
    }

    /// The segment ended inside the mailbox name: the name is a literal (RFC 3501 `astring`),
    /// taken like any string argument before the message's own literal.
    ///
    ///     C: A1 APPEND {5}
    ///     S: + Ready for literal data
    ///     C: INBOX (\Seen) {11}
    mutating func appendNameLiteral(_ bytes: [UInt8], _ info: LineInfo) -> Event? {
        guard let literal = info.literal else {
            frame.removeAll(keepingCapacity: true)
            return refuse(ParserError("APPEND without a message literal", at: bytes.count), info)
        }
        guard literal.length <= UInt64(limits.maxStringLiteralSize) else {
            frame.removeAll(keepingCapacity: true)
            return refuse(LimitExceeded(.stringLiteralSize, bound: limits.maxStringLiteralSize), info)
        }
        frame = bytes
        state = .appendPrefix
        guard literal.kind.isNonSynchronizing else {
            return .literalRequest(LiteralRequest(tag: reader.messageTag, length: literal.length,
                                                  isBinary: literal.kind == .binary))
        }
        return nil
    }

    /// After a message body: another message of a MULTIAPPEND, or the end of the command.
    mutating func appendContinuation(_ bytes: [UInt8], _ info: LineInfo) -> Event? {
        var buffer = ParseBuffer(bytes, limits: limits)
        do {
            guard try GrammarParser.parseAppendAfterMessage(&buffer) else {
                guard buffer.isAtEnd else { throw ParserError("extra bytes after APPEND", at: buffer.index) }
                state = .idle
                return .appendEnd
            }
            let header = try parseHeader(&buffer, tag: reader.messageTag)
            return beginMessage(header, first: nil)
        } catch {
            return refuse(error, info)
        }
    }

    func parseHeader(_ buffer: inout ParseBuffer, tag: String?) throws -> AppendMessageHeader {
        do {
            let header = try GrammarParser.parseAppendMessageHeader(&buffer)
            guard buffer.isAtEnd else { throw ParserError("extra bytes after the literal", at: buffer.index) }
            return header
        } catch let e as ParserError {
            throw BadCommand(tag: tag, underlying: e)
        } catch let e as LimitExceeded {
            throw BadCommand(tag: tag, underlying: e)
        }
    }

    mutating func beginMessage(_ header: AppendMessageHeader, first: Event?) -> Event? {
        state = .appendBody
        var events: [Event] = []
        if let first { events.append(first) }
        events.append(.appendMessage(header))
        if !header.isNonSynchronizing {
            events.append(.literalRequest(LiteralRequest(tag: reader.messageTag, length: header.length,
                                                         isBinary: header.isBinary)))
        }
        // A zero-length literal has no body event: the message ends at once.
        if header.length == 0 { events.append(.appendMessageEnd) }
        pending.append(contentsOf: events.dropFirst())
        return events.first
    }

    /// A refused APPEND segment: report it, and drop the rest of the message if its literal's
    /// bytes are on the way (a synchronising one will not come: no `+` is sent).
    mutating func refuse(_ error: any Error, _ info: LineInfo) -> Event? {
        if let literal = info.literal {
            if literal.kind.isNonSynchronizing {
                state = .skipping
            } else {
                reader.scanner.abandonLiteral()
                state = .idle
            }
        } else {
            state = .idle
        }
        if let bad = error as? BadCommand { return .bad(bad) }
        if let limit = error as? LimitExceeded { return .bad(BadCommand(tag: reader.messageTag, underlying: limit)) }
        let sendable: any Error & Sendable = (error as? ParserError) ?? ParserError("bad APPEND", at: 0)
        return .bad(BadCommand(tag: reader.messageTag, underlying: sendable))
    }
}

/// A line or literal the framing scanner refused, as the underlying error of a ``BadCommand``.
public struct FrameRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public var error: FrameError

    public init(_ error: FrameError) { self.error = error }

    public var description: String {
        switch error.reason {
        case .lineTooLong: "line too long"
        case .literalTooLarge: "literal too large"
        case .tooManyLiterals: "too many literals"
        case .nul: "NUL byte in command"
        }
    }
}
