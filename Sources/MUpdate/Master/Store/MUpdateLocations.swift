/// The locations records point at, interned: a murder has a handful of `server!partition`
/// pairs and a million records, so each record keeps a small number instead of the text.
///
///     0  127.0.0.1:14143!default     server "127.0.0.1:14143"
///     1  backend2.example.com!fast   server "backend2.example.com"
///
/// Append-only; a copy (a snapshot) is cheap because the arrays are copy-on-write.
public struct MUpdateLocations: Sendable {
    /// One interned location with the byte forms the server needs.
    public struct Info: Sendable, Hashable {
        public let location: MailboxLocation
        /// `location` as it travels on the wire.
        public let text: [UInt8]
        /// The server part (before `!`), ASCII lower-cased, for PARTIAL-UPDATE matching.
        public let server: [UInt8]

        init(_ location: MailboxLocation) {
            self.location = location
            text = Array(location.description.utf8)
            server = Array(location.server.description.utf8).map(Self.lower)
        }

        static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    }

    public private(set) var infos: [Info] = []
    private var ids: [MailboxLocation: UInt32] = [:]

    public init() {}

    /// The number of `location`, interning it on first use.
    public mutating func id(for location: MailboxLocation) -> UInt32 {
        if let id = ids[location] { return id }
        let id = UInt32(infos.count)
        infos.append(Info(location))
        ids[location] = id
        return id
    }

    /// The number of `location` if it is interned.
    public func existingID(for location: MailboxLocation) -> UInt32? { ids[location] }

    public subscript(id: UInt32) -> Info { infos[Int(id)] }

    public var count: Int { infos.count }

    /// For each id, whether its text starts with `prefix` (`LIST prefix`, SPEC.md §3.3).
    public func matching(prefix: [UInt8]) -> [Bool] {
        infos.map { $0.text.starts(with: prefix) }
    }

    /// For each id, whether its server part is one of `servers` (lower-cased; PARTIAL-UPDATE).
    public func matching(servers: Set<[UInt8]>) -> [Bool] {
        infos.map { servers.contains($0.server) }
    }
}
