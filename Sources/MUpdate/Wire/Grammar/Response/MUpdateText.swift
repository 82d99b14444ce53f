/// The human-readable text of a response line, and how it is written.
///
/// Cyrus's master quotes the texts of its command completions (`X1 OK "done"`) but writes a
/// few answers as bare text (`S01 OK Begin TLS negotiation now`), and a client must read both.
/// The form is part of the value so that an encoded answer reproduces Cyrus byte for byte.
public struct MUpdateText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public enum Form: Sendable, Hashable {
        /// `"text"`; also what a literal parses to.
        case quoted
        /// The rest of the line as it stands.
        case bare
    }

    public var text: String
    public var form: Form

    public init(_ text: String, form: Form = .quoted) {
        self.text = text
        self.form = form
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { text }
}
