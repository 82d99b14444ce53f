/// The combinators every IMAPWire parser (and the MUPDATE parser) is built from.
///
/// Parsers work on one complete frame: a command or a response with its literal bodies in
/// place (`{3}\r\nabc` — announcement, CRLF, the bytes), as ``FrameScanner`` delimits them.
/// A parser that runs off the end throws ``IncompleteMessage``; bad syntax throws
/// ``ParserError``; a bound of ``Limits`` throws ``LimitExceeded``. The three never mix.

/// More bytes are needed to finish the parse.
public struct IncompleteMessage: Error, Sendable, Hashable {
    public init() {}
}

/// The input does not match the grammar.
public struct ParserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was expected, in words an operator understands (it goes into `BAD` texts).
    public var reason: String
    /// Offset in the frame where the parse failed.
    public var offset: Int

    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason) at offset \(offset)" }
}

/// A command that could not be parsed, with its tag when the tag itself was readable, so the
/// answer can be a tagged `BAD` rather than an untagged one.
public struct BadCommand: Error, Sendable, CustomStringConvertible {
    public var tag: String?
    /// A ``ParserError`` or a ``LimitExceeded``.
    public var underlying: any Error & Sendable

    public init(tag: String?, underlying: any Error & Sendable) {
        self.tag = tag
        self.underlying = underlying
    }

    public var description: String { "\(tag ?? "*") \(underlying)" }
}

/// A cursor over the bytes of one frame, with the limits in force and the current nesting.
public struct ParseBuffer: Sendable {
    public let bytes: [UInt8]
    public var index: Int
    public let limits: Limits
    /// Current depth of nested parenthesised lists.
    public var depth: Int = 0
    /// Literals read so far.
    public var literalCount: Int = 0

    public init(_ bytes: [UInt8], limits: Limits = .commands) {
        self.bytes = bytes
        self.index = 0
        self.limits = limits
    }

    public init(_ string: String, limits: Limits = .commands) {
        self.init(Array(string.utf8), limits: limits)
    }

    @inlinable public var isAtEnd: Bool { index >= bytes.count }
    @inlinable public var remaining: Int { bytes.count - index }

    /// The next byte, or ``IncompleteMessage`` at the end.
    @inlinable public func peek() throws -> UInt8 {
        guard index < bytes.count else { throw IncompleteMessage() }
        return bytes[index]
    }

    /// The byte `offset` ahead, or nil at the end.
    @inlinable public func peek(at offset: Int) -> UInt8? {
        let i = index + offset
        return i < bytes.count ? bytes[i] : nil
    }

    @inlinable public mutating func readByte() throws -> UInt8 {
        let b = try peek()
        index += 1
        return b
    }

    public func error(_ reason: String) -> ParserError {
        ParserError(reason, at: index)
    }
}

/// Combinators. Each `parse…` takes the buffer `inout`, advances it on success, and on a
/// thrown error leaves the index unspecified unless wrapped in ``PL/composite(_:_:)``.
public enum PL {
    /// Runs `body`; if it throws, restores the buffer so alternatives can be tried.
    @inlinable
    public static func composite<T>(
        _ buffer: inout ParseBuffer,
        _ body: (inout ParseBuffer) throws -> T
    ) throws -> T {
        let saved = buffer
        do {
            return try body(&buffer)
        } catch {
            buffer = saved
            throw error
        }
    }

    /// `body` or nil when it fails with a syntax error (incomplete and limits propagate).
    @inlinable
    public static func optional<T>(
        _ buffer: inout ParseBuffer,
        _ body: (inout ParseBuffer) throws -> T
    ) throws -> T? {
        let saved = buffer
        do {
            return try body(&buffer)
        } catch is ParserError {
            buffer = saved
            return nil
        }
    }

    /// Tries each alternative in turn; the error of the one that got furthest wins.
    public static func oneOf<T>(
        _ buffer: inout ParseBuffer,
        _ alternatives: [(inout ParseBuffer) throws -> T],
        expected: String
    ) throws -> T {
        var furthest: ParserError?
        for alternative in alternatives {
            let saved = buffer
            do {
                return try alternative(&buffer)
            } catch let e as ParserError {
                buffer = saved
                if furthest == nil || e.offset > furthest!.offset { furthest = e }
            }
        }
        if let furthest, furthest.offset > buffer.index { throw furthest }
        throw buffer.error("expected \(expected)")
    }

    /// Zero or more `element`s, each optionally preceded by `separator` (after the first),
    /// bounded by ``Limits/maxListItems``.
    public static func zeroOrMore<T>(
        _ buffer: inout ParseBuffer,
        separator: ((inout ParseBuffer) throws -> Void)? = nil,
        _ element: (inout ParseBuffer) throws -> T
    ) throws -> [T] {
        var result: [T] = []
        while true {
            let saved = buffer
            do {
                if !result.isEmpty, let separator { try separator(&buffer) }
                let value = try element(&buffer)
                if result.count >= buffer.limits.maxListItems {
                    throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
                }
                result.append(value)
            } catch is ParserError {
                buffer = saved
                return result
            }
        }
    }

