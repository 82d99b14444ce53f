import MUpdate
import Foundation
import Spool
import Synchronization
import Testing

/// A mupdate master stand-in: records every registration call in order and refuses on demand.
final class RecordingRegistration: MailboxRegistration {
    enum Failure: Sendable {
        case unreachable
        case taken
    }

    let calls = Mutex<[String]>([])
    /// Names (or "*" for all) whose RESERVE fails as if held elsewhere in the murder.
    let takenNames = Mutex<Set<String>>([])
    let reachable = Mutex<Bool>(true)
    /// When set, every ACTIVATE fails as if the master went away after the RESERVE.
    let failActivate = Mutex<Bool>(false)

    var log: [String] { calls.withLock { $0 } }

    private func check(_ call: String) throws(MUpdateError) {
        calls.withLock { $0.append(call) }
        guard reachable.withLock({ $0 }) else { throw MUpdateError(.noConnection, "master unreachable") }
    }

    func ensureReachable() async throws(MUpdateError) {
        guard reachable.withLock({ $0 }) else { throw MUpdateError(.noConnection, "master unreachable") }
    }

    func reserve(_ name: InternalMailboxName) async throws(MUpdateError) {
        try check("RESERVE \(name)")
        if takenNames.withLock({ $0.contains(name.description) }) {
            throw MUpdateError(.failReserve, "RESERVE answered NO: mailbox already exists")
        }
    }

    func activate(_ name: InternalMailboxName, acl: CyrusACL) async throws(MUpdateError) {
        try check("ACTIVATE \(name) \(acl.description.replacingOccurrences(of: "\t", with: " "))")
        if failActivate.withLock({ $0 }) { throw MUpdateError(.noConnection, "master went away") }
    }

    func delete(_ name: InternalMailboxName) async throws(MUpdateError) {
        try check("DELETE \(name)")
    }

    func deactivate(_ name: InternalMailboxName) async throws(MUpdateError) {
        try check("DEACTIVATE \(name)")
    }
}

