import IMAPWire
import MUpdate
import Transport

/// A frontend session's connection to one backend (SPEC.md §5), authenticated as the proxy
/// identity on behalf of the session's user.
///
///     S: * OK [CAPABILITY IMAP4rev1 … AUTH=PLAIN SASL-IR] backend1 ready
///     C: M1 AUTHENTICATE PLAIN YWxpY2UAbXVyZGVyAHNlY3JldA==      (alice\0murder\0secret)
///     S: M1 OK [CAPABILITY IMAP4rev1 … IDLE MULTIAPPEND …] User logged in
///
/// The session owns it and reads it through its inbox; this holds the connection, the response
/// reader, what the backend offers and what the frontend sent it.
final class BackendLink {
    let id: UInt64
    /// The servername, as in the mailbox list's locations.
    let server: String
    let conn: any Connection
    var reader: SegmentReader
    var capabilities: Set<String> = []
    var lastUsed = ContinuousClock.now
    var counter = 0
    /// Extensions ENABLEd here (RFC 5161).
    var enabled: Set<String> = []
    /// Bytes queued for the backend, written by ``FrontendSession/flushLinks()``.
    var pending: [UInt8] = []
    /// Whether the response being read is dropped rather than relayed (a BYE, an answer to one
    /// of the frontend's own commands).
    var dropping = false
    /// The backend said BYE: it is going away.
    var saidBye = false
    /// A command of the session is in flight here across inputs (a streamed APPEND): what the
    /// backend sends meanwhile stays in ``reader`` for the command to read.
    var busy = false

    init(id: UInt64, server: String, conn: any Connection) {
        self.id = id
        self.server = server
        self.conn = conn
        reader = SegmentReader(mode: .responses, limits: .responses)
    }

    /// A tag for the frontend's own commands: `M` and a counter. They are sent only while no
    /// client command is outstanding on this connection (SPEC.md §5), so they cannot collide.
    func nextTag() -> String {
        counter += 1
        return "M\(counter)"
    }

    func has(_ capability: String) -> Bool { capabilities.contains(capability.uppercased()) }

    /// Reads the capability list of a `[CAPABILITY …]` code or a `* CAPABILITY` response.
    static func capabilities(in response: Response) -> Set<String>? {
        switch response {
        case .untagged(.capability(let caps)):
            return Set(caps.map { $0.uppercased() })
        case .untagged(.state(let state)):
            if case .capability(let caps)? = state.text.code { return Set(caps.map { $0.uppercased() }) }
            return nil
        case .tagged(let tagged):
            if case .capability(let caps)? = tagged.state.text.code { return Set(caps.map { $0.uppercased() }) }
            return nil
        case .untagged(.preauth(let text)):
            if case .capability(let caps)? = text.code { return Set(caps.map { $0.uppercased() }) }
            return nil
        default:
            return nil
        }
    }
}

/// Why a backend could not be used.
struct BackendUnavailable: Error, CustomStringConvertible {
    var server: String
    var reason: String
    var description: String { "backend \(server): \(reason)" }
}
