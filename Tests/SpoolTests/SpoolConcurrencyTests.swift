import Testing

@testable import Spool

@Suite struct SpoolConcurrencyTests {
    static let tasks = 20
    static let perTask = 25

    /// Each task stages and appends its own messages, one at a time.
    static func appendConcurrently(_ spool: Spool, _ mailbox: String) async throws -> [UInt32] {
        try await withThrowingTaskGroup(of: [UInt32].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var uids: [UInt32] = []
                    for i in 0..<perTask {
                        let text = "Subject: task \(t) message \(i)\r\n\r\n" + String(repeating: "x", count: t * 7 + i)
                        uids.append(try appendText(spool, mailbox, text))
                    }
                    return uids
                }
            }
            var all: [UInt32] = []
            for try await uids in group { all += uids }
            return all
        }
    }

    @Test("20 tasks appending 25 messages each get 500 distinct UIDs without gaps")
    func concurrentAppends() async throws {
        try await withSpool { spool, _ in
            let record = try spool.createMailbox("user.alice", acl: "")
            let uids = try await Self.appendConcurrently(spool, "user.alice")
            let total = Self.tasks * Self.perTask
            #expect(uids.count == total)
            #expect(uids.sorted() == (1...UInt32(total)).map { $0 })
            let (after, messages) = try spool.messages("user.alice", user: "alice")
            #expect(messages.map(\.uid) == (1...UInt32(total)).map { $0 })
            #expect(after.uidNext == UInt32(total + 1))
            #expect(after.highestModSeq == UInt64(total + 1))
            #expect(Set(messages.map(\.modSeq)).count == total)
            let paths = messages.map { spool.messagePath(record, uid: $0.uid) }
            let sums = try sha1sum(paths)
            #expect(sums.count == total)
            for (message, path) in zip(messages, paths) {
                #expect(sums[path] == message.guid, "uid \(message.uid)")
            }
        }
    }

    @Test("appends finished in a detached task are all there when a new spool opens the root")
    func reopenAfterDetachedAppends() async throws {
        try await withTempFolder { root in
            let expected: [(UInt32, String)]
            do {
                let spool = try Spool(root: root)
                try spool.createMailbox("shared.busy", acl: "")
                let task = Task.detached { try await Self.appendConcurrently(spool, "shared.busy") }
                _ = try await task.value
                expected = try spool.messages("shared.busy", user: nil).1.map { ($0.uid, $0.guid) }
            }
            let spool = try Spool(root: root)
            let (record, messages) = try spool.messages("shared.busy", user: nil)
            #expect(messages.map(\.uid) == expected.map(\.0))
            #expect(messages.map(\.guid) == expected.map(\.1))
            #expect(record.uidNext == UInt32(Self.tasks * Self.perTask + 1))
            #expect(FileIO.list(root + "/owners/shared/tmp").isEmpty)
            #expect(messageFiles(spool.ownerFolder("shared") + "/mbox/\(record.uniqueID)").count == expected.count)
        }
    }
}
