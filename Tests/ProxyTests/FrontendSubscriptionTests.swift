import MUpdate
import Spool
import Testing

extension FrontendWireTests {
    /// SUBSCRIBE, LSUB and LIST (SUBSCRIBED) (SPEC.md §6): subscriptions live on the user's INBOX
    /// backend and are shown against the whole list.
    @Suite struct FrontendSubscriptionTests {
        @Test("SUBSCRIBE shared/memo (on the other backend), then LSUB shows it without \\Noselect")
        func subscribeElsewhere() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("u1 SUBSCRIBE shared/memo\r\n")
                try await c.expect("u1 OK Completed\r\n")
                try await c.send("l1 LSUB \"\" \"*\"\r\n")
                try await c.expect("* LSUB () \"/\" shared/memo\r\nl1 OK Completed\r\n")
                // Kept on alice's INBOX backend.
                #expect(murder.backend1.spool.subscriptions(user: "alice").contains("shared.memo"))
            }
        }

        @Test("LSUB \"\" \"%\" shows the unsubscribed parent of a subscription as \\Noselect")
        func lsubParent() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("u1", "SUBSCRIBE shared/memo")
                try await c.run("u2", "SUBSCRIBE INBOX")
                try await c.send("l1 LSUB \"\" \"%\"\r\n")
                try await c.expect("* LSUB () \"/\" INBOX\r\n* LSUB (\\Noselect) \"/\" shared\r\nl1 OK Completed\r\n")
            }
        }

        @Test("LIST (SUBSCRIBED) \"\" \"*\" marks \\Subscribed")
        func listSubscribed() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("u1", "SUBSCRIBE shared/memo")
                try await c.run("u2", "SUBSCRIBE INBOX")
                try await c.send("l1 LIST (SUBSCRIBED) \"\" \"*\"\r\n")
                try await c.expect(
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren \\Subscribed) \"/\" shared/memo\r\n"
                        + "l1 OK Completed (2 mailboxes)\r\n")
                try await c.send("l2 LIST \"\" \"*\" RETURN (SUBSCRIBED)\r\n")
                try await c.expect(
                    "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"
                        + "* LIST (\\HasNoChildren \\Subscribed) \"/\" shared/memo\r\n"
                        + "l2 OK Completed (2 mailboxes)\r\n")
            }
        }

        @Test("SUBSCRIBE to a missing mailbox: NO [NONEXISTENT], nothing stored")
        func subscribeMissing() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.send("u1 SUBSCRIBE nosuch\r\n")
                try await c.expect("u1 NO [NONEXISTENT] Mailbox does not exist\r\n")
                #expect(murder.backend1.spool.subscriptions(user: "alice").isEmpty)
            }
        }

        @Test("UNSUBSCRIBE removes it from LSUB")
        func unsubscribe() async throws {
            try await TestMurder.with { murder in
                let c = try await murder.frontendSession(as: "alice")
                try await c.run("u1", "SUBSCRIBE shared/memo")
                try await c.send("u2 UNSUBSCRIBE shared/memo\r\n")
                try await c.expect("u2 OK Completed\r\n")
                try await c.send("l1 LSUB \"\" \"*\"\r\n")
                try await c.expect("l1 OK Completed\r\n")
            }
        }
    }
}
