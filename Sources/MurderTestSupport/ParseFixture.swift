public import IMAPWire
public import Testing

/// One parse case: input bytes surrounded by sentinels, and what the parser must do with them.
///
/// `expected` is `.success(value)` (the parser must stop exactly before the trailing sentinel),
/// `.incomplete` (the input is a true prefix) or `.failure` (a ParserError), or `.overLimit`.
public struct ParseFixture<T: Equatable & Sendable>: CustomStringConvertible, Sendable {
    public enum Expected: Sendable {
        case success(T)
        case incomplete
        case failure
        case overLimit(Limit)
    }

    public var input: String
    public var terminator: String
    public var expected: Expected
    public var limits: Limits = .commands
    public var sourceLocation: SourceLocation

    public init(
        _ input: String, _ terminator: String = "", _ expected: Expected, limits: Limits = .commands,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.input = input
        self.terminator = terminator
        self.expected = expected
        self.limits = limits
        self.sourceLocation = sourceLocation
    }

    public var description: String { input.debugDescription }

    /// Runs the parser on `input + terminator`; for success the cursor must sit at the terminator.
    public func check(_ parse: (inout ParseBuffer) throws -> T) {
        let bytes = Array(input.utf8) + Array(terminator.utf8)
        var buffer = ParseBuffer(bytes, limits: limits)
        do {
            let value = try parse(&buffer)
            switch expected {
            case .success(let want):
                #expect(value == want, sourceLocation: sourceLocation)
                #expect(buffer.index == input.utf8.count, "parser stopped at \(buffer.index)", sourceLocation: sourceLocation)
            default:
                Issue.record("expected \(expected), parsed \(value)", sourceLocation: sourceLocation)
            }
        } catch is IncompleteMessage {
            guard case .incomplete = expected else {
                Issue.record("expected \(expected), got incomplete", sourceLocation: sourceLocation)
                return
            }
        } catch let e as ParserError {
            guard case .failure = expected else {
                Issue.record("expected \(expected), got \(e)", sourceLocation: sourceLocation)
                return
            }
        } catch let e as LimitExceeded {
            guard case .overLimit(let limit) = expected, limit == e.limit else {
                Issue.record("expected \(expected), got \(e)", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Encodes with `write` and compares the exact bytes.
public func expectEncoded(
    _ expected: String, options: EncodingOptions = .server,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ write: (inout EncodeBuffer) -> Int
) {
    var buffer = EncodeBuffer(options)
    let n = write(&buffer)
    #expect(buffer.string == expected, sourceLocation: sourceLocation)
    #expect(n == buffer.bytes.count, "write returned \(n) for \(buffer.bytes.count) bytes", sourceLocation: sourceLocation)
}
