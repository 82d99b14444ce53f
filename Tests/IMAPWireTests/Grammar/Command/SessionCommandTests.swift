import MurderTestSupport
import Testing

@testable import IMAPWire

/// ID, ENABLE, AUTHENTICATE, LOGIN, COMPRESS.
@Suite struct SessionCommandTests {
    static let longKey = String(repeating: "k", count: 31)
    static let longValue = String(repeating: "v", count: 1025)
    static let thirtyPairs = (1...30).map { "\"k\($0)\" NIL" }.joined(separator: " ")

    @Test(
        "ID: NIL or string pairs, bounded as RFC 2971 §3.3 says",
        arguments: [
            ParseFixture<Command>.line("ID NIL", .success(.id(nil))),
            ParseFixture<Command>.line("id nil", .success(.id(nil))),
            ParseFixture<Command>.line("ID ()", .success(.id([]))),
            ParseFixture<Command>.line(
                "ID (\"name\" {4}\r\nsodr \"os\" NIL)",
                .success(.id([IDParameter("name", "sodr"), IDParameter("os", nil)]))),
            ParseFixture<Command>.line(
                "ID (\(thirtyPairs))", .success(.id((1...30).map { IDParameter("k\($0)", nil) }))),
            ParseFixture<Command>.line("ID (\(thirtyPairs) \"k31\" NIL)", .overLimit(.listItems)),
            ParseFixture<Command>.line("ID (\"\(longKey)\" NIL)", .failure),
            ParseFixture<Command>.line("ID (\"k\" \"\(longValue)\")", .failure),
            ParseFixture<Command>.line("ID (name \"x\")", .failure),
            ParseFixture<Command>.line("ID (\"name\")", .failure),
            ParseFixture<Command>.line("ID", .failure),
            ParseFixture<Command>.frame("A1 ID (\"name\" ", .incomplete),
        ])
    func id(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "ENABLE: one or more capability names",
        arguments: [
            ParseFixture<Command>.line("ENABLE QRESYNC", .success(.enable(["QRESYNC"]))),
            ParseFixture<Command>.line(
                "ENABLE CONDSTORE UTF8=ACCEPT X-GOOD-IDEA",
                .success(.enable(["CONDSTORE", "UTF8=ACCEPT", "X-GOOD-IDEA"]))),
            ParseFixture<Command>.line("ENABLE", .failure),
            ParseFixture<Command>.line("ENABLE (QRESYNC)", .failure),
        ])
    func enable(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("ENABLE is bounded by the list-item limit")
    func enableLimit() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("ENABLE A B C", .overLimit(.listItems), limits: limits).checkCommand()
    }

    @Test(
        "AUTHENTICATE with and without SASL-IR initial response",
        arguments: [
            ParseFixture<Command>.line(
                "AUTHENTICATE PLAIN", .success(.authenticate(mechanism: "PLAIN", initialResponse: nil))),
            ParseFixture<Command>.line(
                "AUTHENTICATE PLAIN =", .success(.authenticate(mechanism: "PLAIN", initialResponse: .empty))),
            ParseFixture<Command>.line(
                "AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
                .success(
                    .authenticate(
                        mechanism: "SCRAM-SHA-256",
                        initialResponse: .base64("biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=")))),
            ParseFixture<Command>.line("AUTHENTICATE PLAIN ==", .failure),
            ParseFixture<Command>.line("AUTHENTICATE PLAIN abc", .failure),
            ParseFixture<Command>.line("AUTHENTICATE PLAIN a=bc", .failure),
            ParseFixture<Command>.line("AUTHENTICATE \"PLAIN\"", .failure),
            ParseFixture<Command>.line("AUTHENTICATE", .failure),
        ])
    func authenticate(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "LOGIN takes atoms, quoted strings and literals of both kinds",
        arguments: [
            ParseFixture<Command>.line(
                "LOGIN fred secret", .success(.login(username: b("fred"), password: b("secret")))),
            ParseFixture<Command>.line(
                "LOGIN \"fred\" \"a \\\"b\\\\\"", .success(.login(username: b("fred"), password: b("a \"b\\")))),
            ParseFixture<Command>.line(
                "LOGIN {4}\r\nfred {6+}\r\nsec et", .success(.login(username: b("fred"), password: b("sec et")))),
            ParseFixture<Command>.frame("A1 LOGIN {4}\r\nfr", .incomplete),
            ParseFixture<Command>.line("LOGIN fred", .failure),
            ParseFixture<Command>.line("LOGIN fred (x)", .failure),
            ParseFixture<Command>.line("LOGIN {70000}\r\n", .overLimit(.stringLiteralSize)),
        ])
    func login(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("literals per command are bounded")
    func literalCount() {
        var limits = Limits.commands
        limits.maxLiteralsPerMessage = 1
        ParseFixture<Command>.line("LOGIN {4}\r\nfred {3}\r\nabc", .overLimit(.literalsPerMessage), limits: limits)
            .checkCommand()
    }

    @Test(
        "COMPRESS and the argument-less commands",
        arguments: [
            ParseFixture<Command>.line("COMPRESS DEFLATE", .success(.compress(mechanism: "DEFLATE"))),
            ParseFixture<Command>.line("COMPRESS", .failure),
            ParseFixture<Command>.line("CAPABILITY", .success(.capability)),
            ParseFixture<Command>.line("STARTTLS", .success(.startTLS)),
            ParseFixture<Command>.line("NAMESPACE", .success(.namespace)),
            ParseFixture<Command>.line("Idle", .success(.idle)),
            ParseFixture<Command>.line("UNSELECT", .success(.unselect)),
            ParseFixture<Command>.line("CHECK", .success(.check)),
            ParseFixture<Command>.line("CLOSE", .success(.close)),
            ParseFixture<Command>.line("NAMESPACE x", .failure),
        ])
    func simple(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("ID encodes names and values as strings, NIL for no value")
    func encodeID() {
        expectEncoded(#"ID ("name" "sodr" "os" NIL)"#) {
            $0.writeCommand(.id([IDParameter("name", "sodr"), IDParameter("os", nil)]))
        }
        expectEncoded("ID NIL") { $0.writeCommand(.id(nil)) }
        expectEncoded("AUTHENTICATE PLAIN =") {
            $0.writeCommand(.authenticate(mechanism: "PLAIN", initialResponse: .empty))
        }
    }
}
