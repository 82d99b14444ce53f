/// A node configuration file that cannot be used, located as precisely as the problem allows.
///
/// The description is what an operator reads:
///
///     node.toml:12: imap.max_line_bytes: expected an integer between 1024 and 1048576, got "big"
///     node.toml:4:17: servername: unterminated string
///     node.toml:7: imap.max_conections: unknown key (did you mean max_connections?)
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// The file cannot be read (missing, unreadable, too large, not UTF-8).
        case unreadable
        /// The text is not the TOML this parser reads.
        case syntax
        /// A key no setting has.
        case unknownKey
        /// A `[table]` no setting lives in.
        case unknownTable
        /// A key set twice.
        case duplicateKey
        /// A `[table]` header given twice, or a table name also used as a key.
        case duplicateTable
        /// A value of the wrong kind (a string where an integer belongs).
        case wrongType
        /// A value of the right kind that is not allowed (out of range, not one of the choices).
        case invalidValue
        /// A required key that is absent.
        case missingKey
    }

    public var code: Code
    /// The file's name as given to the parser.
    public var file: String
    /// 1-based line, when the problem is on one.
    public var line: Int?
    /// 1-based column (in bytes), for syntax errors.
    public var column: Int?
    /// The dotted key, "imap.max_line_bytes", when the problem concerns one.
    public var key: String?
    /// What was expected and what was found.
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, column: Int? = nil, key: String? = nil, _ message: String)
    {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = self.file
        if let line { text += ":\(line)" }
        if self.line != nil, let column { text += ":\(column)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + self.message
    }
}
