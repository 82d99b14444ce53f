/// Every text the MUPDATE server puts in a response, in one place, in the form Cyrus 3.6's
/// master writes it (SPEC.md §3.3): quoted, except the few answers Cyrus writes bare.
public enum MUpdateResponseText {
    // MARK: Completions (RFC 3656 §4)

    /// RESERVE, ACTIVATE, DEACTIVATE, DELETE succeeded.
    public static let done: MUpdateText = "done"
    /// RESERVE of a name held at another location.
    public static let mailboxAlreadyExists: MUpdateText = "mailbox already exists"
    /// DEACTIVATE of a record that is not ACTIVE.
    public static let mailboxNotCurrentlyActive: MUpdateText = "mailbox not currently active"
    /// DELETE of an unknown name.
    public static let mailboxDoesNotExist: MUpdateText = "mailbox doesn't exist"
    /// FIND finished (whether or not it found the name).
    public static let searchCompleted: MUpdateText = "Search completed"
    /// LIST finished.
    public static let listComplete: MUpdateText = "list complete"
    /// The UPDATE dump is over; changes follow.
    public static let streamingStarts: MUpdateText = "streaming starts"
    public static let noopDone: MUpdateText = "Noop done"
    /// LOGOUT (Cyrus answers OK, then closes).
    public static let byeBye: MUpdateText = "bye-bye"
    public static let authenticated: MUpdateText = "Authenticated"
    /// STARTTLS accepted; Cyrus writes this one bare.
    public static let beginTLSNegotiation = MUpdateText("Begin TLS negotiation now", form: .bare)
    /// COMPRESS accepted; Cyrus writes `<algorithm> active`, bare.
    public static let deflateActive = MUpdateText("DEFLATE active", form: .bare)

    // MARK: Refusals

    public static let unrecognizedCommand: MUpdateText = "Unrecognized command"
    public static let pleaseLoginFirst: MUpdateText = "Please login first"
    /// A write command on a list replica.
    public static let readOnlySession: MUpdateText = "read-only session"
    /// Anything but NOOP and LOGOUT after UPDATE.
    public static let notLegalWhenStreaming: MUpdateText = "not legal when streaming"
    public static let alreadyAuthenticated: MUpdateText = "already authenticated"
    /// A second COMPRESS; bare in Cyrus.
    public static let compressAlreadyActive = MUpdateText("DEFLATE active via COMPRESS", form: .bare)
    /// STARTTLS after authentication; bare in Cyrus.
    public static let startTLSAfterAuthentication = MUpdateText(
        "Can't Starttls after authentication", form: .bare)
    /// STARTTLS after COMPRESS; bare in Cyrus.
    public static let startTLSAfterCompress = MUpdateText("Can't Starttls after Compress", form: .bare)
    /// A second STARTTLS; bare in Cyrus.
    public static let startTLSAlreadyDone = MUpdateText("Already did a successful Starttls", form: .bare)
    /// The client sent `*` during AUTHENTICATE; bare in Cyrus.
    public static let authenticationCanceled = MUpdateText("Client canceled authentication", form: .bare)

    // MARK: Syntax (the parser's ParserError reasons)

    /// No space after the tag (Cyrus answers this one untagged).
    public static let needCommand: MUpdateText = "Need command"
    /// A tag followed by nothing.
    public static let nullCommand: MUpdateText = "Null command"
    public static let missingArguments: MUpdateText = "Missing arguments"
    public static let extraArguments: MUpdateText = "Extra arguments"
    public static let badlyFormedArguments: MUpdateText = "Badly formed arguments"

    // MARK: Limits (SPEC.md §3.1)

    public static let lineTooLong: MUpdateText = "Line too long"
    public static let literalTooLarge: MUpdateText = "Literal too large"
    public static let mailboxNameTooLong: MUpdateText = "Mailbox name too long"
    public static let tooManyArguments: MUpdateText = "Too many arguments"

    // MARK: Untagged

    /// `* BYE`: over the connection limit.
    public static let serverUnable: MUpdateText = "Server Unable"
    /// `* BYE`: a streaming subscriber whose output queue overflowed (SPEC.md §3.4).
    public static let tooSlow: MUpdateText = "too slow"
    /// `+ go ahead`: the continuation request for a synchronising literal (bare).
    public static let goAhead = "go ahead"
    /// The implementation name in the `* OK MUPDATE` greeting.
    public static let implementation = "Murder"
}
