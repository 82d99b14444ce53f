import IMAPWire
import Testing

@testable import MUpdate

@Suite struct MUpdateIndexTests {
    static let names: [InternalMailboxName] = [
        "user.a", "user.a.b", "user.a^b", "user.ab", "example.com!user.a", "shared", "shared.memo", "user.zz",
        "b.example!user.x", "user.a.b.c", "user.a-b", "user.A",
    ]

    @Test("keys map back to their names")
    func keys() {
        for name in Self.names { #expect(MUpdateKey.name(for: MUpdateKey.key(for: name)) == name) }
    }

    @Test("random inserts and removals keep dump order and agree with a plain map, across merges")
    func model() {
        var index = MUpdateIndex()
        var model: [InternalMailboxName: MUpdateRecord] = [:]
        var generator = SystemRandomNumberGenerator()
        let location = MailboxLocation("h!p")!
        let id = index.locations.id(for: location)
        for step in 0..<6000 {
            let name = InternalMailboxName("user.u\(Int.random(in: 0..<1500, using: &generator)).x")
            if Bool.random(using: &generator) || step < 500 {
                index.set(.init(key: MUpdateKey.key(for: name), state: .reserved, location: id, acl: []))
                model[name] = MUpdateRecord(name: name, state: .reserved, location: location)
            } else {
                let removed = index.remove(key: MUpdateKey.key(for: name))
                #expect((removed != nil) == (model.removeValue(forKey: name) != nil))
            }
        }
        #expect(index.count == model.count)
        #expect(index.records.map(\.name) == MUpdateOrder.sorted(model.keys))
        for name in model.keys { #expect(index.record(named: name) != nil) }
        index.merge()
        #expect(index.records.map(\.name) == MUpdateOrder.sorted(model.keys))
    }

    @Test(
        "data lines written from entries match writeMUpdateResponse byte for byte",
        arguments: [
            MUpdateRecord(
                name: "user.bob", state: .active, location: MailboxLocation("127.0.0.1:14143!default")!,
                acl: try! CyrusACL(parsing: "bob\tlrswipkxtecdan\tanyone\tlr\t")),
            MUpdateRecord(name: "example.com!user.j^d.Sent", state: .reserved, location: MailboxLocation("h:1!p")!),
            MUpdateRecord(name: "shared", state: .active, location: MailboxLocation("backend")!, acl: .empty),
        ])
    func lines(record: MUpdateRecord) {
        var index = MUpdateIndex()
        let entry = MUpdateIndex.Entry(
            key: MUpdateKey.key(for: record.name), state: record.state,
            location: index.locations.id(for: record.location), acl: record.acl.bytes)
        var out: [UInt8] = []
        index.append(entry, tag: Array("U01".utf8), to: &out)
        var want = EncodeBuffer(.server)
        want.writeMUpdateResponse(record.response(tag: "U01"))
        #expect(String(decoding: out, as: UTF8.self) == want.string)
        out = []
        MUpdateLineWriter.appendDelete(tag: Array("U01".utf8), key: entry.key, to: &out)
        want = EncodeBuffer(.server)
        want.writeMUpdateResponse(.delete(tag: "U01", name: record.name))
        #expect(String(decoding: out, as: UTF8.self) == want.string)
        index.set(entry)
        #expect(index.record(named: record.name) == record)
    }
}
