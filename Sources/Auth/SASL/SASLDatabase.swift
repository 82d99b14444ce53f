import CMurderSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Cyrus sasldb (Berkeley DB) file: adds, changes and deletes users' passwords the way
/// `saslpasswd2` does, so Cyrus's tools and this node read the same file.
///
///     $ murder admin user add bob --sasldb /var/lib/murder/sasldb2
///     $ sasldblistusers2 -f /var/lib/murder/sasldb2
///     bob@imap.example.org: userPassword
///
/// Entries are keyed by user and realm: `realm` nil means this host's name, like `saslpasswd2`
/// without `-u`. A user given as `name@domain` is stored under realm `domain`. The password is
/// stored in plain text (`userPassword`, needed by PLAIN, LOGIN and IMAP LOGIN); SCRAM derives
/// its secrets from it. Listing users is left to `sasldblistusers2 -f PATH`: libsasl2 has no
/// public call that enumerates a sasldb.
///
/// - SeeAlso: [saslpasswd2(8)](https://manpages.debian.org/bookworm/sasl2-bin/saslpasswd2.8.en.html)
public struct SASLDatabase: Sendable, Hashable {
    /// The longest user name or password stored.
    public static let maximumCredentialLength = 1024

    public let path: String
    public let realm: String?

    public init(path: String, realm: String? = nil) {
        self.path = path
        self.realm = realm
    }

    /// Sets `user`'s password. With `create`, the user must be new (`.userExists` otherwise);
    /// without, it must exist (`.noSuchUser` otherwise). The file is created when missing.
    public func setPassword(user: String, password: String, create: Bool) throws(AuthError) {
        try checkUser(user)
        guard SASLLibrary.isCString(password, limit: Self.maximumCredentialLength) else {
            throw AuthError(
                code: .badParameter,
                message: "the password must be 1 to \(Self.maximumCredentialLength) bytes without NUL")
        }
        if !create { try requireFile() }
        let connection = try open()
        let exists = try exists(user, on: connection)
        if create, exists { throw AuthError(code: .userExists, message: "user \(user) already exists") }
        if !create, !exists { throw AuthError(code: .noSuchUser, message: "no user \(user) in \(path)") }
        let result = password.withCString { pass in
            mc_sys_sasl_server_setpass(
                connection.handle, user, pass, password.utf8.count, create ? Int32(MC_SYS_SASL_SET_CREATE) : 0)
        }
        guard Int(result) == MC_SYS_SASL_OK else { throw databaseError(result, connection) }
    }

    /// Deletes `user`'s secrets (`saslpasswd2 -d`); `.noSuchUser` when there are none.
    public func delete(user: String) throws(AuthError) {
        try checkUser(user)
        try requireFile()
        let connection = try open()
        guard try exists(user, on: connection) else {
            throw AuthError(code: .noSuchUser, message: "no user \(user) in \(path)")
        }
        let result = mc_sys_sasl_server_setpass(connection.handle, user, nil, 0, Int32(MC_SYS_SASL_SET_DISABLE))
        guard Int(result) == MC_SYS_SASL_OK else { throw databaseError(result, connection) }
    }

    /// Whether `user` has a password here; false also when the file cannot be read.
    public func contains(user: String) -> Bool {
        guard (try? checkUser(user)) != nil, let connection = try? open() else { return false }
        return (try? exists(user, on: connection)) ?? false
    }

    // MARK: - Internals

    private func checkUser(_ user: String) throws(AuthError) {
        guard SASLLibrary.isCString(user, limit: Self.maximumCredentialLength) else {
            throw AuthError(
                code: .badParameter,
                message: "the user name must be 1 to \(Self.maximumCredentialLength) bytes without NUL")
        }
    }

    /// Changing or deleting needs an existing file: a wrong path must not read as "no such user".
    private func requireFile() throws(AuthError) {
        guard access(path, F_OK) == 0 else {
            throw AuthError(code: .unavailable, message: "no sasldb at \(path)", detail: "access: errno \(errno)")
        }
    }

    private func open() throws(AuthError) -> SASLServerConnection {
        try SASLServerConnection(
            service: "murder", serverFQDN: realm ?? SASLLibrary.hostName, realm: realm, localIP: nil, remoteIP: nil,
            sasldbPath: path, mechanisms: nil, logSink: nil)
    }

    private func exists(_ user: String, on connection: SASLServerConnection) throws(AuthError) -> Bool {
        let result = mc_sys_sasl_server_user_exists(connection.handle, user)
        switch Int(result) {
        case MC_SYS_SASL_OK: return true
        case MC_SYS_SASL_NOUSER: return false
        default: throw databaseError(result, connection, verb: "read")
        }
    }

    private func databaseError(_ result: Int32, _ connection: SASLServerConnection, verb: String = "update")
        -> AuthError
    {
        var error = connection.error(result)
        error.message = "cannot \(verb) the sasldb \(path): check that its folder exists and is writable"
        return error
    }
}

extension SASLDatabase {
    /// The realm users are stored under when none is configured: this host's name (what
    /// `saslpasswd2` uses without `-u`).
    public static var defaultRealm: String { SASLLibrary.hostName }
}
