import IMAPWire
import Testing

@testable import MUpdate

@Suite struct MUpdateListMapTests {
    static let locations = [MailboxLocation("127.0.0.1:14143!default")!, MailboxLocation("127.0.0.1:14144!p2")!]

    static func record(_ i: Int, state: MUpdateRecord.State = .active) -> MUpdateRecord {
        MUpdateRecord(
            name: InternalMailboxName("user.u\(i)"), state: state, location: locations[i % 2],
            acl: state == .active ? try! CyrusACL(parsing: "u\(i)\tlrswipkxtecdan\tanyone\tlr\t") : .empty)
    }

    @Test("upsert, replace, remove and look up many names, against a dictionary")
    func againstDictionary() {
        var map = MUpdateListMap()
        var reference: [InternalMailboxName: MUpdateRecord] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            let i = Int.random(in: 0..<3_000, using: &generator)
            let record = Self.record(i, state: step % 3 == 0 ? .reserved : .active)
            if step % 4 == 3 {
                #expect(map.remove(record.name) == (reference.removeValue(forKey: record.name) != nil))
            } else {
                map.upsert(record)
                reference[record.name] = record
            }
        }
        #expect(map.count == reference.count)
        for i in 0..<3_000 {
            let name = InternalMailboxName("user.u\(i)")
            #expect(map.record(name) == reference[name])
        }
        var seen = 0
        map.forEach { record in
            seen += 1
            #expect(reference[record.name] == record)
        }
        #expect(seen == reference.count)
    }

    @Test("packed form round-trips; damaged bytes are refused")
    func packed() throws {
        var map = MUpdateListMap()
        for i in 0..<1_000 { map.upsert(Self.record(i)) }
        for i in 0..<500 { map.remove(Self.record(i * 2).name) }
        let (locations, arena) = map.packed()
        let copy = try #require(MUpdateListMap(locations: locations, arena: arena, count: map.count))
        #expect(copy.count == 500)
        #expect(copy.record("user.u1") == Self.record(1))
        #expect(copy.record("user.u2") == nil)
        #expect(MUpdateListMap(locations: locations, arena: Array(arena.dropLast(3)), count: map.count) == nil)
        #expect(MUpdateListMap(locations: [], arena: arena, count: map.count) == nil)
    }

    @Test("name prefix selection")
    func prefix() {
        var map = MUpdateListMap()
        for name in ["user.alice", "user.alice.Sent", "user.alicex", "shared.memo"] {
            map.upsert(MUpdateRecord(name: InternalMailboxName(name), state: .reserved, location: Self.locations[0]))
        }
        #expect(Set(map.records(withNamePrefix: Array("user.alice".utf8)).map(\.name.description))
            == ["user.alice", "user.alice.Sent", "user.alicex"])
        #expect(map.records(withNamePrefix: []).count == 4)
    }

    @Test("200,000 records: build and look up")
    func large() {
        var map = MUpdateListMap(capacity: 200_000)
        let start = ContinuousClock.now
        for i in 0..<200_000 { map.upsert(Self.record(i)) }
        #expect(map.count == 200_000)
        #expect(map.record("user.u199999") == Self.record(199_999))
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
