/// One untagged response (`* …`): a status, server or mailbox data, or message data.
///
///     C: a002 select inbox
///     S: * 18 EXISTS
///     S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
///     S: * OK [UIDVALIDITY 3857529045] UIDs valid
///
/// - SeeAlso: [RFC 9051 §7](https://www.rfc-editor.org/rfc/rfc9051#section-7)
public enum UntaggedResponse: Sendable, Hashable {
    // Status responses (§7.1)
    /// `* OK` / `* NO` / `* BAD`.
    case state(ResponseState)
    case preauth(ResponseText)
    case bye(ResponseText)

    // Server and mailbox status (§7.2, §7.3)
    case capability([String])
    /// RFC 5161.
    case enabled([String])
    case flags([Flag])
    case list(MailboxInfo)
    case lsub(MailboxInfo)
    /// The pre-SPECIAL-USE form some servers still send for XLIST.
    case xlist(MailboxInfo)
    case status(MailboxName, [StatusItem])
    /// `SEARCH` numbers, with the highest mod-sequence of RFC 7162 when asked for.
    case search([UInt32], modSeq: UInt64?)
    /// RFC 4731 / RFC 9051.
    case esearch(ESearchResponse)
    /// RFC 5256 (and RFC 7162's mod-sequence).
    case sort([UInt32], modSeq: UInt64?)
    /// RFC 5256: the threads, in order.
    case thread([ThreadNode])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// RFC 7162 QRESYNC: UIDs expunged (`EARLIER`: before this command).
    case vanished(earlier: Bool, uids: SequenceSet)
    /// Message data: sequence number and attributes.
    case fetch(UInt32, [MessageAttribute])

    // Extensions
    /// RFC 2342.
    case namespace(NamespaceResponse)
    /// RFC 2971: the server's fields, or nil for `ID NIL`.
    case id([IDField]?)
    /// RFC 4314.
    case acl(MailboxName, [ACLIdentifierRights])
    case listRights(MailboxName, identifier: String, required: String, optional: [String])
    case myRights(MailboxName, rights: String)
    /// RFC 9208 (RFC 2087).
    case quota(root: String, [QuotaUsage])
    case quotaRoot(MailboxName, roots: [String])
    /// RFC 5464.
    case metadata(MailboxName, MetadataResult)

    /// Untagged data of a kind this type does not know (`* XPIG-LATIN ow-nay …`): the
    /// keyword and the raw bytes after it (literals included), without the final CRLF.
    case unknown(keyword: String, data: [UInt8])
}

/// One `ID` field of RFC 2971.
///
///     S: * ID ("name" "Cyrus" "version" "1.5" "os" "sunos")
///
/// - SeeAlso: [RFC 2971 §3.1](https://www.rfc-editor.org/rfc/rfc2971#section-3.1)
public struct IDField: Sendable, Hashable {
    public var key: String
    public var value: String?

    public init(_ key: String, _ value: String?) {
        self.key = key
        self.value = value
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
    //                 capability-data / enable-data) CRLF
    @discardableResult
    public mutating func writeUntaggedResponse(_ response: UntaggedResponse) -> Int {
        writeRaw("* ") + writeResponseData(response) + writeNewline()
    }

    /// The response's body: what follows `* ` and precedes CRLF.
    @discardableResult
    public mutating func writeResponseData(_ response: UntaggedResponse) -> Int {
        switch response {
        case .state(let s): return writeResponseState(s)
        case .preauth(let t): return writeRaw("PREAUTH ") + writeResponseText(t)
        case .bye(let t): return writeRaw("BYE ") + writeResponseText(t)
        case .capability(let caps): return writeCapabilityData(caps)
        case .enabled(let caps):
            return caps.reduce(writeRaw("ENABLED")) { n, c in n + writeSpace() + writeRaw(c) }
        case .flags(let flags): return writeRaw("FLAGS ") + writeFlags(flags)
        case .list(let info): return writeRaw("LIST ") + writeMailboxInfo(info)
        case .lsub(let info): return writeRaw("LSUB ") + writeMailboxInfo(info)
        case .xlist(let info): return writeRaw("XLIST ") + writeMailboxInfo(info)
        case .status(let mailbox, let items):
            return writeRaw("STATUS ") + writeMailbox(mailbox) + writeSpace()
                + writeList(items) { $0.writeStatusItem($1) }
        case .search(let numbers, let modSeq): return writeNumbers("SEARCH", numbers, modSeq: modSeq)
        case .esearch(let e): return writeESearchResponse(e)
        case .sort(let numbers, let modSeq): return writeNumbers("SORT", numbers, modSeq: modSeq)
        case .thread(let threads):
            return threads.reduce(writeRaw(threads.isEmpty ? "THREAD" : "THREAD ")) { $0 + writeThreadNode($1) }
        case .exists(let n): return writeNumber(n) + writeRaw(" EXISTS")
        case .recent(let n): return writeNumber(n) + writeRaw(" RECENT")
        case .expunge(let n): return writeNumber(n) + writeRaw(" EXPUNGE")
        case .vanished(let earlier, let uids):
            return writeRaw(earlier ? "VANISHED (EARLIER) " : "VANISHED ") + writeSequenceSet(uids)
        case .fetch(let n, let attributes):
            return writeNumber(n) + writeRaw(" FETCH ") + writeList(attributes) { $0.writeMessageAttribute($1) }
        case .namespace(let ns): return writeNamespaceResponse(ns)
        case .id(let fields):
            guard let fields else { return writeRaw("ID NIL") }
            return writeRaw("ID ")
                + writeList(fields) {
                    $0.writeString($1.key) + $0.writeSpace() + $0.writeNString($1.value.map { Array($0.utf8) })
                }
        case .acl(let mailbox, let entries):
            return entries.reduce(writeRaw("ACL ") + writeMailbox(mailbox)) { n, e in
                n + writeSpace() + writeAString(e.identifier) + writeSpace() + writeAString(e.rights)
            }
        case .listRights(let mailbox, let identifier, let required, let optional):
            let head =
                writeRaw("LISTRIGHTS ") + writeMailbox(mailbox) + writeSpace() + writeAString(identifier)
                + writeSpace() + writeAString(required)
            return optional.reduce(head) { n, r in n + writeSpace() + writeAString(r) }
        case .myRights(let mailbox, let rights):
            return writeRaw("MYRIGHTS ") + writeMailbox(mailbox) + writeSpace() + writeAString(rights)
        case .quota(let root, let resources):
            return writeRaw("QUOTA ") + writeAString(root) + writeSpace()
                + writeList(resources) { $0.writeQuotaUsage($1) }
        case .quotaRoot(let mailbox, let roots):
            return roots.reduce(writeRaw("QUOTAROOT ") + writeMailbox(mailbox)) { n, r in
                n + writeSpace() + writeAString(r)
            }
        case .metadata(let mailbox, let result):
            return writeRaw("METADATA ") + writeMailbox(mailbox) + writeSpace() + writeMetadataResult(result)
        case .unknown(let keyword, let data):
            return writeRaw(keyword) + (data.isEmpty ? 0 : writeSpace() + writeBytes(data))
        }
    }

    // "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
    private mutating func writeNumbers(_ keyword: String, _ numbers: [UInt32], modSeq: UInt64?) -> Int {
        var n = writeRaw(keyword)
        for number in numbers { n += writeSpace() + writeNumber(number) }
        if let modSeq { n += writeRaw(" (MODSEQ ") + writeNumber(modSeq) + writeRaw(")") }
        return n
    }
}
