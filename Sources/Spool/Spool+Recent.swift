extension Spool {
    /// The highest UID no longer \Recent (messages above it are recent), without claiming them:
    /// what EXAMINE reports.
    public func recentUID(_ mailbox: String) throws(SpoolError) -> UInt32 {
        try recentState(mailbox).1
    }
}

extension Spool {
    /// Every owner with a folder in this spool.
    public func ownerKeys() -> [String] {
        FileIO.list(root + "/owners").compactMap(Self.ownerKey(folder:)).sorted()
    }
}
