import Testing

@testable import MUpdate

@Suite struct MUpdateOrderTests {
    @Test(
        "the key: domain then 0x1D, components joined by 0x1F, ^ decoded to a dot",
        arguments: [
            ("user.a", [0x75, 0x73, 0x65, 0x72, 0x1F, 0x61]),
            ("user.a.b", [0x75, 0x73, 0x65, 0x72, 0x1F, 0x61, 0x1F, 0x62]),
            ("user.a^b", [0x75, 0x73, 0x65, 0x72, 0x1F, 0x61, 0x2E, 0x62]),
            ("user.ab", [0x75, 0x73, 0x65, 0x72, 0x1F, 0x61, 0x62]),
            ("a.b!user.c", [0x61, 0x2E, 0x62, 0x1D, 0x75, 0x73, 0x65, 0x72, 0x1F, 0x63]),
            ("x!shared", [0x78, 0x1D, 0x73, 0x68, 0x61, 0x72, 0x65, 0x64]),
        ] as [(String, [UInt8])])
    func key(_ c: (String, [UInt8])) {
        #expect(MUpdateOrder.key(for: InternalMailboxName(c.0)) == c.1)
    }

    @Test("a mailbox, then its children, then names that merely share its prefix")
    func children() {
        let ordered: [InternalMailboxName] = [
            "user.a", "user.a.b", "user.a.b.c", "user.a.c", "user.a b", "user.a-b", "user.a^b", "user.ab",
        ]
        #expect(MUpdateOrder.sorted(ordered.reversed()) == ordered)
        #expect(MUpdateOrder.sorted(ordered.shuffled()) == ordered)
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(MUpdateOrder.areInIncreasingOrder(a, b))
            #expect(!MUpdateOrder.areInIncreasingOrder(b, a))
        }
        // Plain byte order of the names would differ: '-' and ' ' sort before '.'.
        #expect(ordered.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) } != ordered)
    }

    @Test("domains sort by their name and the 0x1D after it, among names without a domain")
    func domains() {
        let ordered: [InternalMailboxName] = [
            "Shared", "a!user.z", "a.com!user.a", "a.com!user.a.b", "a.com!user.b", "b.org!shared", "shared",
            "user.a",
        ]
        #expect(MUpdateOrder.sorted(ordered.shuffled()) == ordered)
    }

    @Test("a name is not before itself")
    func irreflexive() {
        #expect(!MUpdateOrder.areInIncreasingOrder("user.a", "user.a"))
    }
}
