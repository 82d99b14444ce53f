import CMurderSystem
public import Logging

/// The server side of authentication for one client connection, backed by libsasl2 and the
/// node's sasldb.
///
///     C: A1 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=
///     S: A1 OK authenticated
///     C: A2 LOGIN bob secret                     (checkPassword)
///
/// The caller decodes base64 and sends challenges; this type sees bytes. Mechanism names are
/// compared upper-case. After a failure or `cancel()`, the next `start` begins on a fresh libsasl2
/// connection. Not thread-safe: one connection's task uses it at a time (libsasl2 calls themselves
/// are serialised process-wide in CSystem).
///
/// - SeeAlso: [RFC 9051 §6.2.2](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.2),
///   [RFC 4959](https://www.rfc-editor.org/rfc/rfc4959) (SASL-IR)
public final class SASLServerSession {
    /// The longest client response accepted (after base64 decoding).
    public static let maximumResponseLength = 16 * 1024
    /// The most challenges one exchange may take (SCRAM needs 2, LOGIN 2).
    public static let maximumChallenges = 8
    /// The longest user name or password accepted by `checkPassword`.
    public static let maximumCredentialLength = 1024

    public let config: SASLConfig
    public let proxyPolicy: ProxyPolicy
    /// Set when the connection is under TLS: plaintext mechanisms are then allowed.
    public var tlsActive = false
    /// Who the session acts as, once authenticated.
    public private(set) var identity: Identity?

    private enum State {
        case idle
        case exchanging(challenges: Int)
        case failed, authenticated
    }
    private var state = State.idle
    private let connection: SASLServerConnection

    /// Opens a libsasl2 server connection for one client.
    /// - Parameters:
    ///   - serverFQDN: this host's name (the realm when `config.realm` is nil); nil means the host name.
    ///   - localIP, remoteIP: "a.b.c.d;port", used by mechanisms that bind to addresses; may be nil.
    ///   - logger: receives libsasl2's log lines; nil turns them off.
    public init(
        config: SASLConfig, serviceName: String = "imap", serverFQDN: String? = nil, localIP: String? = nil,
        remoteIP: String? = nil, proxyPolicy: ProxyPolicy = ProxyPolicy(), logger: Logger? = nil
    ) throws(AuthError) {
        self.config = config
        self.proxyPolicy = proxyPolicy
        connection = try SASLServerConnection(
            service: serviceName, serverFQDN: serverFQDN ?? SASLLibrary.hostName, realm: config.realm,
            localIP: localIP, remoteIP: remoteIP, sasldbPath: config.sasldbPath, mechanisms: config.mechanisms,
            logSink: logger.map(SASLLogSink.init))
    }

    /// The mechanisms to advertise: installed, allowed by the config, and (for PLAIN and LOGIN)
    /// allowed on this connection; in the config's order.
    ///
    ///     S: * CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256
    public func mechanisms() -> [String] {
        var list: UnsafePointer<CChar>?
        guard Int(mc_sys_sasl_server_listmech(connection.handle, &list)) == MC_SYS_SASL_OK, let list else {
            return []
        }
        let installed = Set(String(cString: list).split(separator: " ").map { $0.uppercased() })
        return config.mechanisms.filter { installed.contains($0) && plaintextAllowed($0) }
    }

    /// Whether IMAP LOGIN (and PLAIN/LOGIN) may be used now; false means advertise LOGINDISABLED.
    public var plaintextPermitted: Bool { config.allowPlaintext || tlsActive }

    /// Starts an exchange. `initialResponse` nil means the client sent none (no SASL-IR); an empty
    /// array means it sent `=`.
    public func start(mechanism: String, initialResponse: [UInt8]?) throws(AuthError) -> SASLStep {
        try prepareForNewAttempt()
        let name = mechanism.uppercased()
        guard SASLConfig.isMechanismName(name), config.mechanisms.contains(name) else {
            throw AuthError(code: .noMechanism, detail: "mechanism \(name.prefix(40)) not allowed")
        }
        guard plaintextAllowed(name) else { throw AuthError(code: .encrypt, detail: "\(name) without TLS") }
        if let initialResponse, initialResponse.count > Self.maximumResponseLength {
            state = .failed
            throw AuthError(code: .badProtocol, detail: "initial response of \(initialResponse.count) bytes")
        }
        state = .exchanging(challenges: 0)
        var out: UnsafeRawPointer?
        var outLength = 0
        let result = (initialResponse ?? []).withUnsafeBytes { bytes in
            mc_sys_sasl_server_start(
                connection.handle, name, bytes.baseAddress, bytes.count, initialResponse == nil ? 0 : 1, &out,
                &outLength)
        }
        return try advance(result, out: out, length: outLength)
    }

