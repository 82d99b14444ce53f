/// Typed, checked access to a parsed ``TOMLDocument``: each getter returns the default when the
/// key is absent and throws a ``ConfigError`` naming the file, line and key when the value does
/// not fit.
struct ConfigReader {
    let document: TOMLDocument
    let file: String

    // MARK: - Unknown names

    /// Throws for the first table or key (in file order) that `known` does not list, suggesting
    /// the closest known name.
    func rejectUnknown(known: [String]) throws(ConfigError) {
        let knownKeys = Set(known)
        let knownTables = Set(known.compactMap { key in key.lastIndex(of: ".").map { String(key[..<$0]) } })
        for (table, line) in self.document.tables.sorted(by: { $0.value < $1.value }) where !knownTables.contains(table)
        {
            let hint = Suggestion.closest(to: table, among: knownTables).map { " (did you mean [\($0)]?)" } ?? ""
            throw ConfigError(.unknownTable, file: self.file, line: line, "unknown table [\(table)]\(hint)")
        }
        for entry in self.document.entries where !knownKeys.contains(entry.key) {
            throw ConfigError(
                .unknownKey, file: self.file, line: entry.line, key: entry.key,
                "unknown key\(Self.hint(for: entry.key, known: known))"
            )
        }
    }

    /// " (did you mean max_connections?)": a close name in the same table, else the same name
    /// in another table.
    private static func hint(for key: String, known: [String]) -> String {
        let (table, leaf) = split(key)
        let sameTable = known.filter { split($0).table == table }.map { split($0).leaf }
        if let close = Suggestion.closest(to: leaf, among: sameTable) {
            return " (did you mean \(close)?)"
        }
        if let elsewhere = known.first(where: { split($0).leaf == leaf }) {
            let (otherTable, _) = split(elsewhere)
            return otherTable.isEmpty
                ? " (did you mean \(leaf) at the top, before any [table]?)"
                : " (did you mean \(leaf) under [\(otherTable)]?)"
        }
        return ""
    }

    private static func split(_ key: String) -> (table: String, leaf: String) {
        guard let dot = key.lastIndex(of: ".") else { return ("", key) }
        return (String(key[..<dot]), String(key[key.index(after: dot)...]))
    }

    // MARK: - Getters

    func isSet(_ key: String) -> Bool { self.document[key] != nil }

    func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let entry = self.document[key] else { return value }
        let expected = "expected an integer between \(range.lowerBound) and \(range.upperBound)"
        guard case .integer(let found) = entry.value else {
            throw self.error(.wrongType, entry, "\(expected), got \(entry.value.quoted)")
        }
        guard let integer = Int(exactly: found), range.contains(integer) else {
            throw self.error(.invalidValue, entry, "\(expected), got \(found)")
        }
        return integer
    }

    func boolean(_ key: String, default value: Bool) throws(ConfigError) -> Bool {
        guard let entry = self.document[key] else { return value }
        guard case .boolean(let found) = entry.value else {
            throw self.error(.wrongType, entry, "expected true or false, got \(entry.value.quoted)")
        }
        return found
    }

    /// A string, checked by `validate` (which returns a complaint, or nil when the value is good).
    func string(
        _ key: String,
        default value: String?,
        expected: String = "a string",
        validate: (String) -> String? = { _ in nil }
    ) throws(ConfigError) -> String? {
        guard let entry = self.document[key] else { return value }
        guard case .string(let found) = entry.value else {
            throw self.error(.wrongType, entry, "expected \(expected), got \(entry.value.quoted)")
        }
        if let complaint = validate(found) {
            throw self.error(.invalidValue, entry, "expected \(expected), got \(entry.value.quoted): \(complaint)")
        }
        return found
    }

    /// One of `choices` (case-sensitive).
    func choice(_ key: String, default value: String, among choices: [String]) throws(ConfigError) -> String {
        let expected = "one of " + choices.map { TOMLValue.quote($0) }.joined(separator: ", ")
        guard let entry = self.document[key] else { return value }
        guard case .string(let found) = entry.value else {
            throw self.error(.wrongType, entry, "expected \(expected), got \(entry.value.quoted)")
        }
        guard choices.contains(found) else {
            let hint =
                Suggestion.closest(to: found, among: choices).map { " (did you mean \(TOMLValue.quote($0))?)" } ?? ""
            throw self.error(.invalidValue, entry, "expected \(expected), got \(entry.value.quoted)\(hint)")
        }
        return found
    }

    /// An array of strings, each checked by `validate`; `nonEmpty` refuses `[]`.
    func strings(
        _ key: String,
        default value: [String],
        expected: String = "an array of strings",
        nonEmpty: Bool = false,
        validate: (String) -> String? = { _ in nil }
    ) throws(ConfigError) -> [String] {
        guard let entry = self.document[key] else { return value }
        guard case .array(let elements) = entry.value else {
            throw self.error(.wrongType, entry, "expected \(expected), got \(entry.value.quoted)")
        }
        var result: [String] = []
        for element in elements {
            guard case .string(let string) = element else {
                throw self.error(.wrongType, entry, "expected \(expected), got \(element.kind) \(element.quoted)")
            }
            if let complaint = validate(string) {
                throw self.error(.invalidValue, entry, "\(TOMLValue.quote(string)): \(complaint)")
            }
            if result.contains(string) {
                throw self.error(.invalidValue, entry, "\(TOMLValue.quote(string)) is listed twice")
            }
            result.append(string)
        }
        if nonEmpty, result.isEmpty {
            throw self.error(.invalidValue, entry, "expected \(expected), got an empty array")
        }
        return result
    }

    func error(_ code: ConfigError.Code, _ entry: TOMLDocument.Entry, _ message: String) -> ConfigError {
        ConfigError(code, file: self.file, line: entry.line, key: entry.key, message)
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggestion {
    /// The candidate closest to `name`, if it is close enough to be a plausible typo.
    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let limit = max(2, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = self.distance(name.lowercased(), candidate.lowercased())
            if distance <= limit, distance < name.count, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance (insertions, deletions, substitutions), bounded inputs only.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars.prefix(256))
        let b = Array(b.unicodeScalars.prefix(256))
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
