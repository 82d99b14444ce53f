import IMAPWire
import Testing

@Suite struct InternalDateTests {
    static let instants: [(Int64, Int, String)] = [
        (0, 0, "1970-1-1 0:0:0"),
        (760_686_745, -480, "1994-2-7 21:52:25"),
        (951_782_400, 0, "2000-2-29 0:0:0"),
        (-1, 0, "1969-12-31 23:59:59"),
        (1_795_949_689, 120, "2026-11-29 12:54:49"),
    ]

    @Test("seconds since the epoch become the civil date in the zone, and back", arguments: instants)
    func roundTrip(_ seconds: Int64, _ zone: Int, _ expected: String) throws {
        let d = try #require(InternalDate(secondsSinceEpoch: seconds, zoneMinutes: zone))
        #expect("\(d.date.year)-\(d.date.month)-\(d.date.day) \(d.hour):\(d.minute):\(d.second)" == expected)
        #expect(d.zoneMinutes == zone)
        #expect(d.secondsSinceEpoch == seconds)
    }
}
