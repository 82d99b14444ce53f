import CMurderSystem

/// The client side of SASL, for a frontend authenticating to a backend as its proxy identity on
/// behalf of a user.
///
///     C: A1 AUTHENTICATE PLAIN Ym9iAHByb3h5AHNlY3JldA==   (authzid bob, authcid proxy)
///     S: A1 OK authenticated
///
/// Drive it with the server's mechanism list, then hand each challenge to `step(_:)` and send
/// what it returns (possibly empty) until the server answers OK. Not thread-safe.
///
/// - SeeAlso: [RFC 4422 §5](https://www.rfc-editor.org/rfc/rfc4422#section-5)
public final class SASLClientSession {
    /// The longest challenge accepted.
    public static let maximumChallengeLength = 16 * 1024

    /// The mechanism `start` chose.
    public private(set) var mechanism: String?
    /// True once libsasl2 considers the exchange complete on the client side.
    public private(set) var isComplete = false

    private let handle: OpaquePointer

    /// - Parameters:
    ///   - authorizationID: the user to act as; nil or empty for oneself.
    public init(
        serviceName: String = "imap", serverFQDN: String, authenticationID: String, authorizationID: String? = nil,
        password: String
    ) throws(AuthError) {
        var handle: OpaquePointer?
        let result = try SASLLibrary.withCStrings([serviceName, serverFQDN, authenticationID, authorizationID]) {
            (c) throws(AuthError) -> Int32 in
            password.withCString { pass in
                var options = mc_sys_sasl_client_options(
                    service: c[0], server_fqdn: c[1], authcid: c[2], authzid: c[3], password: pass,
                    passwordlen: password.utf8.count)
                return mc_sys_sasl_client_new(&options, &handle)
            }
        }
        guard Int(result) == MC_SYS_SASL_OK, let handle else {
            throw SASLLibrary.error(result, detail: "cannot open a libsasl2 client connection")
        }
        self.handle = handle
    }

    deinit { mc_sys_sasl_client_free(handle) }

    /// Picks the best mechanism libsasl2 supports among `serverMechanisms` and returns it with
    /// the initial response (nil when the mechanism starts with a server challenge).
    public func start(serverMechanisms: [String]) throws(AuthError) -> (mechanism: String, initialResponse: [UInt8]?) {
        let list = serverMechanisms.filter(SASLConfig.isMechanismName).joined(separator: " ")
        var chosen: UnsafePointer<CChar>?
        var out: UnsafeRawPointer?
        var outLength = 0
        var hasOutput: Int32 = 0
        let result = mc_sys_sasl_client_start(handle, list, &chosen, &out, &outLength, &hasOutput)
        guard Int(result) == MC_SYS_SASL_OK || Int(result) == MC_SYS_SASL_CONTINUE, let chosen else {
            throw SASLLibrary.error(result, detail: errorDetail)
        }
        let name = String(cString: chosen)
        mechanism = name
        isComplete = Int(result) == MC_SYS_SASL_OK
        let response = hasOutput != 0 ? Self.bytes(out, outLength) : nil
        return (name, response)
    }

    /// Answers a server challenge.
    public func step(_ challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        guard mechanism != nil else { throw AuthError(code: .badProtocol, message: "no exchange started") }
        guard challenge.count <= Self.maximumChallengeLength else {
            throw AuthError(code: .badProtocol, detail: "challenge of \(challenge.count) bytes")
        }
        var out: UnsafeRawPointer?
        var outLength = 0
        let result = challenge.withUnsafeBytes { bytes in
            mc_sys_sasl_client_step(handle, bytes.baseAddress, bytes.count, &out, &outLength)
        }
        guard Int(result) == MC_SYS_SASL_OK || Int(result) == MC_SYS_SASL_CONTINUE else {
            throw SASLLibrary.error(result, detail: errorDetail)
        }
        isComplete = Int(result) == MC_SYS_SASL_OK
        return Self.bytes(out, outLength)
    }

    private var errorDetail: String { String(cString: mc_sys_sasl_client_errdetail(handle)) }

    private static func bytes(_ pointer: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
        pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    }
}
