/// Why authentication, authorisation or a sasldb change failed.
///
/// `message` is safe to send to a client: it never says whether a user exists (an unknown user,
/// a wrong password and a disabled account all read "authentication failed"). `detail` is for
/// logs only; it carries libsasl2's own explanation, which may name the user.
///
///     C: A1 LOGIN bob wrong
///     S: A1 NO [AUTHENTICATIONFAILED] authentication failed
///
/// - SeeAlso: [RFC 5530 §3](https://www.rfc-editor.org/rfc/rfc5530#section-3) (response codes)
public struct AuthError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, named after Cyrus's `imap/imap_err.et` and libsasl2's result codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Wrong credentials, unknown user or disabled account (SASL_BADAUTH, _NOUSER, _DISABLED).
        public static let badAuth = Code("badAuth")
        /// Authenticated, but may not act as the requested authorisation id (SASL_NOAUTHZ).
        public static let notAuthorizedForProxy = Code("notAuthorizedForProxy")
        /// The mechanism is unknown, not installed or not allowed here (SASL_NOMECH).
        public static let noMechanism = Code("noMechanism")
        /// The mechanism is too weak for this user or policy (SASL_TOOWEAK).
        public static let tooWeak = Code("tooWeak")
        /// Plaintext credentials refused without TLS (SASL_ENCRYPT; IMAP's LOGINDISABLED).
        public static let encrypt = Code("encrypt")
        /// The client broke the exchange: garbage, too long, too many steps, or cancelled (SASL_BADPROT).
        public static let badProtocol = Code("badProtocol")
        /// The password is right but has expired (SASL_EXPIRED).
        public static let expired = Code("expired")
        /// The sasldb or libsasl2 cannot be used right now (SASL_FAIL, _UNAVAIL, _TRYAGAIN, _NOMEM).
        public static let unavailable = Code("unavailable")
        /// The caller passed something libsasl2 refuses (SASL_BADPARAM), e.g. an empty password.
        public static let badParameter = Code("badParameter")
        /// Administration only: the user already has an entry in the sasldb.
        public static let userExists = Code("userExists")
        /// Administration only: the user has no entry in the sasldb.
        public static let noSuchUser = Code("noSuchUser")
    }

    public var code: Code
    /// Text safe to send to a client.
    public var message: String
    /// Text for logs only.
    public var detail: String
    /// libsasl2's result code, or 0 when the error was decided in Swift.
    public var saslResult: Int32

    public init(code: Code, message: String? = nil, detail: String = "", saslResult: Int32 = 0) {
        self.code = code
        self.message = message ?? Self.defaultMessage(code)
        self.detail = detail
        self.saslResult = saslResult
    }

    /// The RFC 5530 response code for a tagged `NO`, when one fits.
    public var responseCode: String? {
        switch code {
        case .badAuth: "AUTHENTICATIONFAILED"
        case .notAuthorizedForProxy: "AUTHORIZATIONFAILED"
        case .encrypt: "PRIVACYREQUIRED"
        case .expired: "EXPIRED"
        case .unavailable: "UNAVAILABLE"
        default: nil
        }
    }

    public var description: String {
        detail.isEmpty ? "\(code): \(message)" : "\(code): \(message) (\(detail))"
    }

    static func defaultMessage(_ code: Code) -> String {
        switch code {
        case .badAuth: "authentication failed"
        case .notAuthorizedForProxy: "not authorized to act as that user"
        case .noMechanism: "unsupported authentication mechanism"
        case .tooWeak: "authentication mechanism too weak"
        case .encrypt: "plaintext authentication requires TLS"
        case .badProtocol: "malformed authentication exchange"
        case .expired: "password expired"
        case .unavailable: "authentication temporarily unavailable"
        case .badParameter: "invalid authentication parameter"
        case .userExists: "user already exists"
        case .noSuchUser: "no such user"
        default: "authentication failed"
        }
    }
}
