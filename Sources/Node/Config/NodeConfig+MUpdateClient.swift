public import MUpdate
import Transport

extension NodeConfig {
    /// How this node reaches the mupdate master (`mupdate.server`), or nil outside a murder.
    /// The password comes from `mupdate.password` or the first line of `mupdate.password_file`.
    ///
    /// Throws a ``ConfigError`` naming the key when the password file cannot be read or no
    /// password is set.
    public func mupdateClient(
        connectTimeout: Duration = .seconds(3), commandTimeout: Duration = .seconds(20)
    ) throws(ConfigError) -> MUpdateClientConfiguration? {
        guard let address = mupdate.serverAddress else { return nil }
        let password = try Self.password(section: "mupdate", inline: mupdate.password, file: mupdate.passwordFile)
        guard !password.isEmpty else {
            throw ConfigError(
                .missingKey, file: "config", key: "mupdate.password",
                "mupdate.server is set but no password: set mupdate.password or mupdate.password_file")
        }
        var tls: ClientTLS?
        if mupdate.startTLS {
            do {
                tls = try ClientTLS(trustRootsFile: mupdate.caFile.isEmpty ? nil : mupdate.caFile, serverHostname: address.host)
            } catch {
                throw ConfigError(.invalidValue, file: "config", key: "mupdate.ca_file", "\(error)")
            }
        }
        return MUpdateClientConfiguration(
            host: address.host, port: address.port, authenticationID: mupdate.username, password: password, tls: tls,
            connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    /// This backend's location in the mailbox list, `servername!partition`.
    public func mupdateLocation() throws(ConfigError) -> MailboxLocation {
        guard let server = ServerName(servername),
            let location = MailboxLocation(server: server, partition: mupdate.partition)
        else {
            throw ConfigError(
                .invalidValue, file: "config", key: "servername",
                "\"\(servername)\" cannot be a mailbox location in the murder (write host or host:port)")
        }
        return location
    }
}
