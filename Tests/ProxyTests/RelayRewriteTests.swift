import IMAPWire
import Testing

@testable import Proxy

@Suite struct RelayRewriteTests {
    @Test("a synchronising literal in a relayed command goes to the backend non-synchronising", arguments: [
        ("a1 SEARCH CHARSET UTF-8 TEXT {4}\r\n", "a1 SEARCH CHARSET UTF-8 TEXT {4+}\r\n"),
        ("a2 UID SEARCH TEXT ~{12}\r\n", "a2 UID SEARCH TEXT ~{12+}\r\n"),
    ])
    func nonSynchronizing(line: String, expected: String) {
        #expect(FrontendSession.nonSynchronizing(Array(line.utf8)) == Array(expected.utf8))
    }

    @Test("COPYUID source sets keep the order appended and fold runs into ranges")
    func compact() {
        var buffer = EncodeBuffer(.server)
        buffer.writeSequenceSet(FrontendSession.compact([1, 2, 3, 7, 9, 10, 4]))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "1:3,7,9:10,4")
    }
}
