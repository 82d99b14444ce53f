/// One committed change of the mailbox list, as the change feed publishes it: the record's
/// state after the change (or its removal), numbered by the store's sequence (SPEC.md §3.5).
///
///     seq 41  user.bob    ACTIVE 127.0.0.1:14143!default  "bob\tlrswipkxtecdan\t"
///     seq 42  user.bob    deleted
///
/// A subscriber writes it as a MAILBOX, RESERVE or DELETE line with its UPDATE's tag
/// (SPEC.md §3.4).
public struct MUpdateChange: Sendable, Hashable {
    /// The store's number of the commit that made this change.
    public let sequence: UInt64
    /// The name's ``MUpdateKey``.
    public let key: [UInt8]
    /// The state after the change; nil when the record was deleted.
    public let state: MUpdateRecord.State?
    /// The location after the change; nil when the record was deleted.
    public let location: MUpdateLocations.Info?
    /// The ACL's TAB form after the change.
    public let acl: [UInt8]
    /// The lower-cased server part of the location before the change, if the record existed:
    /// a PARTIAL-UPDATE subscriber of that server hears of a record that moves away.
    public let previousServer: [UInt8]?

    public init(
        sequence: UInt64, key: [UInt8], state: MUpdateRecord.State?, location: MUpdateLocations.Info?, acl: [UInt8],
        previousServer: [UInt8]?
    ) {
        self.sequence = sequence
        self.key = key
        self.state = state
        self.location = location
        self.acl = acl
        self.previousServer = previousServer
    }

    public var name: InternalMailboxName { MUpdateKey.name(for: key) }

    /// The record after the change; nil for a deletion.
    public var record: MUpdateRecord? {
        guard let state, let location else { return nil }
        let acl = self.acl.isEmpty ? CyrusACL.empty : ((try? CyrusACL(parsing: self.acl)) ?? .empty)
        return MUpdateRecord(name: name, state: state, location: location.location, acl: acl)
    }

    /// What this change costs in a subscriber's queue, roughly its bytes on the wire.
    var cost: Int { 48 + key.count + acl.count + (location?.text.count ?? 0) }

    /// Appends the data line for this change.
    func append(tag: [UInt8], to out: inout [UInt8]) {
        if let state, let location {
            MUpdateLineWriter.appendRecord(
                tag: tag, key: key, state: state, location: location.text, acl: acl, to: &out)
        } else {
            MUpdateLineWriter.appendDelete(tag: tag, key: key, to: &out)
        }
    }
}
