/// The private commands one backend of a murder sends another to move a whole spool owner (a
/// user, or a top-level shared tree) during an XFER (SPEC.md §7.5). Only administrators of the
/// receiving backend may send them; the sender is the source backend, authenticated as its
/// transfer identity.
///
///     C: X1 XFERPUT user.bob mbox/6f1c…/1.eml {1234+}
///     C: <1234 bytes>
///     S: X1 OK Stored
///     C: X2 XFERPUT user.bob index.sqlite {65536+}
///     C: <65536 bytes>
///     S: X2 OK Stored
///     C: X3 XFERCOMMIT user.bob
///     S: X3 OK Installed and activated
///     C: X4 XFERABORT user.bob                   (instead of XFERCOMMIT, after a failure)
///     S: X4 OK Dropped
///
/// The owner and path are astrings; the file's bytes are one literal (`{n}`, `{n+}` or `~{n+}`),
/// bounded by the literal bound (APPENDLIMIT) rather than the string bound, and may hold any
/// byte.
public enum TransferCommand: Sendable, Hashable {
    /// Stores one file of the owner's staged copy: `index.sqlite` or `mbox/<uniqueid>/<uid>.eml`.
    case put(owner: String, path: String, data: [UInt8])
    /// Checks the staged copy, installs it, and activates its mailboxes at the mupdate master.
    case commit(owner: String)
    /// Drops the staged copy.
    case abort(owner: String)

    /// The verbs, as a decoder's ``CommandDecoder/largeLiteralVerbs`` names them.
    public static let putVerb = "XFERPUT"
}

// MARK: - Encoding

extension EncodeBuffer {
    /// The command without tag and CRLF; the literal is written non-synchronising.
    @discardableResult
    public mutating func writeTransferCommand(_ command: TransferCommand) -> Int {
        switch command {
        case .put(let owner, let path, let data):
            return writeRaw("XFERPUT ") + writeAString(Array(owner.utf8)) + writeSpace() + writeAString(Array(path.utf8))
                + writeRaw(" {\(data.count)+}\r\n") + writeBytes(data)
        case .commit(let owner): return writeRaw("XFERCOMMIT ") + writeAString(Array(owner.utf8))
        case .abort(let owner): return writeRaw("XFERABORT ") + writeAString(Array(owner.utf8))
        }
    }
}
