/// A client command: every command of IMAP4rev1 and IMAP4rev2, of the extensions Murder
/// speaks, and Cyrus's LOCALAPPEND.
///
///     C: A142 SELECT INBOX (CONDSTORE)
///     C: A143 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)
///
/// The UID forms are cases of their own (``uidFetch(_:)``), so that a server can dispatch on one
/// switch. Each case's associated values are typed; see the types for their grammar.
/// - SeeAlso: [RFC 9051 §6](https://www.rfc-editor.org/rfc/rfc9051#section-6),
///   [RFC 3501 §6](https://www.rfc-editor.org/rfc/rfc3501#section-6)
public enum Command: Sendable, Hashable {
    // Any state
    case capability
    case noop
    case logout
    /// RFC 2971: nil for `ID NIL`.
    case id([IDParameter]?)

    // Not authenticated
    case startTLS
    /// RFC 4959 SASL-IR: the optional initial response.
    case authenticate(mechanism: String, initialResponse: SASLInitialResponse?)
    case login(username: [UInt8], password: [UInt8])

    // Authenticated
    /// RFC 5161: capability names.
    case enable([String])
    case select(MailboxName, [SelectParameter])
    case examine(MailboxName, [SelectParameter])
    /// `partition` is Cyrus's trailing atom (`CREATE name p2`); parameters are RFC 4466's list.
    case create(MailboxName, partition: String?, [CreateParameter])
    case delete(MailboxName)
    /// `partition` is Cyrus's trailing location (`RENAME a b server!partition`).
    case rename(from: MailboxName, to: MailboxName, partition: String?)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    case list(ListCommand)
    case lsub(reference: MailboxName, pattern: [UInt8])
    /// XLIST: LIST with special-use attributes, for old clients.
    case xlist(reference: MailboxName, pattern: [UInt8])
    case namespace
    case status(MailboxName, [StatusAttribute])
    case append(AppendCommand)
    /// Cyrus: `LOCALAPPEND mailbox selected-or-"" append-args`, what a Cyrus frontend sends for
    /// every proxied APPEND.
    case localAppend(AppendCommand, selected: MailboxName?)
    /// RFC 2177: ended by a `DONE` line (``GrammarParser/parseIdleDone(_:)``).
    case idle
    /// RFC 4978: `COMPRESS DEFLATE`.
    case compress(mechanism: String)
    // RFC 4314
    case getACL(MailboxName)
    case setACL(MailboxName, identifier: String, rights: RightsModification)
    case deleteACL(MailboxName, identifier: String)
    case listRights(MailboxName, identifier: String)
    case myRights(MailboxName)
    // RFC 9208
    case getQuota(root: [UInt8])
    case getQuotaRoot(MailboxName)
    case setQuota(root: [UInt8], [QuotaLimit])
    // RFC 5464
    case getMetadata([MetadataOption], MailboxName, entries: [String])
    case setMetadata(MailboxName, [MetadataEntryValue])
    /// Murder's private XFER commands between backends (admin only).
    case transfer(TransferCommand)

    // Selected
    case check
    case close
    /// RFC 3691
    case unselect
    case expunge
    /// RFC 4315
    case uidExpunge(SequenceSet)
    case copy(SequenceSet, MailboxName)
    case uidCopy(SequenceSet, MailboxName)
    /// RFC 6851
    case move(SequenceSet, MailboxName)
    case uidMove(SequenceSet, MailboxName)
    case fetch(FetchCommand)
    case uidFetch(FetchCommand)
    case store(StoreCommand)
    case uidStore(StoreCommand)
    case search(SearchCommand)
    case uidSearch(SearchCommand)
    /// RFC 5256
    case sort(SortCommand)
    case uidSort(SortCommand)
    case thread(ThreadCommand)
    case uidThread(ThreadCommand)
}

// MARK: - Encoding