    /// Hands the client's answer to the last challenge to the mechanism.
    public func step(_ response: [UInt8]) throws(AuthError) -> SASLStep {
        guard case .exchanging = state else {
            throw AuthError(code: .badProtocol, message: "no authentication in progress")
        }
        guard response.count <= Self.maximumResponseLength else {
            state = .failed
            throw AuthError(code: .badProtocol, detail: "response of \(response.count) bytes")
        }
        var out: UnsafeRawPointer?
        var outLength = 0
        let result = response.withUnsafeBytes { bytes in
            mc_sys_sasl_server_step(connection.handle, bytes.baseAddress, bytes.count, &out, &outLength)
        }
        return try advance(result, out: out, length: outLength)
    }

    /// Abandons the exchange in progress (the client sent `*`); the next `start` begins afresh.
    ///
    ///     C: *
    ///     S: A1 BAD authentication cancelled
    public func cancel() {
        guard case .exchanging = state else { return }
        state = .failed
    }

    /// Checks a plaintext password: IMAP LOGIN.
    ///
    ///     C: A1 LOGIN bob secret
    ///     S: A1 OK logged in
    ///
    /// - SeeAlso: [RFC 9051 §6.2.3](https://www.rfc-editor.org/rfc/rfc9051#section-6.2.3)
    public func checkPassword(user: String, password: String) throws(AuthError) -> AuthResult {
        try prepareForNewAttempt()
        guard plaintextPermitted else { throw AuthError(code: .encrypt, detail: "LOGIN without TLS") }
        guard SASLLibrary.isCString(user, limit: Self.maximumCredentialLength),
            SASLLibrary.isCString(password, limit: Self.maximumCredentialLength)
        else {
            state = .failed
            throw AuthError(code: .badAuth, detail: "empty, over-long or NUL-bearing credentials")
        }
        let result = password.withCString { pass in
            mc_sys_sasl_server_checkpass(connection.handle, user, pass, password.utf8.count)
        }
        guard Int(result) == MC_SYS_SASL_OK else {
            state = .failed
            throw connection.error(result)
        }
        let id = SASLLibrary.stripRealm(connection.username ?? user, realm: config.realm)
        return try authorize(AuthResult(authenticationID: id, authorizationID: id))
    }

    // MARK: - Internals

    private func plaintextAllowed(_ mechanism: String) -> Bool {
        !SASLConfig.plaintextMechanisms.contains(mechanism) || plaintextPermitted
    }

    private func prepareForNewAttempt() throws(AuthError) {
        switch state {
        case .idle: return
        case .authenticated: throw AuthError(code: .badProtocol, message: "already authenticated")
        case .exchanging, .failed:
            identity = nil
            state = .idle
            try connection.reset()
        }
    }

    private func advance(_ result: Int32, out: UnsafeRawPointer?, length: Int) throws(AuthError) -> SASLStep {
        switch Int(result) {
        case MC_SYS_SASL_CONTINUE:
            guard case .exchanging(let challenges) = state, challenges < Self.maximumChallenges else {
                state = .failed
                throw AuthError(code: .badProtocol, detail: "too many challenges")
            }
            state = .exchanging(challenges: challenges + 1)
            let bytes = out.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
            return .challenge(bytes)
        case MC_SYS_SASL_OK:
            guard let authcid = connection.authuser ?? connection.username else {
                state = .failed
                throw AuthError(code: .unavailable, detail: "libsasl2 reported success without a user")
            }
            let authzid = connection.username ?? authcid
            return .success(
                try authorize(
                    AuthResult(
                        authenticationID: SASLLibrary.stripRealm(authcid, realm: config.realm),
                        authorizationID: SASLLibrary.stripRealm(authzid, realm: config.realm))))
        default:
            state = .failed
            throw connection.error(result)
        }
    }

    private func authorize(_ result: AuthResult) throws(AuthError) -> AuthResult {
        switch proxyPolicy.authorize(
            authenticationID: result.authenticationID, authorizationID: result.authorizationID)
        {
        case .success(let identity):
            self.identity = identity
            state = .authenticated
            return result
        case .failure(let error):
            state = .failed
            throw error
        }
    }
}
