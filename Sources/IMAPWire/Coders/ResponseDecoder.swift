/// A reader of whole frames that parses each with one function: what a client uses to read a
/// server (IMAP responses, or MUPDATE responses with the MUpdate module's parser).
///
///     S: * 1 FETCH (BODY[] {5}          -> .value(* 1 FETCH (BODY[] "hello"))
///     S: hello)
///     S: A1 OK done                     -> .value(A1 OK done)
///
/// A frame the grammar refuses comes as ``Event/malformed(_:_:)`` with its bytes, and reading
/// goes on with the next; a stream that cannot be resynchronised comes as ``Event/fatal(_:)``
/// once. Message bodies are held whole, up to ``Limits/maxLiteralSize``.
public struct FrameDecoder<Output: Sendable>: Sendable {
    public enum Event: Sendable {
        case value(Output)
        /// The bytes of a frame that did not parse, and why.
        case malformed([UInt8], any Error & Sendable)
        case fatal(FrameError)
    }

    var assembler: FrameAssembler
    let limits: Limits
    let parse: @Sendable (inout ParseBuffer) throws -> Output

    public init(limits: Limits, parse: @escaping @Sendable (inout ParseBuffer) throws -> Output) {
        self.limits = limits
        self.parse = parse
        assembler = FrameAssembler(mode: .responses, limits: limits)
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        assembler.append(bytes)
    }

    public var buffered: Int { assembler.buffered }

    public mutating func next() -> Event? {
        while let event = assembler.next() {
            switch event {
            case .frame(let bytes, _):
                var buffer = ParseBuffer(bytes, limits: limits)
                do {
                    let value = try parse(&buffer)
                    guard buffer.isAtEnd else {
                        return .malformed(bytes, ParserError("extra bytes after the frame", at: buffer.index))
                    }
                    return .value(value)
                } catch let e as ParserError {
                    return .malformed(bytes, e)
                } catch let e as LimitExceeded {
                    return .malformed(bytes, e)
                } catch {
                    return .malformed(bytes, ParserError("incomplete frame", at: bytes.count))
                }
            case .literalRequest:
                continue  // servers never wait for a continuation
            case .invalid(let error, _):
                return .malformed([], FrameRefused(error))
            case .close(let error, _):
                return .fatal(error)
            }
        }
        return nil
    }
}

/// A client's reader of IMAP server responses.
public typealias ResponseDecoder = FrameDecoder<Response>

extension FrameDecoder where Output == Response {
    public init(limits: Limits = .responses) {
        self.init(limits: limits) { try GrammarParser.parseResponse(&$0) }
    }
}
