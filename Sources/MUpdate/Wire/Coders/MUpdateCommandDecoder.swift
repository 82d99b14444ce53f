public import IMAPWire

/// The master's (or a list replica's) reader of MUPDATE commands: bytes in, commands out.
///
///     C: A01 FIND {9+}        -> .command(A01 FIND user.bob)
///     C: user.bob
///     C: A02 LIST {3}         -> .literalRequest: answer "+ go ahead"
///
/// Errors come as ``Event/bad(_:)`` (answer `tag BAD "..."`, or `* BAD` without a tag);
/// a non-synchronising literal over the bound as ``Event/fatal(_:)`` (answer `* BYE` and
/// close). During SASL exchanges the session sets ``Mode/saslResponses``.
/// - SeeAlso: [RFC 3656 §2](https://www.rfc-editor.org/rfc/rfc3656#section-2)
public struct MUpdateCommandDecoder: Sendable {
    public enum Mode: Sendable, Hashable {
        case commands
        /// Each frame is a client's SASL response (a base64 line, a literal, or `*`).
        case saslResponses
    }

    public enum Event: Sendable {
        case command(MUpdateCommand)
        case saslResponse(MUpdateSASLResponse)
        case literalRequest(LiteralRequest)
        case bad(BadCommand)
        case fatal(BadCommand)
    }

    public var mode: Mode = .commands
    var assembler: FrameAssembler
    let limits: Limits

    public init(limits: Limits = .mupdate) {
        self.limits = limits
        assembler = FrameAssembler(mode: .commands, limits: limits)
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        assembler.append(bytes)
    }

    public var buffered: Int { assembler.buffered }

    public mutating func refuseLiteral() { assembler.refuseLiteral() }

    public mutating func next() -> Event? {
        guard let event = assembler.next() else { return nil }
        switch event {
        case .frame(let bytes, _):
            var buffer = ParseBuffer(bytes, limits: limits)
            do {
                switch mode {
                case .commands: return .command(try MUpdateParser.parseCommand(&buffer))
                case .saslResponses: return .saslResponse(try MUpdateParser.parseSASLResponse(&buffer))
                }
            } catch let bad as BadCommand {
                return .bad(bad)
            } catch let e as ParserError {
                return .bad(BadCommand(tag: nil, underlying: e))
            } catch let e as LimitExceeded {
                return .bad(BadCommand(tag: nil, underlying: e))
            } catch {
                return .bad(BadCommand(tag: nil, underlying: ParserError("incomplete command", at: bytes.count)))
            }
        case .literalRequest(let request):
            return .literalRequest(request)
        case .invalid(let error, let tag):
            return .bad(BadCommand(tag: tag, underlying: FrameRefused(error)))
        case .close(let error, let tag):
            return .fatal(BadCommand(tag: tag, underlying: FrameRefused(error)))
        }
    }
}

/// A client's (a backend's or a list replica's) reader of what a MUPDATE server sends.
public typealias MUpdateResponseDecoder = FrameDecoder<MUpdateResponse>

extension FrameDecoder where Output == MUpdateResponse {
    public init(limits: Limits = .mupdate) {
        self.init(limits: limits) { try MUpdateParser.parseResponse(&$0) }
    }
}
