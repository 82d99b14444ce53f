import Foundation
import IMAPServer
import MUpdate
import Spool
import Synchronization
import MurderTestSupport
import Testing
import Transport

extension WireTests {
    /// XFER (SPEC.md §7.5): the destination's private commands, and the source's
    /// `RENAME name name server` against a second in-process backend listening on loopback.
    @Suite struct TransferTests {
        // MARK: Destination commands

        @Test("XFER commands need an administrator, and authentication first")
        func adminOnly() async throws {
            try await TestServer.with { server in
                let anonymous = server.connect()
                _ = try await anonymous.expectLine(prefix: "* OK [CAPABILITY ")
                anonymous.send("t0 XFERCOMMIT user.bob\r\n")
                try await anonymous.expect("t0 BAD Please authenticate first\r\n")
                let s = try await server.session(as: "alice")
                s.send("t1 XFERPUT user.bob index.sqlite {3+}\r\nabc\r\n")
                try await s.expect("t1 NO [NOPERM] Permission denied\r\n")
                s.send("t2 XFERCOMMIT user.bob\r\nt3 XFERABORT user.bob\r\n")
                try await s.expect("t2 NO [NOPERM] Permission denied\r\nt3 NO [NOPERM] Permission denied\r\n")
                // A non-admin's literal keeps the string bound: no file-sized literal is held.
                let big = String(repeating: "x", count: 70_000)
                s.send("t4 XFERPUT user.bob index.sqlite {\(big.utf8.count)+}\r\n\(big)\r\n")
                _ = try await s.expectLine(prefix: "t4 BAD ")
                #expect(!FileManager.default.fileExists(atPath: server.spool.root + "/xfer"))
            }
        }

