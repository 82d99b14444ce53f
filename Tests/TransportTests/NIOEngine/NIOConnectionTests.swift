import Foundation
import Testing

@testable import Transport

@Suite struct NIOConnectionTests {
    typealias H = LoopbackHarness

    @Test("bytes written by the client come back from an echo server")
    func echoRoundTrip() async throws {
        try await H.withDeadline {
            let listener = try await H.listen(handler: echo)
            let client = try await H.connect(to: listener)
            try await client.write(Array("a001 NOOP\r\n".utf8))
            #expect(try await H.read(client, count: 11) == Array("a001 NOOP\r\n".utf8))
            try await client.write(contentsOf: [Array("a002 ".utf8), Array("LOGOUT".utf8), [13, 10]])
            #expect(try await H.read(client, count: 13) == Array("a002 LOGOUT\r\n".utf8))
            await client.close()
            await listener.close()
        }
    }

    @Test("addresses name the loopback peer and port")
    func addresses() async throws {
        try await H.withDeadline {
            let listener = try await H.listen(handler: echo)
            #expect(listener.localAddress == "127.0.0.1:\(listener.localPort)")
            let client = try await H.connect(to: listener)
            #expect(client.remoteAddress == "127.0.0.1:\(listener.localPort)")
            #expect(client.remoteHost == "127.0.0.1")
            #expect(client.localAddress.hasPrefix("127.0.0.1:"))
            let other = try await H.connect(to: listener)
            #expect(other.id != client.id)
            await client.close()
            await other.close()
            await listener.close()
        }
    }

    @Test("an 8 MiB write to a slow reader waits for the socket instead of buffering it")
    func backPressure() async throws {
        try await H.withDeadline(seconds: 60) {
            let payload = H.pattern(count: 8 << 20)
            let peak = PeakBox()
            let listener = try await H.listen { connection in
                try? await connection.write(payload)
                if let nio = connection as? NIOConnection {
                    await peak.set((try? await nio.peakQueuedOutboundBytes()) ?? -1)
                }
            }
            let client = try await H.connect(to: listener)
            try await Task.sleep(for: .milliseconds(300))
            var received: [UInt8] = []
            while let chunk = try await client.read(timeout: .seconds(10)) {
                received += chunk
                if received.count % (1 << 20) < chunk.count {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            #expect(received.count == payload.count)
            #expect(received == payload)
            // On NIO the bytes queued in the channel stay bounded; the io_uring engine's send
            // hands the caller's buffer to the kernel and waits, queuing nothing.
            if H.engine is NIOEngine {
                let observed = await peak.value
                #expect(observed > 0)
                #expect(observed <= NIOConnection.maxWriteSegment + 256 * 1024)
            }
            await client.close()
            await listener.close()
        }
    }

    @Test("writeFile sends exactly the requested range of the file")
    func writeFileRange() async throws {
        try await H.withDeadline {
            let content = H.pattern(count: 300_000)
            let path = NSTemporaryDirectory() + "murder-transport-\(UUID().uuidString)"
            try Data(content).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let listener = try await H.listen { connection in
                try? await connection.write(Array("* 1 FETCH (BODY[] {200000}\r\n".utf8))
                try? await connection.writeFile(path: path, offset: 12_345, length: 200_000)
                try? await connection.write(Array(")\r\n".utf8))
            }
            let client = try await H.connect(to: listener)
            let received = try await H.readAll(client)
            let head = Array("* 1 FETCH (BODY[] {200000}\r\n".utf8)
            #expect(received == head + content[12_345..<212_345] + Array(")\r\n".utf8))
            await client.close()
            await listener.close()
        }
    }

    @Test("writeFile refuses a range beyond the end of the file")
    func writeFileBeyondEnd() async throws {
        try await H.withDeadline {
            let path = NSTemporaryDirectory() + "murder-transport-\(UUID().uuidString)"
            try Data(H.pattern(count: 100)).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let outcome = OutcomeBox()
            let listener = try await H.listen { connection in
                do {
                    try await connection.writeFile(path: path, offset: 50, length: 51)
                    await outcome.set("sent")
                } catch let error as ConnectionError {
                    await outcome.set("\(error.code)")
                } catch {
                    await outcome.set("other: \(error)")
                }
            }
            let client = try await H.connect(to: listener)
            #expect(try await H.readAll(client).isEmpty)
            #expect(await outcome.value == "\(ConnectionError.Code.invalidArgument)")
            await client.close()
            await listener.close()
        }
    }

    @Test("a read with nothing to read times out, and bytes sent later are not lost")
    func readTimeout() async throws {
        try await H.withDeadline {
            let listener = try await H.listen { connection in
                do {
                    _ = try await connection.read(timeout: .milliseconds(100))
                    try? await connection.write(Array("no timeout\r\n".utf8))
                } catch let error as ConnectionError where error.code == .timedOut {
                    try? await connection.write(Array("timed out\r\n".utf8))
                } catch {
                    return
                }
                if let late = try? await connection.read(timeout: .seconds(5)) {
                    try? await connection.write(late)
                }
            }
            let client = try await H.connect(to: listener)
            #expect(try await H.read(client, count: 11) == Array("timed out\r\n".utf8))
            try await client.write(Array("late\r\n".utf8))
            #expect(try await H.read(client, count: 6) == Array("late\r\n".utf8))
            await client.close()
            await listener.close()
        }
    }

    @Test("the peer's close reads as nil after the bytes it sent")
    func endOfStream() async throws {
        try await H.withDeadline {
            let listener = try await H.listen { connection in
                try? await connection.write(Array("* BYE bye\r\n".utf8))
            }
            let client = try await H.connect(to: listener)
            #expect(try await H.read(client, count: 11) == Array("* BYE bye\r\n".utf8))
            #expect(try await client.read(timeout: .seconds(5)) == nil)
            #expect(try await client.read(timeout: .seconds(5)) == nil)
            await client.close()
            await listener.close()
        }
    }

    @Test("close is idempotent and a later write fails with closed")
    func closeIdempotent() async throws {
        try await H.withDeadline {
            let listener = try await H.listen(handler: echo)
            let client = try await H.connect(to: listener)
            await client.close()
            await client.close()
            let error = await #expect(throws: ConnectionError.self) {
                try await client.write(Array("x".utf8))
            }
            #expect(error?.code == .closed)
            #expect(try await client.read(timeout: .seconds(1)) == nil)
            await listener.close()
            await listener.close()
        }
    }

    @Test("connecting to a port where nothing listens is refused")
    func connectRefused() async throws {
        try await H.withDeadline {
            let listener = try await H.listen(handler: echo)
            let port = listener.localPort
            await listener.close()
            try await Task.sleep(for: .milliseconds(50))
            let error = await #expect(throws: ConnectionError.self) {
                _ = try await H.engine.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
            }
            #expect(error?.code == .refused)
        }
    }
}

/// Collects one value from a handler task.
actor PeakBox {
    var value = 0
    func set(_ value: Int) { self.value = value }
}

actor OutcomeBox {
    var value = ""
    func set(_ value: String) { self.value = value }
}
