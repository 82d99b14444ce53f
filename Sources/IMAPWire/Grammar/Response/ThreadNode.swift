/// One thread of a `THREAD` response: a chain of messages, then the sub-threads that branch
/// off after its last message.
///
///     C: A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000
///     S: * THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))
///
/// `(3 6 (4 23)(44 7 96))` is `ThreadNode(messages: [3, 6], children: [[4, 23], [44, 7, 96]])`.
/// - SeeAlso: [RFC 5256 §4](https://www.rfc-editor.org/rfc/rfc5256#section-4)
public struct ThreadNode: Sendable, Hashable {
    /// Messages in a line, each the parent of the next (may be empty when children follow).
    public var messages: [UInt32]
    /// Sub-threads of the last message.
    public var children: [ThreadNode]

    public init(_ messages: [UInt32], children: [ThreadNode] = []) {
        self.messages = messages
        self.children = children
    }
}

// MARK: - Encoding

extension EncodeBuffer {
    // thread-list = "(" (thread-members / thread-nested) ")"
    // thread-members = nz-number *(SP nz-number) [SP thread-nested]
    // thread-nested = 2*thread-list
    @discardableResult
    public mutating func writeThreadNode(_ node: ThreadNode) -> Int {
        var n = writeRaw("(")
        for (i, m) in node.messages.enumerated() { n += (i > 0 ? writeSpace() : 0) + writeNumber(m) }
        if !node.children.isEmpty, !node.messages.isEmpty { n += writeSpace() }
        for child in node.children { n += writeThreadNode(child) }
        return n + writeRaw(")")
    }
}
