import IMAPWire
import Synchronization

/// Parsers for RFC 3656, built on IMAPWire's combinators and core rules.
///
/// Each parser reads one complete frame (a line with its literals in place, as a frame scanner
/// delimits it) from a ``ParseBuffer`` that should carry ``Limits/mupdate``, and leaves the index
/// just after the frame's final CRLF, so that pipelined frames can be read from one buffer in
/// turn. Running off the end throws ``IncompleteMessage``; bad syntax ``ParserError``; a bound
/// of SPEC.md §3.1 (line, literal, mailbox name) ``LimitExceeded``. ``parseCommand(_:)`` wraps the
/// last two in a ``BadCommand`` carrying the tag once it was read. After an error the index is
/// unspecified: the caller skips to the end of the frame.
public enum MUpdateParser {}

// MARK: - Shared rules

extension MUpdateParser {
    static let sp = UInt8(ascii: " ")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    static let needCommand = MUpdateResponseText.needCommand.text
    static let nullCommand = MUpdateResponseText.nullCommand.text
    static let unrecognizedCommand = MUpdateResponseText.unrecognizedCommand.text
    static let missingArguments = MUpdateResponseText.missingArguments.text
    static let extraArguments = MUpdateResponseText.extraArguments.text
    static let badlyFormedArguments = MUpdateResponseText.badlyFormedArguments.text

    /// Throws when the line that starts at `start` (up to and including its LF, literal bodies
    /// excluded) is longer than ``Limits/maxLineLength``. A line that has not ended yet and is
    /// still short enough passes: the parse that follows will ask for more bytes.
    static func checkLineLength(_ buffer: ParseBuffer, from start: Int) throws {
        let limit = buffer.limits.maxLineLength
        let end = min(buffer.bytes.count, start + limit)
        if start < end, buffer.bytes[start..<end].contains(lf) { return }
        if buffer.bytes.count >= start + limit { throw LimitExceeded(.lineLength, bound: limit) }
    }

    /// True at CR or LF.
    static func isAtNewline(_ buffer: ParseBuffer) throws -> Bool {
        let b = try buffer.peek()
        return b == cr || b == lf
    }

    // string = quoted / literal
    // A literal's bytes end one line and the text after them starts the next, which is checked
    // against the line bound in turn.
    static func parseString(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        let isLiteral = try buffer.peek() == UInt8(ascii: "{")
        let value = try GrammarParser.parseString(&buffer)
        if isLiteral { try checkLineLength(buffer, from: buffer.index) }
        return value
    }

    /// `SP` before a required argument.
    static func parseArgumentSpace(_ buffer: inout ParseBuffer) throws {
        guard try buffer.peek() == sp else { throw buffer.error(missingArguments) }
        buffer.index += 1
    }

    /// A string argument; a malformed one is reported as such.
    static func parseArgument(_ buffer: inout ParseBuffer) throws -> [UInt8] {
        do {
            return try parseString(&buffer)
        } catch let error as ParserError {
            throw ParserError(badlyFormedArguments, at: error.offset)
        }
    }

    /// A string argument or, for names like SASL mechanisms, an atom.
    static func parseArgumentOrAtom(_ buffer: inout ParseBuffer) throws -> String {
        let start = buffer.index
        let b = try buffer.peek()
        let bytes: [UInt8]
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") {
            bytes = try parseArgument(&buffer)
        } else {
            do {
                bytes = Array(try GrammarParser.parseAtom(&buffer).utf8)
            } catch is ParserError {
                throw ParserError(badlyFormedArguments, at: start)
            }
        }
        guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else {
            throw ParserError(badlyFormedArguments, at: start)
        }
        return text
    }

    /// The CRLF that ends the frame; anything else is an extra argument.
    static func parseEnd(_ buffer: inout ParseBuffer) throws {
        do {
            try PL.newline(&buffer)
        } catch let error as ParserError {
            throw ParserError(extraArguments, at: error.offset)
        }
    }

    // name = string ; an internal mailbox name, at most Limits.maxMailboxNameLength octets
    static func parseName(_ buffer: inout ParseBuffer) throws -> InternalMailboxName {
        let start = buffer.index
        let bytes = try parseArgument(&buffer)
        guard bytes.count <= buffer.limits.maxMailboxNameLength else {
            throw LimitExceeded(.mailboxNameLength, bound: buffer.limits.maxMailboxNameLength)
        }
        guard !bytes.isEmpty else { throw ParserError(badlyFormedArguments, at: start) }
        return InternalMailboxName(bytes)
    }

    // location = string ; servername ["!" partition]
    static func parseLocation(_ buffer: inout ParseBuffer) throws -> MailboxLocation {
        let start = buffer.index
        let bytes = try parseArgument(&buffer)
        if let known = locationCache.withLock({ $0[bytes] }) { return known }
        guard let location = MailboxLocation(bytes) else {
            throw ParserError(badlyFormedArguments, at: start)
        }
        locationCache.withLock { cache in
            if cache.count >= maxCachedLocations { cache.removeAll(keepingCapacity: true) }
            cache[bytes] = location
        }
        return location
    }

    /// Locations seen lately: a murder has a handful of servers, and a dump of a million
    /// records names them a million times.
    static let locationCache = Mutex<[[UInt8]: MailboxLocation]>([:])
    static let maxCachedLocations = 1024

    // acl = string ; Cyrus TAB form
    static func parseACL(_ buffer: inout ParseBuffer) throws -> CyrusACL {
        let start = buffer.index
        let bytes = try parseArgument(&buffer)
        do {
            return try CyrusACL(parsing: bytes)
        } catch {
            throw ParserError(badlyFormedArguments, at: start)
        }
    }

    // epoch = string ; 1*256 printable ASCII
    static func parseEpoch(_ buffer: inout ParseBuffer) throws -> String {
        let start = buffer.index
        let bytes = try parseArgument(&buffer)
        guard (1...256).contains(bytes.count), bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ParserError(badlyFormedArguments, at: start)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // seq = string ; 1*20 DIGIT, an unsigned 64-bit number
    static func parseSequence(_ buffer: inout ParseBuffer) throws -> UInt64 {
        let start = buffer.index
        let bytes = try parseArgument(&buffer)
        guard (1...20).contains(bytes.count), bytes.allSatisfy(\.isDigit),
            let value = UInt64(String(decoding: bytes, as: UTF8.self))
        else { throw ParserError(badlyFormedArguments, at: start) }
        return value
    }

    /// The base64 alphabet of RFC 4648 §4, padding included.
    static func isBase64Char(_ b: UInt8) -> Bool {
        b.isAlpha || b.isDigit || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }

    static func isBase64(_ bytes: some Collection<UInt8>) -> Bool { bytes.allSatisfy(isBase64Char) }
}
