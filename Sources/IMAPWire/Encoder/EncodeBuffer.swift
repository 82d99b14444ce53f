/// How strings are written.
public struct EncodingOptions: Sendable, Hashable {
    /// How a client writes literals in commands.
    public enum LiteralMode: Sendable, Hashable {
        /// `{n}`: the client must wait for `+` after each header (a stop point is recorded).
        case synchronizing
        /// `{n+}` always (RFC 7888 LITERAL+).
        case nonSynchronizing
        /// `{n+}` up to 4096 octets, `{n}` above (RFC 7888 LITERAL-).
        case nonSynchronizingUpTo4096
        /// `{n}` with no stop point: what a server writes in responses.
        case server
    }

    public var literalMode: LiteralMode
    /// Whether quoted strings may carry UTF-8 (IMAP4rev2, UTF8=ACCEPT); otherwise 8-bit text
    /// goes into a literal.
    public var utf8Quoted: Bool

    public init(literalMode: LiteralMode, utf8Quoted: Bool = false) {
        self.literalMode = literalMode
        self.utf8Quoted = utf8Quoted
    }

    public static let client = EncodingOptions(literalMode: .synchronizing)
    public static let clientLiteralPlus = EncodingOptions(literalMode: .nonSynchronizing)
    public static let server = EncodingOptions(literalMode: .server)
}

/// Bytes being written, with the points where a client must stop and wait for a continuation
/// request (after each synchronising literal header). Every `write…` returns the bytes written.
public struct EncodeBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Offsets into `bytes` just after a synchronising literal's CRLF.
    public private(set) var stopPoints: [Int] = []
    public var options: EncodingOptions

    public init(_ options: EncodingOptions = .server) {
        self.options = options
    }

    /// The bytes split at the stop points: send chunk 0, wait for `+`, send chunk 1, …
    public var chunks: [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for p in stopPoints {
            out.append(bytes[start..<p])
            start = p
        }
        out.append(bytes[start...])
        return out
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @discardableResult
    public mutating func writeRaw(_ s: String) -> Int {
        let before = bytes.count
        bytes.append(contentsOf: s.utf8)
        return bytes.count - before
    }

    @discardableResult
    public mutating func writeBytes<C: Collection>(_ b: C) -> Int where C.Element == UInt8 {
        bytes.append(contentsOf: b)
        return b.count
    }

    @discardableResult
    public mutating func writeSpace() -> Int { writeRaw(" ") }

    @discardableResult
    public mutating func writeNewline() -> Int { writeRaw("\r\n") }

    @discardableResult
    public mutating func writeNumber(_ n: some BinaryInteger) -> Int { writeRaw(String(n)) }

    @discardableResult
    public mutating func writeNil() -> Int { writeRaw("NIL") }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    @discardableResult
    public mutating func writeQuoted(_ b: [UInt8]) -> Int {
        var n = writeRaw("\"")
        for c in b {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { n += writeRaw("\\") }
            bytes.append(c)
            n += 1
        }
        return n + writeRaw("\"")
    }

    /// A literal, in the form the options ask for; `binary` writes a literal8 (`~{n}`).
    // literal = "{" number64 ["+"] "}" CRLF *CHAR8
    @discardableResult
    public mutating func writeLiteral<C: Collection>(_ b: C, binary: Bool = false) -> Int where C.Element == UInt8 {
        writeLiteralHeader(length: b.count, binary: binary) + writeBytes(b)
    }

    /// Only the header of a literal (for streamed bodies); returns the bytes written.
    @discardableResult
    public mutating func writeLiteralHeader(length: Int, binary: Bool = false) -> Int {
        let nonSync: Bool
        switch options.literalMode {
        case .synchronizing, .server: nonSync = false
        case .nonSynchronizing: nonSync = true
        case .nonSynchronizingUpTo4096: nonSync = length <= 4096
        }
        let n = writeRaw((binary ? "~{" : "{") + String(length) + (nonSync ? "+}" : "}") + "\r\n")
        if options.literalMode != .server && !nonSync { stopPoints.append(bytes.count) }
        return n
    }

    /// Whether `b` can go in a quoted string under these options.
    public func canQuote(_ b: [UInt8]) -> Bool {
        b.count <= 1024 && b.allSatisfy { $0.isTextChar && ($0 < 0x80 || options.utf8Quoted) }
    }

    // string = quoted / literal
    @discardableResult
    public mutating func writeString(_ b: [UInt8]) -> Int {
        canQuote(b) ? writeQuoted(b) : writeLiteral(b)
    }

    @discardableResult
    public mutating func writeString(_ s: String) -> Int { writeString(Array(s.utf8)) }

    // astring = 1*ASTRING-CHAR / string
    @discardableResult
    public mutating func writeAString(_ b: [UInt8]) -> Int {
        if !b.isEmpty, b.allSatisfy(\.isAStringChar), !Self.isNil(b) { return writeBytes(b) }
        return writeString(b)
    }

    @discardableResult
    public mutating func writeAString(_ s: String) -> Int { writeAString(Array(s.utf8)) }

    // nstring = string / nil
    @discardableResult
    public mutating func writeNString(_ b: [UInt8]?) -> Int {
        guard let b else { return writeNil() }
        return writeString(b)
    }

    /// An atom when the bytes are one, else a string (for values the grammar types as astring
    /// but that read better bare, such as flags in extension data).
    @discardableResult
    public mutating func writeAtomOrString(_ s: String) -> Int {
        let b = Array(s.utf8)
        if !b.isEmpty, b.allSatisfy(\.isAtomChar), !Self.isNil(b) { return writeBytes(b) }
        return writeString(b)
    }

    /// `(` items separated by SP `)`.
    @discardableResult
    public mutating func writeList<S: Sequence>(_ items: S, _ body: (inout EncodeBuffer, S.Element) -> Int) -> Int {
        var n = writeRaw("(")
        var first = true
        for item in items {
            if !first { n += writeSpace() }
            first = false
            n += body(&self, item)
        }
        return n + writeRaw(")")
    }

    /// Appends another buffer's bytes, keeping its stop points.
    @discardableResult
    public mutating func append(_ other: EncodeBuffer) -> Int {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        stopPoints.append(contentsOf: other.stopPoints.map { $0 + base })
        return other.bytes.count
    }

    static func isNil(_ b: [UInt8]) -> Bool {
        b.count == 3 && b.map(PL.asciiLower) == Array("nil".utf8)
    }
}
