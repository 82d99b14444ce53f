public import IMAPWire

/// A tagged MUPDATE command (SPEC.md §3.3). Tags and command names are atoms, matched without
/// regard to case; every other argument is a string, quoted or a literal (`{n}` or `{n+}`).
///
///     C: X1 RESERVE {8+}
///     C: user.bob {23+}
///     C: 127.0.0.1:14143!default
///     S: X1 OK "done"
///
/// - SeeAlso: [RFC 3656 §4](https://www.rfc-editor.org/rfc/rfc3656#section-4)
public struct MUpdateCommand: Sendable, Hashable {
    public var tag: String
    public var kind: Kind

    public init(tag: String, _ kind: Kind) {
        self.tag = tag
        self.kind = kind
    }

    /// The most names a PARTIAL-UPDATE may list (Cyrus's bound).
    public static let maxUpdateServers = 30

    public enum Kind: Sendable, Hashable {
        /// `AUTHENTICATE mech [initial]`. `initialResponse` is the base64 text as sent; the
        /// empty string stands for `=`, a zero-length response (RFC 3656 §4.2).
        case authenticate(mechanism: String, initialResponse: String?)
        /// `STARTTLS` (RFC 3656 §4.10).
        case startTLS
        /// `COMPRESS "DEFLATE"` (Cyrus extension).
        case compress(algorithm: String)
        /// `RESERVE name location` (RFC 3656 §4.9).
        case reserve(name: InternalMailboxName, location: MailboxLocation)
        /// `ACTIVATE name location acl` (RFC 3656 §4.1).
        case activate(name: InternalMailboxName, location: MailboxLocation, acl: CyrusACL)
        /// `DEACTIVATE name location` (RFC 3656 §4.3).
        case deactivate(name: InternalMailboxName, location: MailboxLocation)
        /// `DELETE name` (RFC 3656 §4.4).
        case delete(name: InternalMailboxName)
        /// `FIND name` (RFC 3656 §4.5).
        case find(name: InternalMailboxName)
        /// `LIST [prefix]`: every record whose location starts with `prefix` (RFC 3656 §4.6).
        case list(prefix: String?)
        /// `UPDATE [server …]`: dump then stream; with servers, only their records
        /// (PARTIAL-UPDATE, at most ``MUpdateCommand/maxUpdateServers``) (RFC 3656 §4.11).
        case update(servers: [String])
        /// `UPDATE SINCE "epoch" "seq"`: resume a stream (SPEC.md §3.5, `X-UPDATE-SINCE`).
        case updateSince(epoch: String, sequence: UInt64)
        /// `NOOP` (RFC 3656 §4.8).
        case noop
        /// `LOGOUT` (RFC 3656 §4.7).
        case logout

        /// The command name as written on the wire.
        public var name: String {
            switch self {
            case .authenticate: "AUTHENTICATE"
            case .startTLS: "STARTTLS"
            case .compress: "COMPRESS"
            case .reserve: "RESERVE"
            case .activate: "ACTIVATE"
            case .deactivate: "DEACTIVATE"
            case .delete: "DELETE"
            case .find: "FIND"
            case .list: "LIST"
            case .update, .updateSince: "UPDATE"
            case .noop: "NOOP"
            case .logout: "LOGOUT"
            }
        }

        /// Accepted before authentication (SPEC.md §3.3).
        public var isAllowedBeforeAuthentication: Bool {
            switch self {
            case .authenticate, .startTLS, .compress, .logout: true
            default: false
            }
        }

        /// Changes the list: refused by a list replica with `BAD "read-only session"`.
        public var isWrite: Bool {
            switch self {
            case .reserve, .activate, .deactivate, .delete: true
            default: false
            }
        }

        /// Accepted once the session streams updates (SPEC.md §3.3).
        public var isAllowedWhileStreaming: Bool {
            switch self {
            case .noop, .logout: true
            default: false
            }
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    /// Writes `command` the way Cyrus's clients (`mupdate-client.c`, `saslclient.c`) do: names,
    /// locations, ACLs and LIST prefixes as `{n+}` literals, the mechanism and the compression
    /// algorithm quoted, the initial SASL response as a `{n+}` literal, UPDATE's server names
    /// and the SINCE arguments quoted.
    ///
    ///     X1 ACTIVATE {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n
    ///     A01 AUTHENTICATE "PLAIN" {12+}\r\nAGJvYgBzZWNy\r\n
    @discardableResult
    public mutating func writeMUpdateCommand(_ command: MUpdateCommand) -> Int {
        var n = writeRaw(command.tag) + writeSpace() + writeRaw(command.kind.name)
        switch command.kind {
        case .authenticate(let mechanism, let initialResponse):
            n += writeSpace() + writeMUpdateQuoted(mechanism)
            if let initialResponse {
                // A literal holding "=" rather than a bare "=": Cyrus's master reads the initial
                // response with its string parser, which refuses atoms.
                n += writeSpace() + writeMUpdateLiteral(Array((initialResponse.isEmpty ? "=" : initialResponse).utf8))
            }
        case .compress(let algorithm):
            n += writeSpace() + writeMUpdateQuoted(algorithm)
        case .reserve(let name, let location), .deactivate(let name, let location):
            n += writeSpace() + writeMUpdateLiteral(name.bytes)
            n += writeSpace() + writeMUpdateLiteral(Array(location.description.utf8))
        case .activate(let name, let location, let acl):
            n += writeSpace() + writeMUpdateLiteral(name.bytes)
            n += writeSpace() + writeMUpdateLiteral(Array(location.description.utf8))
            n += writeSpace() + writeMUpdateLiteral(acl.bytes)
        case .delete(let name), .find(let name):
            n += writeSpace() + writeMUpdateLiteral(name.bytes)
        case .list(let prefix):
            if let prefix { n += writeSpace() + writeMUpdateLiteral(Array(prefix.utf8)) }
        case .update(let servers):
            for server in servers { n += writeSpace() + writeMUpdateString(Array(server.utf8)) }
        case .updateSince(let epoch, let sequence):
            n += writeRaw(" SINCE ") + writeMUpdateQuoted(epoch) + writeSpace() + writeMUpdateQuoted(String(sequence))
        case .startTLS, .noop, .logout:
            break
        }
        return n + writeNewline()
    }
}
