import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct MetadataCommandTests {
    @Test(
        "GETMETADATA: options before (or after) the mailbox, one entry or a list",
        arguments: [
            ParseFixture<Command>.line(
                "GETMETADATA \"\" /shared/comment", .success(.getMetadata([], mb(""), entries: ["/shared/comment"]))),
            ParseFixture<Command>.line(
                "GETMETADATA \"\" (\"/shared/vendor/cmu/cyrus-imapd/freespace/total\")",
                .success(
                    .getMetadata([], mb(""), entries: ["/shared/vendor/cmu/cyrus-imapd/freespace/total"]))),
            ParseFixture<Command>.line(
                "GETMETADATA INBOX (/shared/comment /private/comment)",
                .success(
                    .getMetadata([], .inbox, entries: ["/shared/comment", "/private/comment"]))),
            ParseFixture<Command>.line(
                "GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)",
                .success(
                    .getMetadata([.maxSize(1024)], .inbox, entries: ["/shared/comment", "/private/comment"]))),
            ParseFixture<Command>.line(
                "GETMETADATA (DEPTH 1) INBOX (/private/filters/values)",
                .success(
                    .getMetadata([.depth(.one)], .inbox, entries: ["/private/filters/values"]))),
            ParseFixture<Command>.line(
                "GETMETADATA (DEPTH infinity MAXSIZE 5 X-OPT) INBOX /a",
                .success(
                    .getMetadata(
                        [.depth(.infinity), .maxSize(5), .other(TaggedExtension("X-OPT"))], .inbox, entries: ["/a"]))),
            ParseFixture<Command>.line(
                "GETMETADATA INBOX (DEPTH 0) /private/comment",
                .success(
                    .getMetadata([.depth(.zero)], .inbox, entries: ["/private/comment"]))),
            ParseFixture<Command>.line(
                "GETMETADATA INBOX (comment)", .success(.getMetadata([], .inbox, entries: ["comment"]))),
            ParseFixture<Command>.line("GETMETADATA (DEPTH 2) INBOX /a", .failure),
            ParseFixture<Command>.line("GETMETADATA (MAXSIZE) INBOX /a", .failure),
            ParseFixture<Command>.line("GETMETADATA INBOX ()", .failure),
            ParseFixture<Command>.line("GETMETADATA INBOX", .failure),
            ParseFixture<Command>.frame("A1 GETMETADATA INBOX (/a", .incomplete),
        ])
    func getMetadata(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "SETMETADATA: string, NIL, literal and literal8 values",
        arguments: [
            ParseFixture<Command>.line(
                "SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)",
                .success(
                    .setMetadata(
                        .inbox,
                        [MetadataEntryValue("/private/comment", .string(b("My new comment across\r\ntwo lines.")))]))),
            ParseFixture<Command>.line(
                "SETMETADATA INBOX (/private/comment NIL)",
                .success(
                    .setMetadata(.inbox, [MetadataEntryValue("/private/comment", .nil)]))),
            ParseFixture<Command>.line(
                "SETMETADATA INBOX (/private/comment \"My new comment\" /shared/comment \"This one is for you!\")",
                .success(
                    .setMetadata(
                        .inbox,
                        [
                            MetadataEntryValue("/private/comment", .string(b("My new comment"))),
                            MetadataEntryValue("/shared/comment", .string(b("This one is for you!"))),
                        ]))),
            ParseFixture<Command>.line(
                "SETMETADATA \"\" (/shared/blob ~{3}\r\na\u{0}b)",
                .success(
                    .setMetadata(mb(""), [MetadataEntryValue("/shared/blob", .binary([0x61, 0, 0x62]))]))),
            ParseFixture<Command>.line("SETMETADATA INBOX (/private/comment {3}\r\na\u{0}b)", .failure),
            ParseFixture<Command>.line("SETMETADATA INBOX (/private/comment)", .failure),
            ParseFixture<Command>.line("SETMETADATA INBOX ()", .failure),
            ParseFixture<Command>.line("SETMETADATA INBOX /private/comment NIL", .failure),
            ParseFixture<Command>.line("SETMETADATA INBOX (/a ~{70000}\r\n)", .overLimit(.stringLiteralSize)),
            ParseFixture<Command>.frame("A1 SETMETADATA INBOX (/a ~{4}\r\nab", .incomplete),
        ])
    func setMetadata(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("entries and values are bounded by the list-item limit")
    func limits() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("GETMETADATA INBOX (/a /b /c)", .overLimit(.listItems), limits: limits)
            .checkCommand()
        ParseFixture<Command>.line("SETMETADATA INBOX (/a NIL /b NIL /c NIL)", .overLimit(.listItems), limits: limits)
            .checkCommand()
    }

    @Test("GETMETADATA and SETMETADATA encode canonically")
    func encode() {
        expectEncoded("GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/a /b)") {
            $0.writeCommand(.getMetadata([.maxSize(1024), .depth(.infinity)], .inbox, entries: ["/a", "/b"]))
        }
        expectEncoded("SETMETADATA INBOX (/a NIL /b \"x y\" /c ~{1}\r\n\u{0})") {
            $0.writeCommand(
                .setMetadata(
                    .inbox,
                    [
                        MetadataEntryValue("/a", .nil), MetadataEntryValue("/b", .string(b("x y"))),
                        MetadataEntryValue("/c", .binary([0])),
                    ]))
        }
    }
}
