extension NodeConfig {
    /// The `[xfer]` table: the identity a backend uses at another backend to move mailboxes
    /// there (XFER, SPEC.md §7.5, §12). The destination lists it in its `auth.admins`.
    ///
    ///     [xfer]
    ///     username = "murder-xfer"
    ///     password_file = "/etc/murder/xfer.secret"
    public struct Xfer: Sendable, Hashable {
        public var username = "murder-xfer"
        /// The password, here or on the first line of the file `passwordFile`.
        public var password = ""
        public var passwordFile = ""

        public init() {}
    }

    static func decodeXfer(_ reader: ConfigReader, into xfer: inout Xfer) throws(ConfigError) {
        xfer.username =
            try reader.string("xfer.username", default: xfer.username, validate: Self.nameComplaint(allowEmpty: false))
            ?? xfer.username
        xfer.password = try reader.string("xfer.password", default: "") ?? ""
        xfer.passwordFile = try reader.string("xfer.password_file", default: "", expected: "a file path") ?? ""
        if !xfer.password.isEmpty, !xfer.passwordFile.isEmpty {
            throw ConfigError(
                .invalidValue, file: reader.file, key: "xfer.password_file", "set xfer.password or xfer.password_file, not both")
        }
    }

    /// The password of `xfer.username`, from `xfer.password` or the first line of
    /// `xfer.password_file`; nil when neither is set (the backend cannot send XFERs).
    ///
    /// Throws a ``ConfigError`` naming the key when the file cannot be read or is empty.
    public func xferPassword() throws(ConfigError) -> String? {
        let password = try Self.password(section: "xfer", inline: xfer.password, file: xfer.passwordFile)
        return password.isEmpty ? nil : password
    }
}
