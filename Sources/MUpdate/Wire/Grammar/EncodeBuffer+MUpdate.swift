import IMAPWire

/// The two string forms MUPDATE peers write, whatever the buffer's literal mode.
extension EncodeBuffer {
    /// `{n+}` CRLF and the bytes. Cyrus's master writes every argument of a MAILBOX, RESERVE
    /// and DELETE line this way and its clients every argument of RESERVE, ACTIVATE, DEACTIVATE,
    /// DELETE, FIND and LIST; both ends of MUPDATE always accept non-synchronising literals.
    // literal = "{" number "+}" CRLF *CHAR8
    @discardableResult
    mutating func writeMUpdateLiteral(_ bytes: some Collection<UInt8>) -> Int {
        let saved = options
        options.literalMode = .nonSynchronizing
        defer { options = saved }
        return writeLiteral(bytes)
    }

    /// A quoted string; CR, LF and NUL, which no quoted string can hold, become spaces. Used for
    /// texts and short names that are quotable by construction.
    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    @discardableResult
    mutating func writeMUpdateQuoted(_ text: String) -> Int {
        writeQuoted(Array(text.utf8).map { $0.isTextChar ? $0 : UInt8(ascii: " ") })
    }

    /// Quoted when the bytes can be, else a non-synchronising literal.
    @discardableResult
    mutating func writeMUpdateString(_ bytes: [UInt8]) -> Int {
        if bytes.count <= 1024, bytes.allSatisfy(\.isTextChar) { return writeQuoted(bytes) }
        return writeMUpdateLiteral(bytes)
    }
}