    /// One or more `element`s separated by `separator`.
    public static func oneOrMore<T>(
        _ buffer: inout ParseBuffer,
        separator: ((inout ParseBuffer) throws -> Void)? = nil,
        _ element: (inout ParseBuffer) throws -> T
    ) throws -> [T] {
        let first = try element(&buffer)
        var rest = try zeroOrMore(&buffer) { buffer in
            try separator?(&buffer)
            return try element(&buffer)
        }
        rest.insert(first, at: 0)
        if rest.count > buffer.limits.maxListItems {
            throw LimitExceeded(.listItems, bound: buffer.limits.maxListItems)
        }
        return rest
    }

    /// `(` elements separated by SP `)`; counts one nesting level. `allowEmpty` accepts `()`.
    public static func parenthesized<T>(
        _ buffer: inout ParseBuffer,
        allowEmpty: Bool = true,
        _ element: (inout ParseBuffer) throws -> T
    ) throws -> [T] {
        try fixed(&buffer, "(")
        let items: [T] = try nested(&buffer) { buffer in
            if try buffer.peek() == UInt8(ascii: ")") {
                guard allowEmpty else { throw buffer.error("expected a list item") }
                return []
            }
            return try oneOrMore(&buffer, separator: { try space(&$0) }, element)
        }
        try fixed(&buffer, ")")
        return items
    }

    /// Runs `body` one nesting level deeper, enforcing ``Limits/maxNestingDepth``.
    public static func nested<T>(
        _ buffer: inout ParseBuffer,
        _ body: (inout ParseBuffer) throws -> T
    ) throws -> T {
        buffer.depth += 1
        defer { buffer.depth -= 1 }
        if buffer.depth > buffer.limits.maxNestingDepth {
            throw LimitExceeded(.nestingDepth, bound: buffer.limits.maxNestingDepth)
        }
        return try body(&buffer)
    }

    /// Exactly these ASCII bytes; letters match case-insensitively unless `caseSensitive`.
    public static func fixed(_ buffer: inout ParseBuffer, _ string: StaticString, caseSensitive: Bool = false) throws {
        let start = buffer.index
        let expected = UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount)
        for e in expected {
            guard buffer.index < buffer.bytes.count else {
                buffer.index = start
                throw IncompleteMessage()
            }
            let b = buffer.bytes[buffer.index]
            let match = caseSensitive ? b == e : asciiLower(b) == asciiLower(e)
            guard match else {
                let got = buffer.index
                buffer.index = start
                throw ParserError("expected \"\(string)\"", at: got)
            }
            buffer.index += 1
        }
    }

    /// True (and consumed) if the bytes at the cursor are `string`, case-insensitively.
    public static func tryFixed(_ buffer: inout ParseBuffer, _ string: StaticString) throws -> Bool {
        do {
            try fixed(&buffer, string)
            return true
        } catch is ParserError {
            return false
        }
    }

    public static func space(_ buffer: inout ParseBuffer) throws {
        guard try buffer.peek() == UInt8(ascii: " ") else { throw buffer.error("expected SP") }
        buffer.index += 1
    }

    /// CRLF, or a bare LF (accepted, as Cyrus and nginx do).
    public static func newline(_ buffer: inout ParseBuffer) throws {
        let b = try buffer.peek()
        if b == UInt8(ascii: "\n") {
            buffer.index += 1
            return
        }
        guard b == UInt8(ascii: "\r") else { throw buffer.error("expected end of line") }
        guard let next = buffer.peek(at: 1) else { throw IncompleteMessage() }
        guard next == UInt8(ascii: "\n") else { throw ParserError("expected LF after CR", at: buffer.index + 1) }
        buffer.index += 2
    }

    /// The longest run (at least `min` bytes) of bytes satisfying `predicate`. Running into
    /// the end of the frame is incomplete: a frame always ends with a newline.
    @inlinable
    public static func bytes(
        _ buffer: inout ParseBuffer,
        min: Int = 1,
        max: Int = .max,
        what: String,
        where predicate: (UInt8) -> Bool
    ) throws -> ArraySlice<UInt8> {
        let start = buffer.index
        var i = start
        let end = buffer.bytes.count
        while i < end, i - start < max, predicate(buffer.bytes[i]) { i += 1 }
        if i == end, i - start < max { throw IncompleteMessage() }
        guard i - start >= min else { throw ParserError("expected \(what)", at: i) }
        buffer.index = i
        return buffer.bytes[start..<i]
    }

    @inlinable
    public static func asciiLower(_ b: UInt8) -> UInt8 {
        (b >= 65 && b <= 90) ? b | 0x20 : b
    }
}
