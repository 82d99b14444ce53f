/// A client's reader of server responses: bytes in, parsed responses out.
///
///     S: * 1 FETCH (BODY[] {5}          -> .response(* 1 FETCH (BODY[] "hello"))
///     S: hello)
///     S: A1 OK done                     -> .response(A1 OK done)
///
/// A response the grammar refuses comes as ``Event/malformed(_:_:)`` with its bytes, and
/// reading goes on with the next; a stream that cannot be resynchronised comes as
/// ``Event/fatal(_:)``. Message bodies are held whole, up to ``Limits/maxLiteralSize``.
public struct ResponseDecoder: Sendable {
    public enum Event: Sendable {
        case response(Response)
        /// The bytes of a response that did not parse, and why.
        case malformed([UInt8], any Error & Sendable)
        case fatal(FrameError)
    }

    var assembler: FrameAssembler
    let limits: Limits

    public init(limits: Limits = .responses) {
        self.limits = limits
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
                    let response = try GrammarParser.parseResponse(&buffer)
                    guard buffer.isAtEnd else {
                        return .malformed(bytes, ParserError("extra bytes after response", at: buffer.index))
                    }
                    return .response(response)
                } catch let e as ParserError {
                    return .malformed(bytes, e)
                } catch let e as LimitExceeded {
                    return .malformed(bytes, e)
                } catch {
                    return .malformed(bytes, ParserError("incomplete response", at: bytes.count))
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
