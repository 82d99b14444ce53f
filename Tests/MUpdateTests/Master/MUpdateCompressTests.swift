import Foundation
import IMAPWire
import Testing
import Transport

@testable import MUpdate

/// `COMPRESS "DEFLATE"` (Cyrus's extension, RFC 4978's rules): after the bare OK, each
/// direction is one raw DEFLATE stream; the texts inside are the usual exact bytes.
@Suite struct MUpdateCompressTests {
    typealias H = MasterHarness

    /// Both halves of a compressing client.
    final class Deflated {
        let client: RawClient
        let out = DeflateStream(.compress)!
        let back = DeflateStream(.decompress)!
        var plain: [UInt8] = []

        init(_ client: RawClient) { self.client = client }

        func send(_ text: String) async throws {
            try await client.send(bytes: try out.process(Array(text.utf8)))
        }

        /// Reads and inflates until `text` arrived, and checks it is exactly what came.
        func expect(_ text: String) async throws {
            let want = Array(text.utf8)
            let deadline = ContinuousClock.now + .seconds(5)
            while plain.count < want.count, ContinuousClock.now < deadline {
                guard let chunk = try await client.connection.read(timeout: .seconds(5)) else { break }
                plain += try back.process(chunk)
            }
            let got = Array(plain.prefix(want.count))
            plain.removeFirst(got.count)
            #expect(String(decoding: got, as: UTF8.self) == text)
        }
    }

    @Test("COMPRESS answers bare OK, then commands and answers (a stream too) travel deflated")
    func deflate() async throws {
        try await H.with { h in
            _ = try await h.store.activate("user.bob", at: MailboxLocation(H.location)!, acl: try CyrusACL(parsing: H.acl))
            let raw = try await h.connect()
            try await raw.send("Z1 COMPRESS \"DEFLATE\"\r\n")
            try await raw.expect("Z1 OK DEFLATE active\r\n")
            let c = Deflated(raw)
            try await c.send("S1 STARTTLS\r\nZ2 COMPRESS \"DEFLATE\"\r\n")
            try await c.expect("S1 BAD Can't Starttls after Compress\r\nZ2 BAD DEFLATE active via COMPRESS\r\n")
            try await c.send(RawClient.plain("mupdate", H.password, tag: "A1"))
            try await c.expect("A1 OK \"Authenticated\"\r\n")
            try await c.send("F1 FIND \"user.bob\"\r\nU1 UPDATE\r\n")
            let record = "user.bob {23+}\r\n\(H.location) {19+}\r\n\(H.acl)\r\n"
            try await c.expect(
                "F1 MAILBOX {8+}\r\n\(record)F1 OK \"Search completed\"\r\n"
                    + "U1 MAILBOX {8+}\r\n\(record)U1 OK \"streaming starts\"\r\n")
            _ = try await h.store.reserve("user.carol", at: MailboxLocation(H.location)!)
            try await c.expect("U1 RESERVE {10+}\r\nuser.carol {23+}\r\n\(H.location)\r\n")
            try await c.send("N1 NOOP\r\n")
            try await c.expect("N1 OK \"Noop done\"\r\n")
            await raw.close()
        }
    }

    @Test("corrupt compressed input ends the connection with BYE; data pipelined after COMPRESS is refused")
    func corrupt() async throws {
        try await H.with { h in
            let early = try await h.connect()
            try await early.send("Z1 COMPRESS \"DEFLATE\"\r\nN1 NOOP\r\n")
            try await early.expect("Z1 BAD \"data sent after COMPRESS before its answer\"\r\nN1 BAD \"Please login first\"\r\n")
            await early.close()

            let raw = try await h.connect()
            try await raw.send("Z1 COMPRESS \"DEFLATE\"\r\n")
            try await raw.expect("Z1 OK DEFLATE active\r\n")
            // A stored block whose length check fails: not DEFLATE.
            try await raw.send(bytes: [0x00, 0x05, 0x00, 0x05, 0x00, 0x41, 0x42])
            let back = DeflateStream(.decompress)!
            var rest: [UInt8] = []
            while let chunk = try await raw.connection.read(timeout: .seconds(5)) { rest += chunk }
            #expect(String(decoding: try back.process(rest), as: UTF8.self) == "* BYE \"corrupt DEFLATE data\"\r\n")
        }
    }
}
