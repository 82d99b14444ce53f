/// Why a spool operation failed, with a code the IMAP layer maps to a response code
/// (names follow Cyrus's `imap/imap_err.et`, so operators recognise them).
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// `IMAP_MAILBOX_NONEXISTENT` → `NO [NONEXISTENT]`
        public static let nonexistent = Code(name: "nonexistent")
        /// `IMAP_MAILBOX_EXISTS` → `NO [ALREADYEXISTS]`
        public static let alreadyExists = Code(name: "alreadyExists")
        /// `IMAP_QUOTA_EXCEEDED` → `NO [OVERQUOTA]`
        public static let overQuota = Code(name: "overQuota")
        /// `IMAP_MESSAGE_TOO_LARGE` → `NO [TOOBIG]`
        public static let tooBig = Code(name: "tooBig")
        /// A name the spool cannot store (empty component, control characters, too long).
        public static let badName = Code(name: "badName")
        /// `CONDSTORE`: the message changed since the client's UNCHANGEDSINCE.
        public static let modified = Code(name: "modified")
        /// Disk or database failure → `NO [SERVERBUG]` after logging; nothing half-done is visible.
        public static let io = Code(name: "io")
        /// The mailbox is being moved or is otherwise locked → `NO [INUSE]`.
        public static let inUse = Code(name: "inUse")
        /// The owner is being moved to another backend (XFER), or was moved away
        /// (`IMAP_MAILBOX_MOVED`) → `NO [UNAVAILABLE]`.
        public static let moving = Code(name: "moving")
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        cause.map { "\(code): \(message) (\($0))" } ?? "\(code): \(message)"
    }
}
