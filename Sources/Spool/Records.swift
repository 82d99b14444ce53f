public import Foundation

/// A mailbox as the spool knows it. Names are internal (Cyrus form, `.` as separator:
/// `user.alice.Sent`, `shared.memo`); the IMAP layer converts to and from external names.
public struct MailboxRecord: Sendable, Hashable {
    public var name: String
    /// ≥ 122 random bits (UUIDv4), never reused.
    public var uniqueID: String
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    /// Cyrus ACL text form (`id TAB rights TAB` repeated).
    public var acl: String
    /// RFC 6154 attributes, e.g. `["\\Sent"]`.
    public var specialUse: [String]
    public var partition: String
    /// The owner key: `user.alice` for alice's mailboxes, the top-level name for shared ones.
    public var owner: String
}

/// What SELECT, STATUS and LIST-STATUS report about a mailbox (for one user's view of \Seen).
public struct MailboxStatus: Sendable, Hashable {
    public var messages: Int
    public var recent: Int
    public var unseen: Int
    public var deleted: Int
    public var uidNext: UInt32
    public var uidValidity: UInt32
    public var highestModSeq: UInt64
    /// Sum of message sizes in bytes (RFC 8438 STATUS=SIZE).
    public var size: UInt64
    public var mailboxID: String
}

/// One message's index entry.
public struct MessageRecord: Sendable, Hashable {
    public var uid: UInt32
    public var modSeq: UInt64
    /// System flags (`\Seen` …) and keywords, in a stable order. `\Seen` is the viewing user's.
    public var flags: [String]
    /// Seconds since the epoch, and the zone offset in minutes the client gave (or ours).
    public var internalDate: Int64
    public var zoneMinutes: Int
    public var size: Int64
    /// SHA-1 of the message bytes, 40 hex digits (as Cyrus's GUID).
    public var guid: String
    /// RFC 8474 EMAILID: stable across COPY within the backend (derived from the GUID).
    public var emailID: String { "M" + guid.prefix(24) }
    /// RFC 8474 THREADID is not tracked yet: NIL.
    public var savedDate: Int64
}

/// What changed in a mailbox since a modseq: the sessions' view catches up with this.
public struct MailboxChanges: Sendable {
    public var highestModSeq: UInt64
    public var uidNext: UInt32
    /// Messages whose index entry changed (new, or flags) with modseq > since, by UID.
    public var changed: [MessageRecord]
    /// UIDs expunged with modseq > since (the tombstones QRESYNC reports as VANISHED).
    public var expunged: [UInt32]
}

/// A message to append: a staged (already durable) file plus its index data.
public struct AppendItem: Sendable {
    public var staged: StagedMessage
    public var flags: [String]
    public var internalDate: Date?
    public var zoneMinutes: Int?

    public init(staged: StagedMessage, flags: [String], internalDate: Date? = nil, zoneMinutes: Int? = nil) {
        self.staged = staged
        self.flags = flags
        self.internalDate = internalDate
        self.zoneMinutes = zoneMinutes
    }
}

public struct AppendResult: Sendable, Hashable {
    public var uidValidity: UInt32
    public var uids: [UInt32]
}

public struct CopyResult: Sendable, Hashable {
    public var uidValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]
    /// For MOVE: the UIDs expunged from the source.
    public var expunged: [UInt32]
}

/// How STORE changes flags.
public enum FlagOperation: Sendable, Hashable {
    case add, remove, replace
}

public struct StoreResult: Sendable {
    /// The entries after the change (only those that changed).
    public var updated: [MessageRecord]
    /// UIDs not changed because their modseq is above UNCHANGEDSINCE (RFC 7162 MODIFIED).
    public var modified: [UInt32]
}

/// RFC 9208 quota of one root. Limits are nil when unlimited.
public struct Quota: Sendable, Hashable {
    public var root: String
    public var storageLimitKiB: UInt64?
    public var messageLimit: UInt64?
    public var storageUsedBytes: UInt64
    public var messagesUsed: UInt64
    public var storageUsedKiB: UInt64 { (storageUsedBytes + 1023) / 1024 }
}
