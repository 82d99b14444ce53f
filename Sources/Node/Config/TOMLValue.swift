/// A value in the TOML subset node configuration files use.
///
/// - SeeAlso: [TOML v1.0.0](https://toml.io/en/v1.0.0)
enum TOMLValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    case array([TOMLValue])

    /// The value as it would be written in a file, for "got …" in error messages (shortened).
    var quoted: String {
        let text: String =
            switch self {
            case .string(let string): Self.quote(string)
            case .integer(let integer): String(integer)
            case .boolean(let boolean): boolean ? "true" : "false"
            case .array(let values): "[" + values.map(\.quoted).joined(separator: ", ") + "]"
            }
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// The kind of value, for "got an array".
    var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .array: "an array"
        }
    }

    /// `string` as a TOML basic string.
    static func quote(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                text +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16, uppercase: true)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}

/// A parsed file: every key by its dotted path, with where it was set.
struct TOMLDocument: Sendable {
    struct Entry: Sendable, Hashable {
        /// Dotted path: "servername", "imap.max_connections".
        var key: String
        var value: TOMLValue
        var line: Int
        var column: Int
    }

    /// Entries in file order.
    private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]
    /// Tables given by a header, by dotted name, with the header's line.
    private(set) var tables: [String: Int] = [:]
    /// Tables named as parents of a header (`[a.b]` names `a`) without their own header.
    private(set) var implicitTables: Set<String> = []

    subscript(key: String) -> Entry? {
        self.index[key].map { self.entries[$0] }
    }

    mutating func add(_ entry: Entry) {
        self.index[entry.key] = self.entries.count
        self.entries.append(entry)
    }

    mutating func addTable(_ name: String, line: Int) {
        self.tables[name] = line
        self.implicitTables.remove(name)
        var parts = name.split(separator: ".")
        parts.removeLast()
        while !parts.isEmpty {
            let parent = parts.joined(separator: ".")
            if self.tables[parent] == nil { self.implicitTables.insert(parent) }
            parts.removeLast()
        }
    }

    func isTable(_ name: String) -> Bool {
        self.tables[name] != nil || self.implicitTables.contains(name)
    }
}
