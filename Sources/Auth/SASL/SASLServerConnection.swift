import CMurderSystem

/// One libsasl2 server connection (`mc_sys_sasl_server`), freed in `deinit`. Shared by
/// `SASLServerSession` (authentication) and `SASLDatabase` (password changes).
final class SASLServerConnection {
    let handle: OpaquePointer
    /// Keeps the log sink alive as long as the C connection may call it.
    private let logSink: SASLLogSink?

    init(
        service: String, serverFQDN: String, realm: String?, localIP: String?, remoteIP: String?,
        sasldbPath: String, mechanisms: [String]?, logSink: SASLLogSink?
    ) throws(AuthError) {
        self.logSink = logSink
        let mechList = mechanisms.map { $0.joined(separator: " ") }
        let context = logSink.map { Unmanaged.passUnretained($0).toOpaque() }
        var handle: OpaquePointer?
        let result = try SASLLibrary.withCStrings([service, serverFQDN, realm, localIP, remoteIP, sasldbPath, mechList])
        {
            (c) throws(AuthError) -> Int32 in
            var options = mc_sys_sasl_server_options(
                service: c[0], server_fqdn: c[1], user_realm: c[2], local_ip: c[3], remote_ip: c[4],
                sasldb_path: c[5], mech_list: c[6], log: logSink == nil ? nil : SASLLogSink.callback,
                log_context: context)
            return mc_sys_sasl_server_new(&options, &handle)
        }
        guard Int(result) == MC_SYS_SASL_OK, let handle else {
            throw SASLLibrary.error(result, detail: "cannot open a libsasl2 server connection")
        }
        self.handle = handle
    }

    deinit { mc_sys_sasl_server_free(handle) }

    var errorDetail: String { String(cString: mc_sys_sasl_server_errdetail(handle)) }

    func error(_ result: Int32) -> AuthError { SASLLibrary.error(result, detail: errorDetail) }

    func reset() throws(AuthError) {
        let result = mc_sys_sasl_server_reset(handle)
        guard Int(result) == MC_SYS_SASL_OK else { throw error(result) }
    }

    var username: String? { mc_sys_sasl_server_username(handle).map { String(cString: $0) } }
    var authuser: String? { mc_sys_sasl_server_authuser(handle).map { String(cString: $0) } }
}
