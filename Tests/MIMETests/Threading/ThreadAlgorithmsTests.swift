import Foundation
import IMAPWire
import MIME
import Testing

@Suite struct ThreadAlgorithmsTests {
    static func input(
        _ id: UInt32, _ subject: String, day: Double, messageID: String? = nil, references: [String] = [],
        inReplyTo: String? = nil
    ) -> ThreadInput {
        let base = BaseSubject(Array(subject.utf8))
        return ThreadInput(
            id: id, baseSubject: base.text, isReplyOrForward: base.isReplyOrForward,
            sentDate: Date(timeIntervalSince1970: day * 86400), messageID: messageID, inReplyTo: inReplyTo,
            references: references)
    }

    static func wire(_ threads: [ThreadNode]) -> String {
        var e = EncodeBuffer(.server)
        for t in threads { e.writeThreadNode(t) }
        return e.string
    }

    @Test("ORDEREDSUBJECT groups by base subject, first message the parent, groups by first date")
    func orderedSubject() {
        let messages = [
            Self.input(1, "A", day: 1), Self.input(2, "Re: A", day: 3), Self.input(3, "b", day: 2),
            Self.input(4, "re: a", day: 4), Self.input(5, "C", day: 5), Self.input(6, "Re: B", day: 6),
        ]
        #expect(Self.wire(ThreadAlgorithms.orderedSubject(messages)) == "(1 (2)(4))(3 6)(5)")
    }

    @Test("ORDEREDSUBJECT breaks date ties by id")
    func orderedSubjectTies() {
        let messages = [Self.input(9, "x", day: 1), Self.input(3, "x", day: 1), Self.input(5, "y", day: 1)]
        #expect(Self.wire(ThreadAlgorithms.orderedSubject(messages)) == "(3 9)(5)")
    }

    @Test("REFERENCES links replies, prunes dummies, gathers subjects and sorts by date")
    func references() {
        let messages = [
            Self.input(1, "A", day: 1, messageID: "a"),
            Self.input(2, "Re: A", day: 2, messageID: "b", references: ["a"]),
            Self.input(3, "Re: A", day: 3, messageID: "c", inReplyTo: "a"),
            Self.input(4, "Re: A", day: 4, messageID: "d", references: ["a", "b"]),
            Self.input(5, "Other", day: 5, messageID: "e", references: ["gone"]),
            Self.input(6, "Re: Other", day: 6, messageID: "f"),
            Self.input(7, "Z", day: 7, messageID: "g", references: ["x"]),
            Self.input(8, "Y", day: 8, messageID: "h", references: ["x"]),
        ]
        #expect(Self.wire(ThreadAlgorithms.references(messages)) == "(1 (2 4)(3))(5 6)((7)(8))")
    }

    @Test("REFERENCES survives loops, self references and duplicate ids")
    func hostile() {
        let messages = [
            Self.input(1, "s", day: 1, messageID: "a", references: ["b", "a"]),
            Self.input(2, "t", day: 2, messageID: "b", references: ["a"]),
            Self.input(3, "u", day: 3, messageID: "a"),
            Self.input(4, "v", day: 4),
        ]
        let threads = ThreadAlgorithms.references(messages)
        var ids: [UInt32] = []
        func collect(_ n: ThreadNode) {
            ids += n.messages
            n.children.forEach(collect)
        }
        threads.forEach(collect)
        #expect(ids.sorted() == [1, 2, 3, 4])
    }

    @Test("REFERENCES: two non-reply roots with one subject go under a new dummy")
    func subjectDummy() {
        let messages = [
            Self.input(1, "Same", day: 1, messageID: "a"), Self.input(2, "same", day: 2, messageID: "b"),
        ]
        #expect(Self.wire(ThreadAlgorithms.references(messages)) == "((1)(2))")
    }

    @Test("a long reply chain is one thread and does not exhaust the stack")
    func longChain() {
        var messages: [ThreadInput] = []
        for i in 1...20_000 {
            messages.append(
                Self.input(
                    UInt32(i), "Re: chain", day: Double(i), messageID: "m\(i)",
                    references: i > 1 ? ["m\(i - 1)"] : []))
        }
        let threads = ThreadAlgorithms.references(messages)
        #expect(threads.count == 1)
        #expect(threads.first?.messages.count == 20_000)
    }

    @Test("a message's thread input uses the internal date when Date is missing")
    func threadInput() {
        let m = Fixtures.message("Subject: Re: hi\nReferences: <a@x> <b@x>\nMessage-ID: <c@x>\n\n")
        let t = m.threadInput(id: 7, internalDate: Date(timeIntervalSince1970: 42))
        #expect(t.sentDate == Date(timeIntervalSince1970: 42))
        #expect(t.baseSubject == "hi" && t.isReplyOrForward)
        #expect(t.references == ["a@x", "b@x"] && t.messageID == "c@x")
    }
}
