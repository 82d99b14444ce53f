import Testing

@testable import Transport

@Suite struct DeflateStreamTests {
    @Test("what one side compresses (in any pieces) the other gives back byte for byte, each piece flushed")
    func roundTrip() throws {
        let out = try #require(DeflateStream(.compress))
        let back = try #require(DeflateStream(.decompress))
        var received: [UInt8] = []
        var sent: [UInt8] = []
        for i in 0..<50 {
            let piece = Array("U1 MAILBOX {10+}\r\nuser.u\(i) {23+}\r\n127.0.0.1:14143!default\r\n".utf8)
            sent += piece
            // Sync flush: each compressed piece decodes completely on its own.
            received += try back.process(try out.process(piece))
            #expect(received == sent)
        }
        let big = [UInt8](repeating: 0x61, count: 300_000)
        #expect(try back.process(try out.process(big)) == big)
    }

    @Test("a decompression bomb stops at the limit; corrupt data is an error")
    func bounds() throws {
        let out = try #require(DeflateStream(.compress))
        let bomb = try out.process([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.count < 10_000)
        let back = try #require(DeflateStream(.decompress))
        #expect(throws: DeflateStream.Failure.self) { _ = try back.process(bomb, limit: 1 << 20) }
        let other = try #require(DeflateStream(.decompress))
        #expect(throws: DeflateStream.Failure.self) { _ = try other.process([0x00, 0x05, 0x00, 0x05, 0x00, 0x41]) }
    }
}
