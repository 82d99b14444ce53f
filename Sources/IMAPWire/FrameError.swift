/// Why ``FrameScanner`` refused a line segment, with what it knew of that segment (the tag,
/// so that a command can be answered with a tagged `BAD`).
///
/// Carried by ``FrameEvent/invalid(_:)`` (the message ends, the scanner resynchronises) and
/// ``FrameEvent/close(_:)`` (the refused segment announced a non-synchronising literal, whose
/// bytes will come unasked, so the connection must go).
public struct FrameError: Error, Sendable, Hashable {
    /// Raw values are scan.c's `MC_SCAN_ERR_*`.
    public enum Reason: UInt32, Sendable, Hashable {
        /// More than `maxLineLength` bytes before the LF.
        case lineTooLong = 1
        /// An announced literal larger than `maxLiteralSize`, or one whose length overflowed.
        case literalTooLarge = 2
        /// More than `maxLiteralsPerMessage` literals in one message.
        case tooManyLiterals = 3
        /// A NUL byte in a line segment.
        case nul = 4
    }

    public var reason: Reason
    /// What was known of the refused segment. For a segment refused because it was too long,
    /// `length` is the bound plus one and the spans are those read so far; the close that ends
    /// a discarded segment carries only its literal; a repeated close carries nothing.
    public var line: LineInfo

    public init(_ reason: Reason, line: LineInfo) {
        self.reason = reason
        self.line = line
    }

    /// The bound of ``Limits`` that was passed, if the reason is a limit.
    public var limit: Limit? {
        switch reason {
        case .lineTooLong: .lineLength
        case .literalTooLarge: .literalSize
        case .tooManyLiterals: .literalsPerMessage
        case .nul: nil
        }
    }
}
