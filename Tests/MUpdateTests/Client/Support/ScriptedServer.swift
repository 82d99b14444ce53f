import Logging
import Synchronization
import Transport

/// A loopback server that plays one script per connection: send these bytes, expect exactly
/// those, close. Mismatches are collected for the test to check, never thrown across tasks.
final class ScriptedServer: Sendable {
    enum Step: Sendable {
        case send(String)
        case expect(String)
        case sleep(Duration)
        case close
    }

    struct State {
        var scripts: [[Step]]
        var connections = 0
        var mismatches: [String] = []
        var received: [UInt8] = []
        var finished = 0
    }

    let state: Mutex<State>
    let listener: Mutex<(any Listener)?> = Mutex(nil)

    init(_ scripts: [[Step]]) {
        state = Mutex(State(scripts: scripts))
    }

    static func start(_ scripts: [[Step]]) async throws -> ScriptedServer {
        let server = ScriptedServer(scripts)
        let listener = try await NIOEngine().listen(
            host: "127.0.0.1", port: 0, limits: ListenerLimits(), logger: Logger(label: "test.scripted")
        ) { (connection: any Connection) async in
            await server.serve(connection)
        }
        server.listener.withLock { $0 = listener }
        return server
    }

    var port: Int { listener.withLock { $0?.localPort ?? 0 } }
    var mismatches: [String] { state.withLock { $0.mismatches } }
    var receivedText: String { state.withLock { String(decoding: $0.received, as: UTF8.self) } }
    var connections: Int { state.withLock { $0.connections } }

    func stop() async {
        let listener = listener.withLock { $0 }
        await listener?.close()
    }

    func serve(_ connection: any Connection) async {
        let script = state.withLock { state -> [Step] in
            defer { state.connections += 1 }
            return state.connections < state.scripts.count ? state.scripts[state.connections] : [.close]
        }
        var buffer: [UInt8] = []
        for step in script {
            switch step {
            case .send(let text):
                do { try await connection.write(Array(text.utf8)) } catch { return }
            case .sleep(let duration):
                try? await Task.sleep(for: duration)
            case .close:
                await connection.close()
                return
            case .expect(let text):
                let want = Array(text.utf8)
                while buffer.count < want.count {
                    guard let bytes = try? await connection.read(timeout: .seconds(30)) else {
                        record("expected \(text.debugDescription), got \(String(decoding: buffer, as: UTF8.self).debugDescription) then EOF/timeout")
                        return
                    }
                    buffer += bytes
                    state.withLock { $0.received += bytes }
                }
                if Array(buffer.prefix(want.count)) != want {
                    record("expected \(text.debugDescription), got \(String(decoding: buffer, as: UTF8.self).debugDescription)")
                    return
                }
                buffer.removeFirst(want.count)
            }
        }
        // Keep the connection open until the client closes it.
        while let bytes = try? await connection.read(timeout: .seconds(10)), !bytes.isEmpty {
            state.withLock { $0.received += bytes }
        }
        await connection.close()
    }

    func record(_ mismatch: String) { state.withLock { $0.mismatches.append(mismatch) } }
}