extension WireTests {
    /// A backend in a murder registers its list changes with the mupdate master in the order of
    /// SPEC.md §4.1, and refuses them with `NO [UNAVAILABLE]` when the master is away.
    @Suite struct RegistrationTests {
        @Test("CREATE is RESERVEd before and ACTIVATEd after the local create")
        func createOrder() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                let before = master.log.count
                s.send("c1 CREATE INBOX/Sent\r\n")
                try await s.expect("c1 OK Completed\r\n")
                #expect(
                    Array(master.log[before...]) == [
                        "RESERVE user.alice.Sent", "ACTIVATE user.alice.Sent alice lrswipkxtecdan ",
                    ])
            }
        }

        @Test("in a murder a proxied login creates no INBOX (it may live on another backend); CREATE INBOX through the proxy does")
        func proxiedInbox() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = server.connect()
                _ = try await s.expectLine(prefix: "* OK [CAPABILITY ")
                // PLAIN: authzid bob, authcid murder (the proxy identity).
                let plain = Data("bob\u{0}murder\u{0}\(TestServer.password)".utf8).base64EncodedString()
                s.send("a1 AUTHENTICATE PLAIN \(plain)\r\n")
                _ = try await s.expectLine(prefix: "a1 OK [CAPABILITY ")
                #expect(server.spool.mailbox(named: "user.bob") == nil)
                #expect(!master.log.contains { $0.hasPrefix("RESERVE user.bob") })
                s.send("c1 CREATE INBOX\r\n")
                try await s.expect("c1 OK Completed\r\n")
                #expect(server.spool.mailbox(named: "user.bob") != nil)
                #expect(master.log.suffix(2) == ["RESERVE user.bob", "ACTIVATE user.bob bob lrswipkxtecdan "])
                s.send("c2 CREATE INBOX\r\n")
                try await s.expect("c2 NO [ALREADYEXISTS] Mailbox already exists\r\n")
            }
        }

        @Test("in a murder, SUBSCRIBE takes a name this backend does not hold (it may live on another backend)")
        func subscribeRemote() async throws {
            try await TestServer.with(registration: RecordingRegistration()) { server in
                let s = try await server.session(as: "alice")
                s.send("s1 SUBSCRIBE shared/memo\r\n")
                try await s.expect("s1 OK Completed\r\n")
                s.send("s2 LSUB \"\" *\r\n")
                try await s.expect("* LSUB (\\Noselect) \"/\" shared/memo\r\ns2 OK Completed\r\n")
            }
            // Outside a murder, a missing name is still refused.
            try await TestServer.with { server in
                let s = try await server.session(as: "alice")
                s.send("s1 SUBSCRIBE shared/memo\r\n")
                try await s.expect("s1 NO [NONEXISTENT] Mailbox does not exist\r\n")
            }
        }

        @Test("a name reserved elsewhere in the murder is refused and nothing is created")
        func createTaken() async throws {
            let master = RecordingRegistration()
            master.takenNames.withLock { $0.insert("user.alice.Taken") }
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE INBOX/Taken\r\n")
                try await s.expect("c1 NO [ALREADYEXISTS] Mailbox already exists\r\n")
                #expect(server.spool.mailbox(named: "user.alice.Taken") == nil)
            }
        }

        @Test("with the master unreachable, CREATE, DELETE, RENAME and SETACL answer NO [UNAVAILABLE]; SELECT and APPEND go on")
        func masterUnreachable() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                s.send("c0 CREATE INBOX/Keep\r\n")
                try await s.expect("c0 OK Completed\r\n")
                master.reachable.withLock { $0 = false }
                let unavailable = "NO [UNAVAILABLE] The mailbox list is unavailable, try again later\r\n"
                s.send("c1 CREATE INBOX/New\r\n")
                try await s.expect("c1 " + unavailable)
                s.send("d1 DELETE INBOX/Keep\r\n")
                try await s.expect("d1 " + unavailable)
                s.send("r1 RENAME INBOX/Keep INBOX/Moved\r\n")
                try await s.expect("r1 " + unavailable)
                s.send("s1 SETACL INBOX/Keep bob lr\r\n")
                try await s.expect("s1 " + unavailable)
                #expect(server.spool.mailbox(named: "user.alice.New") == nil)
                #expect(server.spool.mailbox(named: "user.alice.Keep") != nil)
                #expect(server.spool.mailbox(named: "user.alice.Moved") == nil)
                #expect(server.spool.mailbox(named: "user.alice.Keep")?.acl == "alice\tlrswipkxtecdan\t")
                _ = try await s.append("INBOX", "Subject: still here\r\n\r\nbody\r\n")
                s.send("e1 EXAMINE INBOX/Keep\r\n")
                _ = try await s.lines(untilTagged: "e1")
            }
        }

        @Test("an ACTIVATE that fails undoes the local create and releases the reservation")
        func activateFails() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                master.failActivate.withLock { $0 = true }
                let before = master.log.count
                s.send("c1 CREATE INBOX/Half\r\n")
                try await s.expect("c1 NO [UNAVAILABLE] The mailbox list is unavailable, try again later\r\n")
                #expect(server.spool.mailbox(named: "user.alice.Half") == nil)
                #expect(
                    Array(master.log[before...]) == [
                        "RESERVE user.alice.Half", "ACTIVATE user.alice.Half alice lrswipkxtecdan ",
                        "DELETE user.alice.Half",
                    ])
            }
        }

        @Test("RENAME reserves the new names, activates them, then deletes the old ones; DELETE follows the local delete")
        func renameAndDelete() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE INBOX/A\r\nc2 CREATE INBOX/A/B\r\n")
                try await s.expect("c1 OK Completed\r\nc2 OK Completed\r\n")
                let before = master.log.count
                s.send("r1 RENAME INBOX/A INBOX/Z\r\n")
                try await s.expect("r1 OK Completed\r\n")
                let acl = "alice lrswipkxtecdan "
                #expect(
                    Array(master.log[before...]) == [
                        "RESERVE user.alice.Z", "RESERVE user.alice.Z.B",
                        "ACTIVATE user.alice.Z \(acl)", "ACTIVATE user.alice.Z.B \(acl)",
                        "DELETE user.alice.A", "DELETE user.alice.A.B",
                    ])
                let mark = master.log.count
                s.send("d1 DELETE INBOX/Z/B\r\n")
                try await s.expect("d1 OK Completed\r\n")
                #expect(Array(master.log[mark...]) == ["DELETE user.alice.Z.B"])
            }
        }

        @Test("SETACL and DELETEACL ACTIVATE the new ACL")
        func setACL() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let s = try await server.session(as: "alice")
                s.send("c1 CREATE INBOX/Shared\r\n")
                try await s.expect("c1 OK Completed\r\n")
                let before = master.log.count
                s.send("s1 SETACL INBOX/Shared bob lr\r\ns2 DELETEACL INBOX/Shared bob\r\n")
                try await s.expect("s1 OK Completed\r\ns2 OK Completed\r\n")
                #expect(
                    Array(master.log[before...]) == [
                        "ACTIVATE user.alice.Shared alice lrswipkxtecdan bob lr ",
                        "ACTIVATE user.alice.Shared alice lrswipkxtecdan ",
                    ])
            }
        }

        @Test("the INBOX made at first login is registered; two sessions creating one name race safely")
        func inboxAndRace() async throws {
            let master = RecordingRegistration()
            try await TestServer.with(registration: master) { server in
                let a = try await server.session(as: "bob")
                #expect(master.log.prefix(2) == ["RESERVE user.bob", "ACTIVATE user.bob bob lrswipkxtecdan "])
                let b = try await server.session(as: "bob")
                a.send("x1 CREATE INBOX/Same\r\n")
                b.send("y1 CREATE INBOX/Same\r\n")
                let first = try await a.nextLine()
                let second = try await b.nextLine()
                // Either may win; one is created, the other finds it there.
                let outcomes = [first, second].map { $0.drop { $0 != " " }.dropFirst() }.sorted()
                #expect(outcomes == ["NO [ALREADYEXISTS] Mailbox already exists", "OK Completed"])
                #expect(master.log.filter { $0.hasPrefix("RESERVE user.bob.Same") }.count == 1)
                #expect(!master.log.contains("DELETE user.bob.Same"))
            }
        }
    }
}
