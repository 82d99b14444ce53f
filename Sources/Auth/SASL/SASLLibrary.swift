import CMurderSystem
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The translation layer between libsasl2's C results and Swift: result codes to `AuthError`,
/// strings to C copies, log lines to a `Logger`.
enum SASLLibrary {
    /// This host's name, the default server FQDN (what `saslpasswd2` uses as the realm).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// Maps a libsasl2 result to an error; `detail` is libsasl2's errdetail (logs only).
    static func error(_ result: Int32, detail: String) -> AuthError {
        let code: AuthError.Code =
            switch Int(result) {
            case MC_SYS_SASL_BADAUTH, MC_SYS_SASL_NOUSER, MC_SYS_SASL_DISABLED, MC_SYS_SASL_NOVERIFY,
                MC_SYS_SASL_BADMAC:
                .badAuth
            case MC_SYS_SASL_NOAUTHZ: .notAuthorizedForProxy
            case MC_SYS_SASL_NOMECH: .noMechanism
            case MC_SYS_SASL_TOOWEAK: .tooWeak
            case MC_SYS_SASL_ENCRYPT, MC_SYS_SASL_TRANS: .encrypt
            case MC_SYS_SASL_BADPROT, MC_SYS_SASL_NOTDONE, MC_SYS_SASL_BUFOVER: .badProtocol
            case MC_SYS_SASL_EXPIRED: .expired
            case MC_SYS_SASL_BADPARAM, MC_SYS_SASL_WEAKPASS: .badParameter
            default: .unavailable
            }
        return AuthError(code: code, detail: "\(detail) [sasl \(result)]", saslResult: result)
    }

    /// A user name or password that libsasl2 can take as a C string: no NUL, within `limit` bytes.
    static func isCString(_ s: String, limit: Int) -> Bool {
        let count = s.utf8.count
        return count > 0 && count <= limit && !s.utf8.contains(0)
    }

    /// Strips "@realm" when it is the node's own realm, so identities read as users typed them.
    static func stripRealm(_ id: String, realm: String?) -> String {
        guard let realm, !realm.isEmpty, id.hasSuffix("@" + realm) else { return id }
        return String(id.dropLast(realm.utf8.count + 1))
    }

    /// Runs `body` with C copies of `strings` (nil stays NULL), freed afterwards.
    static func withCStrings<R>(
        _ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws(AuthError) -> R
    ) throws(AuthError) -> R {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        for (original, copy) in zip(strings, copies) where original != nil && copy == nil {
            throw AuthError(code: .unavailable, detail: "out of memory")
        }
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// Forwards libsasl2's log lines to a `Logger`. Retained by the session that owns the C
/// connection, so it outlives every callback.
final class SASLLogSink {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// The C log callback: context is an unretained `SASLLogSink`.
    static let callback: mc_sys_sasl_log_fn = { context, level, message in
        guard let context, let message else { return }
        let sink = Unmanaged<SASLLogSink>.fromOpaque(context).takeUnretainedValue()
        let text = String(cString: message)
        let swiftLevel: Logger.Level =
            switch Int(level) {
            case MC_SYS_SASL_LOG_ERR: .error
            case MC_SYS_SASL_LOG_FAIL: .notice
            case MC_SYS_SASL_LOG_WARN: .warning
            case MC_SYS_SASL_LOG_NOTE: .info
            case MC_SYS_SASL_LOG_DEBUG: .debug
            default: .trace
            }
        sink.logger.log(level: swiftLevel, "sasl: \(text)")
    }
}
