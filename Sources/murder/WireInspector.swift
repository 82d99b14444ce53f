import IMAPWire
import MUpdate

#if canImport(Glibc)
import Glibc
#endif

/// Runs captured traffic through the decoders and prints one line per event: the canonical
/// encoding of what parsed, or why it did not.
struct WireInspector {
    enum Kind {
        case imapCommands, imapResponses, mupdateCommands, mupdateResponses
    }

    struct Output {
        var frames = 0
        var problems = 0

        mutating func line(_ prefix: String, _ text: String) {
            var body = text
            while body.hasSuffix("\n") || body.hasSuffix("\r\n") { body.removeLast() }
            let shown = body.count > 300 ? String(body.prefix(300)) + "…" : body
            // "\r\n" is one Character in Swift: split on both line ends.
            let lines = shown.split(omittingEmptySubsequences: false) { $0 == "\r\n" || $0 == "\n" }
            print(prefix + lines.joined(separator: "\n   "))
        }
    }

    let kind: Kind

    func inspect(_ bytes: [UInt8], into out: inout Output) {
        switch kind {
        case .imapCommands: commands(bytes, &out)
        case .imapResponses: frames(ResponseDecoder(), bytes, &out) { $0.writeResponse($1) }
        case .mupdateCommands: mupdateCommands(bytes, &out)
        case .mupdateResponses: frames(MUpdateResponseDecoder(), bytes, &out) { $0.writeMUpdateResponse($1) }
        }
    }

    func commands(_ bytes: [UInt8], _ out: inout Output) {
        var decoder = CommandDecoder()
        decoder.append(bytes)
        while let event = decoder.next() {
            switch event {
            case .command(let command):
                var b = EncodeBuffer(.clientLiteralPlus)
                b.writeTaggedCommand(command)
                out.line("C: ", b.string)
            case .literalRequest(let r): out.line("S: ", "+ (continuation for \(r.length) octets)")
            case .appendStart(let s): out.line("C: ", "\(s.tag) APPEND \(s.mailbox)")
            case .appendMessage(let h): out.line("   ", "message of \(h.length) octets, flags \(h.options.flags)")
            case .appendBytes: break
            case .appendMessageEnd: out.line("   ", "end of message")
            case .appendEnd: out.line("   ", "end of APPEND")
            case .line(let l): out.line("C: ", String(decoding: l, as: UTF8.self))
            case .passthroughLine(let l, _): out.line("C: ", String(decoding: l, as: UTF8.self))
            case .passthroughBytes: break
            case .bad(let bad):
                out.problems += 1
                out.line("!! ", "\(bad.tag ?? "*") BAD \(bad.underlying)")
            case .fatal(let bad):
                out.problems += 1
                out.line("!! ", "\(bad.tag ?? "*") stream closed: \(bad.underlying)")
            }
        }
        leftover(decoder.buffered, &out)
    }

    /// Server traffic: one line per parsed frame, re-encoded by `write`.
    func frames<T>(
        _ decoder: FrameDecoder<T>, _ bytes: [UInt8], _ out: inout Output,
        write: (inout EncodeBuffer, T) -> Void
    ) {
        var decoder = decoder
        decoder.append(bytes)
        while let event = decoder.next() {
            switch event {
            case .value(let value):
                var b = EncodeBuffer(.server)
                write(&b, value)
                out.line("S: ", b.string)
            case .malformed(let raw, let error):
                out.problems += 1
                out.line("!! ", "\(error): \(String(decoding: raw, as: UTF8.self))")
            case .fatal(let error):
                out.problems += 1
                out.line("!! ", "stream closed: \(FrameRefused(error))")
            }
        }
        leftover(decoder.buffered, &out)
    }

    func mupdateCommands(_ bytes: [UInt8], _ out: inout Output) {
        var decoder = MUpdateCommandDecoder()
        decoder.append(bytes)
        while let event = decoder.next() {
            switch event {
            case .command(let c):
                var b = EncodeBuffer(.clientLiteralPlus)
                b.writeMUpdateCommand(c)
                out.line("C: ", b.string)
            case .saslResponse(let r): out.line("C: ", "\(r)")
            case .literalRequest(let r): out.line("S: ", "+ go ahead (\(r.length) octets)")
            case .bad(let bad), .fatal(let bad):
                out.problems += 1
                out.line("!! ", "\(bad.tag ?? "*") BAD \(bad.underlying)")
            }
        }
        leftover(decoder.buffered, &out)
    }

    func leftover(_ count: Int, _ out: inout Output) {
        if count > 0 { out.line("!! ", "\(count) octets at the end do not complete a frame") }
    }

    static func readStandardInput() -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
