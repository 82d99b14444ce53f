import MurderTestSupport
import Testing

@testable import IMAPWire

/// parseTaggedCommand with ``BadCommand`` unwrapped, so ``ParseFixture`` sees the
/// ParserError or LimitExceeded underneath.
func parseCommandFrame(_ buffer: inout ParseBuffer) throws -> TaggedCommand {
    do {
        return try GrammarParser.parseTaggedCommand(&buffer)
    } catch let bad as BadCommand {
        throw bad.underlying
    }
}

extension ParseFixture where T == Command {
    /// The frame `A1 <line>\r\n`, followed by a sentinel the parser must not touch.
    static func line(
        _ line: String, _ expected: Expected, limits: Limits = .commands,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        ParseFixture("A1 " + line + "\r\n", "+", expected, limits: limits, sourceLocation: sourceLocation)
    }

    /// The frame as given, with no CRLF added (for truncated input).
    static func frame(
        _ frame: String, _ expected: Expected, limits: Limits = .commands,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        ParseFixture(frame, "", expected, limits: limits, sourceLocation: sourceLocation)
    }

    func checkCommand() { check { try parseCommandFrame(&$0).command } }
}

/// Bytes of a string, for the `[UInt8]` payloads of commands.
func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A mailbox name.
func mb(_ s: String) -> MailboxName { MailboxName(s) }

/// An internal date, for fixtures.
func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0, _ s: Int = 0, zone: Int = 0) -> InternalDate {
    InternalDate(year: y, month: m, day: d, hour: h, minute: min, second: s, zoneMinutes: zone)!
}

/// A calendar date, for fixtures.
func day(_ y: Int, _ m: Int, _ d: Int) -> IMAPDate { IMAPDate(year: y, month: m, day: d)! }

/// Encodes `tagged` with `options`, parses it back, and checks both the value and that
/// encoding again gives the same bytes.
func expectRoundtrip(
    _ tagged: TaggedCommand, options: EncodingOptions = .server, sourceLocation: SourceLocation = #_sourceLocation
) {
    var encoder = EncodeBuffer(options)
    let n = encoder.writeTaggedCommand(tagged)
    #expect(n == encoder.bytes.count, sourceLocation: sourceLocation)
    var buffer = ParseBuffer(encoder.bytes)
    do {
        let parsed = try GrammarParser.parseTaggedCommand(&buffer)
        #expect(parsed == tagged, "\(encoder.string.debugDescription)", sourceLocation: sourceLocation)
        #expect(
            buffer.isAtEnd, "stopped at \(buffer.index) of \(encoder.string.debugDescription)",
            sourceLocation: sourceLocation)
        var again = EncodeBuffer(options)
        again.writeTaggedCommand(parsed)
        #expect(again.bytes == encoder.bytes, sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(error) parsing \(encoder.string.debugDescription)", sourceLocation: sourceLocation)
    }
}
