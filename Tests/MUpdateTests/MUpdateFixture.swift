import IMAPWire
import Testing

@testable import MUpdate

/// One parse case: input bytes followed by sentinel bytes, and what the parser must do with them.
///
/// For `.success` the parser must stop exactly before the sentinel. A command error must be a
/// `BadCommand` with the expected tag; `.failure` and `.overLimit` are the bare errors of the
/// response parsers.
struct MUpdateFixture<T: Equatable & Sendable>: CustomStringConvertible, Sendable {
    enum Expected: Sendable {
        case success(T)
        case incomplete
        /// A ParserError, with this reason when given.
        case failure(String?)
        case overLimit(Limit)
        /// A BadCommand carrying this tag and a ParserError with this reason.
        case bad(tag: String?, reason: String)
        /// A BadCommand carrying this tag and a LimitExceeded.
        case badOverLimit(tag: String?, Limit)
    }

    var input: [UInt8]
    var terminator: [UInt8]
    var expected: Expected
    var limits: Limits
    var sourceLocation: SourceLocation

    init(
        _ input: String, _ expected: Expected, terminator: String = "XX", limits: Limits = .mupdate,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.init(
            bytes: Array(input.utf8), expected, terminator: terminator, limits: limits, sourceLocation: sourceLocation)
    }

    init(
        bytes: [UInt8], _ expected: Expected, terminator: String = "XX", limits: Limits = .mupdate,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.input = bytes
        self.terminator = Array(terminator.utf8)
        self.expected = expected
        self.limits = limits
        self.sourceLocation = sourceLocation
    }

    var description: String {
        let text = String(decoding: input, as: UTF8.self)
        return text.count > 80 ? String(text.prefix(77).debugDescription) + "…" : text.debugDescription
    }

    /// Runs the parser on `input + terminator`.
    func check(_ parse: (inout ParseBuffer) throws -> T) {
        var buffer = ParseBuffer(input + terminator, limits: limits)
        do {
            let value = try parse(&buffer)
            guard case .success(let want) = expected else {
                Issue.record("expected \(expected), parsed \(value)", sourceLocation: sourceLocation)
                return
            }
            #expect(value == want, sourceLocation: sourceLocation)
            #expect(buffer.index == input.count, "parser stopped at \(buffer.index)", sourceLocation: sourceLocation)
        } catch {
            checkError(error)
        }
    }

    /// Every strict prefix of a successful input must ask for more bytes.
    func checkPrefixesIncomplete(_ parse: (inout ParseBuffer) throws -> T) {
        guard case .success = expected else { return }
        for length in 0..<input.count {
            var buffer = ParseBuffer(Array(input[..<length]), limits: limits)
            do {
                let value = try parse(&buffer)
                Issue.record("prefix of \(length) bytes parsed as \(value)", sourceLocation: sourceLocation)
            } catch is IncompleteMessage {
            } catch {
                Issue.record("prefix of \(length) bytes: \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    private func checkError(_ error: any Error) {
        switch (expected, error) {
        case (.incomplete, is IncompleteMessage):
            return
        case (.failure(let reason), let e as ParserError):
            if let reason { #expect(e.reason == reason, sourceLocation: sourceLocation) }
        case (.overLimit(let limit), let e as LimitExceeded):
            #expect(e.limit == limit, sourceLocation: sourceLocation)
        case (.bad(let tag, let reason), let e as BadCommand):
            #expect(e.tag == tag, sourceLocation: sourceLocation)
            #expect((e.underlying as? ParserError)?.reason == reason, "\(e)", sourceLocation: sourceLocation)
        case (.badOverLimit(let tag, let limit), let e as BadCommand):
            #expect(e.tag == tag, sourceLocation: sourceLocation)
            #expect((e.underlying as? LimitExceeded)?.limit == limit, "\(e)", sourceLocation: sourceLocation)
        default:
            Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Encodes with `write` and compares the exact bytes.
func expectEncoded(
    _ expected: String, options: EncodingOptions = .server,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ write: (inout EncodeBuffer) -> Int
) {
    var buffer = EncodeBuffer(options)
    let n = write(&buffer)
    #expect(buffer.string == expected, sourceLocation: sourceLocation)
    #expect(
        n == buffer.bytes.count, "write returned \(n) for \(buffer.bytes.count) bytes", sourceLocation: sourceLocation)
}

/// Shorthands for expected values; they trap on invalid input, which is a bug in the test.
func location(_ text: String) -> MailboxLocation { MailboxLocation(text)! }

func acl(_ text: String) -> CyrusACL { try! CyrusACL(parsing: text) }
