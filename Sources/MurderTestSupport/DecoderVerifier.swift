public import Testing

/// What a decoder's event says, normalised so that events from different buffer splits can be
/// compared: streamed byte chunks are merged, everything else is a description.
public enum DecodedItem: Hashable, Sendable, CustomStringConvertible {
    case item(String)
    case bytes([UInt8])

    public var description: String {
        switch self {
        case .item(let s): s
        case .bytes(let b): "bytes(\(String(decoding: b, as: UTF8.self).debugDescription))"
        }
    }
}

/// Feeds a decoder the same input three ways — all in one buffer, one message per buffer, and
/// one byte at a time — and checks the three event lists agree (and equal `expected` when
/// given). A decoder is any value with `append` and a `next` that returns nil for "need more".
public struct DecoderVerifier<Decoder>: Sendable {
    public let make: @Sendable () -> Decoder
    public let append: @Sendable (inout Decoder, [UInt8]) -> Void
    public let next: @Sendable (inout Decoder) -> DecodedItem?

    public init(
        make: @escaping @Sendable () -> Decoder,
        append: @escaping @Sendable (inout Decoder, [UInt8]) -> Void,
        next: @escaping @Sendable (inout Decoder) -> DecodedItem?
    ) {
        self.make = make
        self.append = append
        self.next = next
    }

    /// Runs `messages` (the input, split where one message ends) through a fresh decoder
    /// with the given split into buffers.
    public func run(_ buffers: [[UInt8]]) -> [DecodedItem] {
        var decoder = make()
        var out: [DecodedItem] = []
        for buffer in buffers {
            append(&decoder, buffer)
            while let item = next(&decoder) {
                if case .bytes(let b) = item, case .bytes(let previous)? = out.last {
                    out[out.count - 1] = .bytes(previous + b)
                } else {
                    out.append(item)
                }
            }
        }
        return out
    }

    @discardableResult
    public func verify(
        _ messages: [String], expected: [DecodedItem]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [DecodedItem] {
        verify(bytes: messages.map { Array($0.utf8) }, expected: expected, sourceLocation: sourceLocation)
    }

    @discardableResult
    public func verify(
        bytes messages: [[UInt8]], expected: [DecodedItem]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [DecodedItem] {
        let all = messages.flatMap { $0 }
        let whole = run([all])
        let perMessage = run(messages)
        let perByte = run(all.map { [$0] })
        #expect(perMessage == whole, "one message per buffer differs from all at once", sourceLocation: sourceLocation)
        #expect(perByte == whole, "one byte at a time differs from all at once", sourceLocation: sourceLocation)
        if let expected {
            #expect(whole == expected, sourceLocation: sourceLocation)
        }
        return whole
    }
}