        @Test(
            "XFERPUT refuses paths outside index.sqlite and mbox/<uniqueid>/<uid>.eml",
            arguments: ["../x", "mbox/../../owners/user.alice/index.sqlite", "mbox/u1/0.eml", "tmp/1.eml"]
        )
        func badPath(path: String) async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "admin")
                s.send("t1 XFERPUT user.bob \"\(path)\" {1+}\r\nx\r\n")
                try await s.expect("t1 NO [CANNOT] \(path) is not index.sqlite or mbox/<uniqueid>/<uid>.eml\r\n")
            }
        }

        @Test("an admin stages a file-sized literal (over the string bound), commits nothing twice, aborts")
        func stageCommitAbort() async throws {
            try await TestServer.with { server in
                let s = try await server.session(as: "admin")
                var body = [UInt8](repeating: 0, count: 100_000)
                for i in body.indices { body[i] = UInt8(truncatingIfNeeded: i) }
                s.send(bytes: Array("t1 XFERPUT user.bob mbox/u1/1.eml {\(body.count)+}\r\n".utf8) + body + [13, 10])
                try await s.expect("t1 OK Stored\r\n")
                let staged = server.spool.root + "/xfer/user.bob/mbox/u1/1.eml"
                #expect(FileManager.default.contents(atPath: staged).map(Array.init) == body)
                s.send("t2 XFERCOMMIT user.bob\r\n")
                try await s.expect("t2 NO [NONEXISTENT] nothing staged for user.bob\r\n")
                s.send("t3 XFERABORT user.bob\r\n")
                try await s.expect("t3 OK Dropped\r\n")
                #expect(!FileManager.default.fileExists(atPath: staged))
                // An owner that lives here already cannot be received.
                s.send("t4 XFERPUT user.alice index.sqlite {1+}\r\nx\r\n")
                try await s.expect("t4 OK Stored\r\n")
                try await s.run("c1", "CREATE user/alice")
                s.send("t5 XFERPUT user.alice index.sqlite {1+}\r\nx\r\n")
                try await s.expect("t5 NO [ALREADYEXISTS] user.alice already has mailboxes on this server\r\n")
            }
        }

        // MARK: Source: RENAME name name server

        /// A destination backend listening on loopback, and a source backend that can reach it
        /// with `admin` as its transfer identity.
        func withPair(
            sourceMaster: RecordingRegistration, destinationMaster: RecordingRegistration,
            username: String = "admin",
            _ body: (TestServer, TestServer, String) async throws -> Void
        ) async throws {
            let engine = TestEngine.current
            try await TestServer.with(registration: destinationMaster) { destination in
                let listener = try await IMAPServer(context: destination.context, engine: engine).listen(
                    host: "127.0.0.1", port: 0, limits: ListenerLimits(maxConnections: 10, maxConnectionsPerHost: 10))
                let transfer = TransferSettings(
                    engine: engine, username: username, password: TestServer.password, timeout: .seconds(10))
                do {
                    try await TestServer.with(registration: sourceMaster, transfer: transfer) { source in
                        try await body(source, destination, "127.0.0.1:\(listener.localPort)")
                    }
                } catch {
                    await listener.close()
                    throw error
                }
                await listener.close()
            }
        }

        @Test("rename_with_location: a user moves with UIDs, UIDVALIDITY, flags, subscriptions and quota")
        func moveUser() async throws {
            let sourceMaster = RecordingRegistration()
            let destinationMaster = RecordingRegistration()
            try await withPair(sourceMaster: sourceMaster, destinationMaster: destinationMaster) { source, destination, address in
                let bob = try await source.session(as: "bob")
                try await bob.run("c1", "CREATE INBOX/Sent")
                for n in 1...3 { try await bob.append("INBOX", "Subject: \(n)\r\n\r\nbody \(n)\r\n", flags: n == 2 ? "\\Flagged" : "") }
                try await bob.append("INBOX/Sent", "Subject: s\r\n\r\nsent\r\n")
                try await bob.run("c2", "SUBSCRIBE INBOX/Sent")
                try await bob.run("c3", "SELECT INBOX")
                let admin = try await source.session(as: "admin")
                try await admin.run("q1", "SETQUOTA user/bob (STORAGE 1000)")
                let inbox = try #require(source.spool.mailbox(named: "user.bob"))
                let before = sourceMaster.log.count

                admin.send("x1 RENAME user/bob user/bob \(address)\r\n")
                try await admin.expect("* OK USER bob\r\nx1 OK XFER completed\r\n")

                #expect(Array(sourceMaster.log[before...]) == ["DEACTIVATE user.bob", "DEACTIVATE user.bob.Sent"])
                #expect(
                    destinationMaster.log.suffix(2) == [
                        "ACTIVATE user.bob bob lrswipkxtecdan ", "ACTIVATE user.bob.Sent bob lrswipkxtecdan ",
                    ])
                let moved = try #require(destination.spool.mailbox(named: "user.bob"))
                #expect(moved.uidValidity == inbox.uidValidity && moved.uniqueID == inbox.uniqueID && moved.uidNext == 4)
                #expect(try destination.spool.messages("user.bob", user: "bob").1.map(\.flags) == [[], ["\\Flagged"], []])
                #expect(destination.spool.subscriptions(user: "bob") == ["user.bob.Sent"])
                #expect(try destination.spool.quota(root: "user.bob")?.storageLimitKiB == 1000)
                #expect(source.spool.mailboxes(ofOwner: "user.bob").isEmpty)
                #expect(!FileManager.default.fileExists(atPath: source.spool.root + "/owners/user.bob"))
                // The session that had the INBOX selected learns it moved.
                bob.send("n1 NOOP\r\n")
                try await bob.expect("* BYE [UNAVAILABLE] Selected mailbox was moved to another server\r\n")
                // A second XFER of the same user finds it gone.
                admin.send("x2 RENAME user/bob user/bob \(address)\r\n")
                try await admin.expect("x2 NO [UNAVAILABLE] Mailbox was moved to another server\r\n")
            }
        }

        @Test("a user's sub-mailbox alone, a mailbox that does not exist, a non-admin and a new name are refused")
        func refusals() async throws {
            let sourceMaster = RecordingRegistration()
            try await withPair(sourceMaster: sourceMaster, destinationMaster: RecordingRegistration()) { source, _, address in
                let bob = try await source.session(as: "bob")
                try await bob.run("c1", "CREATE INBOX/Sent")
                bob.send("b1 RENAME INBOX INBOX \(address)\r\n")
                try await bob.expect("b1 NO [NOPERM] Permission denied\r\n")
                let admin = try await source.session(as: "admin")
                admin.send("x1 RENAME user/bob/Sent user/bob/Sent \(address)\r\n")
                try await admin.expect(
                    "x1 NO [CANNOT] Only a whole user can be moved: RENAME user/bob user/bob \(address)\r\n")
                admin.send("x2 RENAME user/nobody user/nobody \(address)\r\n")
                try await admin.expect("x2 NO [NONEXISTENT] Mailbox does not exist\r\n")
                admin.send("x3 RENAME user/bob user/robert \(address)\r\n")
                try await admin.expect("x3 NO [CANNOT] A rename cannot also move the mailbox to another server\r\n")
                #expect(!sourceMaster.log.contains { $0.hasPrefix("DEACTIVATE") })
            }
        }

        @Test("a destination that cannot be reached or refuses the identity: tagged NO, nothing changed")
        func unreachable() async throws {
            let sourceMaster = RecordingRegistration()
            try await withPair(sourceMaster: sourceMaster, destinationMaster: RecordingRegistration(), username: "alice") {
                source, destination, address in
                _ = try await source.session(as: "bob")
                let admin = try await source.session(as: "admin")
                admin.send("x1 RENAME user/bob user/bob \(address)\r\n")
                let lines = try await admin.lines(untilTagged: "x1")
                #expect(lines.first?.hasPrefix("* NO USER bob (") == true)
                #expect(lines.last?.hasPrefix("x1 NO [CANNOT] XFER failed: ") == true)
                admin.send("x2 RENAME user/bob user/bob 127.0.0.1:1\r\n")
                let refused = try await admin.lines(untilTagged: "x2")
                #expect(refused.last?.hasPrefix("x2 NO [CANNOT] XFER failed: cannot connect to 127.0.0.1:1") == true)
                #expect(source.spool.mailbox(named: "user.bob") != nil)
                #expect(destination.spool.mailbox(named: "user.bob") == nil)
                #expect(!sourceMaster.log.contains { $0.hasPrefix("DEACTIVATE") })
            }
        }

        @Test("the destination's master refuses: XFERABORT, the source unfreezes and re-ACTIVATEs its own copy")
        func rollback() async throws {
            let sourceMaster = RecordingRegistration()
            let destinationMaster = RecordingRegistration()
            destinationMaster.failActivate.withLock { $0 = true }
            try await withPair(sourceMaster: sourceMaster, destinationMaster: destinationMaster) { source, destination, address in
                let bob = try await source.session(as: "bob")
                try await bob.append("INBOX", "Subject: 1\r\n\r\nbody\r\n")
                let admin = try await source.session(as: "admin")
                let before = sourceMaster.log.count
                admin.send("x1 RENAME user/bob user/bob \(address)\r\n")
                let lines = try await admin.lines(untilTagged: "x1")
                #expect(lines.first?.hasPrefix("* NO USER bob (") == true)
                #expect(lines.last?.hasPrefix("x1 NO [CANNOT] XFER failed: ") == true)
                #expect(
                    Array(sourceMaster.log[before...]) == ["DEACTIVATE user.bob", "ACTIVATE user.bob bob lrswipkxtecdan "])
                #expect(destination.spool.mailbox(named: "user.bob") == nil)
                #expect(!FileManager.default.fileExists(atPath: destination.spool.root + "/xfer/user.bob"))
                // The source is whole and writable again.
                #expect(try await bob.append("INBOX", "Subject: 2\r\n\r\nbody\r\n").hasPrefix("ap OK"))
                #expect(try source.spool.messages("user.bob", user: "bob").1.count == 2)
            }
        }
    }
}