extension EncodeBuffer {
    /// The command without tag and CRLF, in canonical form.
    @discardableResult
    public mutating func writeCommand(_ command: Command) -> Int {
        switch command {
        case .capability: return writeRaw("CAPABILITY")
        case .noop: return writeRaw("NOOP")
        case .logout: return writeRaw("LOGOUT")
        case .id(let params): return writeRaw("ID ") + writeIDParameters(params)
        case .startTLS: return writeRaw("STARTTLS")
        case .authenticate(let mechanism, let initial):
            var n = writeRaw("AUTHENTICATE ") + writeRaw(mechanism)
            switch initial {
            case nil: break
            case .empty: n += writeRaw(" =")
            case .base64(let text): n += writeSpace() + writeRaw(text)
            }
            return n
        case .login(let user, let password):
            return writeRaw("LOGIN ") + writeAString(user) + writeSpace() + writeAString(password)
        case .enable(let caps):
            return writeRaw("ENABLE") + caps.reduce(0) { $0 + writeSpace() + writeRaw($1) }
        case .select(let mailbox, let params):
            return writeRaw("SELECT ") + writeMailbox(mailbox) + writeSelectParameters(params)
        case .examine(let mailbox, let params):
            return writeRaw("EXAMINE ") + writeMailbox(mailbox) + writeSelectParameters(params)
        case .create(let mailbox, let partition, let params):
            var n = writeRaw("CREATE ") + writeMailbox(mailbox)
            if let partition { n += writeSpace() + writeRaw(partition) }
            if !params.isEmpty { n += writeSpace() + writeList(params) { $0.writeCreateParameter($1) } }
            return n
        case .delete(let mailbox): return writeRaw("DELETE ") + writeMailbox(mailbox)
        case .rename(let from, let to, let partition):
            return writeRaw("RENAME ") + writeMailbox(from) + writeSpace() + writeMailbox(to)
                + (partition.map { writeSpace() + writeRaw($0) } ?? 0)
        case .subscribe(let mailbox): return writeRaw("SUBSCRIBE ") + writeMailbox(mailbox)
        case .unsubscribe(let mailbox): return writeRaw("UNSUBSCRIBE ") + writeMailbox(mailbox)
        case .list(let list): return writeRaw("LIST ") + writeListCommand(list)
        case .lsub(let reference, let pattern):
            return writeRaw("LSUB ") + writeMailbox(reference) + writeSpace() + writeListMailbox(pattern)
        case .xlist(let reference, let pattern):
            return writeRaw("XLIST ") + writeMailbox(reference) + writeSpace() + writeListMailbox(pattern)
        case .namespace: return writeRaw("NAMESPACE")
        case .status(let mailbox, let attrs):
            return writeRaw("STATUS ") + writeMailbox(mailbox) + writeSpace() + writeStatusAttributes(attrs)
        case .append(let append): return writeRaw("APPEND ") + writeAppendCommand(append)
        case .localAppend(let append, let selected):
            return writeRaw("LOCALAPPEND ") + writeMailbox(append.mailbox) + writeSpace()
                + writeMailbox(selected ?? MailboxName("")) + append.messages.reduce(0) { $0 + writeAppendMessage($1) }
        case .idle: return writeRaw("IDLE")
        case .compress(let mechanism): return writeRaw("COMPRESS ") + writeRaw(mechanism)
        case .getACL(let mailbox): return writeRaw("GETACL ") + writeMailbox(mailbox)
        case .setACL(let mailbox, let identifier, let rights):
            return writeRaw("SETACL ") + writeMailbox(mailbox) + writeSpace() + writeAString(identifier) + writeSpace()
                + writeRightsModification(rights)
        case .deleteACL(let mailbox, let identifier):
            return writeRaw("DELETEACL ") + writeMailbox(mailbox) + writeSpace() + writeAString(identifier)
        case .listRights(let mailbox, let identifier):
            return writeRaw("LISTRIGHTS ") + writeMailbox(mailbox) + writeSpace() + writeAString(identifier)
        case .myRights(let mailbox): return writeRaw("MYRIGHTS ") + writeMailbox(mailbox)
        case .getQuota(let root): return writeRaw("GETQUOTA ") + writeAString(root)
        case .getQuotaRoot(let mailbox): return writeRaw("GETQUOTAROOT ") + writeMailbox(mailbox)
        case .setQuota(let root, let limits):
            return writeRaw("SETQUOTA ") + writeAString(root) + writeSpace() + writeQuotaLimits(limits)
        case .getMetadata(let options, let mailbox, let entries):
            var n = writeRaw("GETMETADATA ")
            if !options.isEmpty { n += writeList(options) { $0.writeMetadataOption($1) } + writeSpace() }
            return n + writeMailbox(mailbox) + writeSpace() + writeList(entries) { $0.writeAString($1) }
        case .setMetadata(let mailbox, let values):
            return writeRaw("SETMETADATA ") + writeMailbox(mailbox) + writeSpace()
                + writeList(values) { $0.writeMetadataEntryValue($1) }
        case .transfer(let transfer): return writeTransferCommand(transfer)
        case .check: return writeRaw("CHECK")
        case .close: return writeRaw("CLOSE")
        case .unselect: return writeRaw("UNSELECT")
        case .expunge: return writeRaw("EXPUNGE")
        case .uidExpunge(let set): return writeRaw("UID EXPUNGE ") + writeSequenceSet(set)
        case .copy(let set, let mailbox): return writeRaw("COPY ") + writeSetAndMailbox(set, mailbox)
        case .uidCopy(let set, let mailbox): return writeRaw("UID COPY ") + writeSetAndMailbox(set, mailbox)
        case .move(let set, let mailbox): return writeRaw("MOVE ") + writeSetAndMailbox(set, mailbox)
        case .uidMove(let set, let mailbox): return writeRaw("UID MOVE ") + writeSetAndMailbox(set, mailbox)
        case .fetch(let fetch): return writeRaw("FETCH ") + writeFetchCommand(fetch)
        case .uidFetch(let fetch): return writeRaw("UID FETCH ") + writeFetchCommand(fetch)
        case .store(let store): return writeRaw("STORE ") + writeStoreCommand(store)
        case .uidStore(let store): return writeRaw("UID STORE ") + writeStoreCommand(store)
        case .search(let search): return writeRaw("SEARCH") + writeSearchCommand(search)
        case .uidSearch(let search): return writeRaw("UID SEARCH") + writeSearchCommand(search)
        case .sort(let sort): return writeRaw("SORT ") + writeSortCommand(sort)
        case .uidSort(let sort): return writeRaw("UID SORT ") + writeSortCommand(sort)
        case .thread(let thread): return writeRaw("THREAD ") + writeThreadCommand(thread)
        case .uidThread(let thread): return writeRaw("UID THREAD ") + writeThreadCommand(thread)
        }
    }

    private mutating func writeSetAndMailbox(_ set: SequenceSet, _ mailbox: MailboxName) -> Int {
        writeSequenceSet(set) + writeSpace() + writeMailbox(mailbox)
    }
}
