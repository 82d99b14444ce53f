/// A command with the tag the client chose for it.
///
///     C: a001 LOGIN SMITH SESAME
///     S: a001 OK LOGIN completed
///
/// - SeeAlso: [RFC 9051 §2.2.1](https://www.rfc-editor.org/rfc/rfc9051#section-2.2.1)
public struct TaggedCommand: Sendable, Hashable {
    public var tag: String
    public var command: Command

    public init(tag: String, command: Command) {
        self.tag = tag
        self.command = command
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    @discardableResult
    public mutating func writeTaggedCommand(_ tagged: TaggedCommand) -> Int {
        writeRaw(tagged.tag) + writeSpace() + writeCommand(tagged.command) + writeNewline()
    }

    /// The line that ends IDLE (RFC 2177 §3).
    @discardableResult
    public mutating func writeIdleDone() -> Int { writeRaw("DONE") + writeNewline() }
}
