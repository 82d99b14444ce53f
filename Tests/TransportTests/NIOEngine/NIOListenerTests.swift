import Testing

@testable import Transport

@Suite struct NIOListenerTests {
    typealias H = LoopbackHarness

    /// Greets, then holds the connection until the peer closes it.
    @Sendable static func greetAndHold(_ connection: any Connection) async {
        try? await connection.write(Array("* OK hello\r\n".utf8))
        while (try? await connection.read(timeout: .seconds(10))) ?? nil != nil {}
    }

    static let greeting = Array("* OK hello\r\n".utf8)

    @Test(
        "a connection over a limit gets exactly the refusal bytes, then end of stream",
        arguments: [
            (ListenerLimits(maxConnections: 100, maxConnectionsPerHost: 2, refusal: Array("* BYE host\r\n".utf8)), 2),
            (ListenerLimits(maxConnections: 1, maxConnectionsPerHost: 100, refusal: Array("* BYE all\r\n".utf8)), 1),
        ]
    )
    func refusalOverLimit(limits: ListenerLimits, admitted: Int) async throws {
        try await H.withDeadline {
            let listener = try await H.listen(limits: limits, handler: Self.greetAndHold)
            var clients: [any Connection] = []
            for _ in 0..<admitted {
                let client = try await H.connect(to: listener)
                #expect(try await H.read(client, count: Self.greeting.count) == Self.greeting)
                clients.append(client)
            }
            let refused = try await H.connect(to: listener)
            #expect(try await H.readAll(refused) == limits.refusal)
            await refused.close()

            // Closing an admitted connection frees its place.
            await clients[0].close()
            func open() -> Int {
                (listener as? NIOListener)?.openConnections ?? (listener as? URingListener)?.openConnections ?? 0
            }
            while open() >= admitted { try await Task.sleep(for: .milliseconds(10)) }
            let again = try await H.connect(to: listener)
            #expect(try await H.read(again, count: Self.greeting.count) == Self.greeting)
            for client in clients.dropFirst() + [again] { await client.close() }
            await listener.close()
        }
    }

    @Test("a handler that throws is logged and the listener keeps accepting")
    func survivesThrowingHandler() async throws {
        struct Boom: Error {}
        try await H.withDeadline {
            let listener = try await H.engine.listen(
                host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: H.logger
            ) { (connection: any Connection) async throws -> Void in
                let first = try await connection.read(timeout: .seconds(5)) ?? []
                if first == Array("boom\r\n".utf8) { throw Boom() }
                try await connection.write(first)
            }
            let failing = try await H.connect(to: listener)
            try await failing.write(Array("boom\r\n".utf8))
            #expect(try await H.readAll(failing).isEmpty)
            await failing.close()
            let working = try await H.connect(to: listener)
            try await working.write(Array("ping\r\n".utf8))
            #expect(try await H.read(working, count: 6) == Array("ping\r\n".utf8))
            await working.close()
            await listener.close()
        }
    }

    @Test("closing the listener stops accepting but open connections carry on")
    func closeKeepsConnections() async throws {
        try await H.withDeadline {
            let listener = try await H.listen(handler: echo)
            let client = try await H.connect(to: listener)
            // One round trip first: a connection still in the kernel's backlog dies with the
            // listening socket.
            try await client.write(Array("accepted\r\n".utf8))
            #expect(try await H.read(client, count: 10) == Array("accepted\r\n".utf8))
            await listener.close()
            try await client.write(Array("still here\r\n".utf8))
            #expect(try await H.read(client, count: 12) == Array("still here\r\n".utf8))
            let error = await #expect(throws: ConnectionError.self) {
                _ = try await H.connect(to: listener)
            }
            #expect(error?.code == .refused)
            await client.close()
        }
    }
}
