/// How far a list replica's copy goes in the master's numbered change log (SPEC.md §3.5): the
/// last `X-SEQ "<epoch>" "<seq>"` it applied, and when it saw it.
public struct MUpdateStreamPosition: Sendable, Hashable, CustomStringConvertible {
    /// The random id of the master's store; another epoch means another list.
    public var epoch: String
    public var sequence: UInt64
    /// Seconds since 1970 when the position was recorded.
    public var recordedAt: Int64

    public init(epoch: String, sequence: UInt64, recordedAt: Int64) {
        self.epoch = epoch
        self.sequence = sequence
        self.recordedAt = recordedAt
    }

    public var description: String { "\(epoch)/\(sequence)" }
}
