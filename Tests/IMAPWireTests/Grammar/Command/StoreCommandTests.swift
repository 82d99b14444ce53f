import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct StoreCommandTests {
    @Test(
        "STORE and UID STORE: operations, SILENT, flag forms, UNCHANGEDSINCE",
        arguments: [
            ParseFixture<Command>.line(
                "STORE 2:4 +FLAGS (\\Deleted)",
                .success(
                    .store(
                        StoreCommand(
                            SequenceSet([SequenceRange(2...4)]), StoreData(.add, [.deleted]))))),
            ParseFixture<Command>.line(
                "STORE 1 -flags.silent \\Seen $Junk",
                .success(
                    .store(
                        StoreCommand(
                            SequenceSet(1), StoreData(.remove, silent: true, [.seen, Flag("$Junk")]))))),
            ParseFixture<Command>.line(
                "STORE 1 FLAGS ()", .success(.store(StoreCommand(SequenceSet(1), StoreData(.replace, []))))),
            ParseFixture<Command>.line(
                "STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)",
                .success(
                    .store(
                        StoreCommand(
                            SequenceSet(7, 5, 9), modifiers: [.unchangedSince(320_162_338)],
                            StoreData(.add, silent: true, [.deleted]))))),
            ParseFixture<Command>.line(
                "UID STORE 6,4,8 (UNCHANGEDSINCE 0 X-FOO) FLAGS ($x)",
                .success(
                    .uidStore(
                        StoreCommand(
                            SequenceSet(6, 4, 8), modifiers: [.unchangedSince(0), .other(TaggedExtension("X-FOO"))],
                            StoreData(.replace, [Flag("$x")]))))),
            ParseFixture<Command>.line("STORE 1 +FLAGS", .failure),
            ParseFixture<Command>.line("STORE 1 +FLAGS ", .failure),
            ParseFixture<Command>.line("STORE 1 *FLAGS (\\Seen)", .failure),
            ParseFixture<Command>.line("STORE 1 +LABELS (\\Seen)", .failure),
            ParseFixture<Command>.line("STORE 1 () +FLAGS (\\Seen)", .failure),
            ParseFixture<Command>.line("STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)", .failure),
            ParseFixture<Command>.frame("A1 STORE 1 +FLAGS (\\Seen", .incomplete),
        ])
    func store(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("flags of one STORE are bounded by the list-item limit")
    func flagLimit() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("STORE 1 +FLAGS (a b c)", .overLimit(.listItems), limits: limits).checkCommand()
        ParseFixture<Command>.line("STORE 1 +FLAGS a b c", .overLimit(.listItems), limits: limits).checkCommand()
    }

    @Test("STORE encodes canonically")
    func encode() {
        expectEncoded("1:3 (UNCHANGEDSINCE 9) -FLAGS.SILENT (\\Seen)") {
            $0.writeStoreCommand(
                StoreCommand(
                    SequenceSet([SequenceRange(1...3)]), modifiers: [.unchangedSince(9)],
                    StoreData(.remove, silent: true, [.seen])))
        }
        expectEncoded("FLAGS ()") { $0.writeStoreData(StoreData(.replace, [])) }
    }
}
