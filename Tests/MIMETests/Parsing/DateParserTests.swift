import Foundation
import MIME
import Testing

@Suite struct DateParserTests {
    @Test(
        "Date fields, modern and obsolete",
        arguments: [
            ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", 837_595_405), ("17 Jul 1996 09:23:25 +0000", 837_595_405),
            ("Wed, 17 Jul 96 02:23:25 PDT", 837_595_405), ("Wed Jul 17 09:23:25 1996", 837_595_405),
            ("17 jul 1996 09:23 GMT", 837_595_380), ("Thu, 1 Jan 1970 00:00:00 +0100", -3600),
            ("1 Jan 05 00:00:00 UT", 1_104_537_600), ("29 Feb 2024 12:00:00 Z", 1_709_208_000),
            ("Tue, 1 Jul 2003 10:52:37 +0200", 1_057_049_557),
        ] as [(String, Int)])
    func valid(value: String, epoch: Int) {
        #expect(DateParser.parse(Array(value.utf8))?.timeIntervalSince1970 == Double(epoch))
    }

    @Test(
        "unreadable dates are nil", arguments: ["", "yesterday", "32 Jan 2020", "1 Foo 2020 10:00", "1 Jan 2020 25:00"])
    func invalid(value: String) {
        #expect(DateParser.parse(Array(value.utf8)) == nil)
    }
}
