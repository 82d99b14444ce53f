/// A `NAMESPACE` response: the personal, other users' and shared namespaces.
///
///     C: A001 NAMESPACE
///     S: * NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/"))
///
/// An empty list stands for `NIL` (no namespace of that kind).
/// - SeeAlso: [RFC 9051 §7.2.2](https://www.rfc-editor.org/rfc/rfc9051#section-7.2.2),
///   [RFC 2342 §5](https://www.rfc-editor.org/rfc/rfc2342#section-5)
public struct NamespaceResponse: Sendable, Hashable {
    public var personal: [NamespaceDescription]
    public var otherUsers: [NamespaceDescription]
    public var shared: [NamespaceDescription]

    public init(personal: [NamespaceDescription], otherUsers: [NamespaceDescription], shared: [NamespaceDescription]) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}

/// One namespace: prefix, hierarchy delimiter and extension data.
///
///     S: * NAMESPACE (("" "/")("#mh/" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL
///
/// - SeeAlso: [RFC 2342 §5](https://www.rfc-editor.org/rfc/rfc2342#section-5)
public struct NamespaceDescription: Sendable, Hashable {
    public var prefix: String
    public var delimiter: Character?
    public var extensions: [Extension]

    public init(prefix: String, delimiter: Character?, extensions: [Extension] = []) {
        self.prefix = prefix
        self.delimiter = delimiter
        self.extensions = extensions
    }

    /// `namespace-response-extension = SP string SP "(" string *(SP string) ")"`.
    public struct Extension: Sendable, Hashable {
        public var name: String
        public var values: [String]

        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
    @discardableResult
    public mutating func writeNamespaceResponse(_ response: NamespaceResponse) -> Int {
        writeRaw("NAMESPACE ") + writeNamespace(response.personal) + writeSpace() + writeNamespace(response.otherUsers)
            + writeSpace() + writeNamespace(response.shared)
    }

    // namespace = nil / "(" 1*namespace-descr ")"
    @discardableResult
    public mutating func writeNamespace(_ descriptions: [NamespaceDescription]) -> Int {
        guard !descriptions.isEmpty else { return writeNil() }
        return descriptions.reduce(writeRaw("(")) { $0 + writeNamespaceDescription($1) } + writeRaw(")")
    }

    // namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"
    @discardableResult
    public mutating func writeNamespaceDescription(_ d: NamespaceDescription) -> Int {
        var n = writeRaw("(") + writeString(d.prefix) + writeSpace() + writeHierarchyDelimiter(d.delimiter)
        for e in d.extensions {
            n += writeSpace() + writeString(e.name) + writeSpace() + writeList(e.values) { $0.writeString($1) }
        }
        return n + writeRaw(")")
    }
}
