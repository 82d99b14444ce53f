#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What the THREAD algorithms need of one message.
///
///     C: A1 THREAD REFERENCES UTF-8 ALL
///
/// `sentDate` is the Date field, or the internal date when that is missing or unreadable
/// (RFC 5256 §2.2). Message ids are given without angle brackets, as `MIMEMessage` returns them.
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
public struct ThreadInput: Sendable, Hashable {
    /// The number the response uses: a sequence number or a UID.
    public var id: UInt32
    public var baseSubject: String
    /// Whether the subject was a reply or forward (`Re:`, `Fwd:`, `(fwd)`…).
    public var isReplyOrForward: Bool
    public var sentDate: Date
    public var messageID: String?
    public var inReplyTo: String?
    public var references: [String]

    public init(
        id: UInt32, baseSubject: String, isReplyOrForward: Bool = false, sentDate: Date, messageID: String? = nil,
        inReplyTo: String? = nil, references: [String] = []
    ) {
        self.id = id
        self.baseSubject = baseSubject
        self.isReplyOrForward = isReplyOrForward
        self.sentDate = sentDate
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
    }
}

extension MIMEMessage {
    /// This message's thread keys; `internalDate` stands in for a missing or unreadable Date.
    public func threadInput(id: UInt32, internalDate: Date) -> ThreadInput {
        let subject = subjectKey
        return ThreadInput(
            id: id, baseSubject: subject.text, isReplyOrForward: subject.isReplyOrForward,
            sentDate: sentDate ?? internalDate, messageID: messageID, inReplyTo: inReplyTo, references: references)
    }
}
