#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A password kept in a file, on its first line (`--password-file`, `mupdate.password_file`).
public enum SecretFile {
    public enum Failure: Error, Sendable {
        /// The file cannot be opened.
        case unreadable
        /// The file holds no line at all.
        case empty
    }

    /// The first line of `path` without its line end (at most 4095 bytes). A pipe works too
    /// (`--password-file <(…)`).
    public static func firstLine(of path: String) throws(Failure) -> String {
        guard let file = fopen(path, "r") else { throw .unreadable }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { throw .empty }
        var bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension NodeConfig {
    /// The password of a `[section]` with `password` and `password_file` keys: the inline
    /// value, or the first line of the file; "" when neither is set.
    ///
    /// Throws a ``ConfigError`` naming `<section>.password_file` when the file cannot be read
    /// or is empty.
    static func password(section: String, inline: String, file: String) throws(ConfigError) -> String {
        guard !file.isEmpty else { return inline }
        let password: String
        do {
            password = try SecretFile.firstLine(of: file)
        } catch {
            switch error {
            case .empty:
                password = ""
            case .unreadable:
                throw ConfigError(
                    .unreadable, file: "config", key: "\(section).password_file",
                    "cannot read \(file): create it with the password of \(section).username on one line")
            }
        }
        guard !password.isEmpty else {
            throw ConfigError(.missingKey, file: "config", key: "\(section).password_file", "\(file) is empty")
        }
        return password
    }
}
