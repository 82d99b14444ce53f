import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ListCommandTests {
    static func list(
        _ select: [ListSelectOption], _ reference: String, _ patterns: [String], _ returns: [ListReturnOption] = []
    ) -> Command {
        .list(
            ListCommand(
                selectOptions: select, reference: mb(reference), patterns: patterns.map(b), returnOptions: returns))
    }

    static func list(_ reference: String, _ patterns: [String], _ returns: [ListReturnOption] = []) -> Command {
        list([], reference, patterns, returns)
    }

    @Test(
        "basic LIST (RFC 3501 §6.3.8)",
        arguments: [
            ParseFixture<Command>.line("LIST \"\" \"\"", .success(list("", [""]))),
            ParseFixture<Command>.line("LIST #news.comp.mail.misc \"\"", .success(list("#news.comp.mail.misc", [""]))),
            ParseFixture<Command>.line("LIST /usr/staff/jones \"\"", .success(list("/usr/staff/jones", [""]))),
            ParseFixture<Command>.line("LIST ~/Mail/ %", .success(list("~/Mail/", ["%"]))),
            ParseFixture<Command>.line("LIST \"\" foo]bar*", .success(list("", ["foo]bar*"]))),
            ParseFixture<Command>.line("LIST \"\" {5+}\r\na b*%", .success(list("", ["a b*%"]))),
            ParseFixture<Command>.line("LIST \"\"", .failure),
            ParseFixture<Command>.line("LIST * \"\"", .failure),
            ParseFixture<Command>.line("LIST \"\" a(b", .failure),
            ParseFixture<Command>.frame("A1 LIST \"\" %", .incomplete),
        ])
    func basic(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test(
        "extended LIST: selection options, pattern lists, return options (RFC 5258, 5819, 6154, 8440)",
        arguments: [
            ParseFixture<Command>.line("LIST (SUBSCRIBED) \"\" \"*\"", .success(list([.subscribed], "", ["*"]))),
            ParseFixture<Command>.line(
                "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
                .success(
                    list([.subscribed, .recursiveMatch], "", ["%"], [.children]))),
            ParseFixture<Command>.line("LIST (REMOTE) \"\" \"*\"", .success(list([.remote], "", ["*"]))),
            ParseFixture<Command>.line(
                "LIST (special-use recursivematch) \"\" *", .success(list([.specialUse, .recursiveMatch], "", ["*"]))),
            ParseFixture<Command>.line("LIST () \"\" %", .success(list("", ["%"]))),
            ParseFixture<Command>.line(
                "LIST \"\" (\"INBOX\" \"Drafts\" Sent/%)", .success(list("", ["INBOX", "Drafts", "Sent/%"]))),
            ParseFixture<Command>.line(
                "LIST \"\" % RETURN (CHILDREN SUBSCRIBED SPECIAL-USE MYRIGHTS STATUS (MESSAGES UNSEEN))",
                .success(
                    list("", ["%"], [.children, .subscribed, .specialUse, .myRights, .status([.messages, .unseen])]))),
            ParseFixture<Command>.line("LIST \"\" % RETURN ()", .success(list("", ["%"]))),
            ParseFixture<Command>.line(
                "LIST \"\" \"*\" RETURN (subscribed children special-use)",
                .success(
                    list("", ["*"], [.subscribed, .children, .specialUse]))),
            ParseFixture<Command>.line("LIST (RECURSIVEMATCH) \"\" %", .failure),
            ParseFixture<Command>.line("LIST (REMOTE RECURSIVEMATCH) \"\" %", .failure),
            ParseFixture<Command>.line("LIST (BOGUS) \"\" %", .failure),
            ParseFixture<Command>.line("LIST \"\" % RETURN (BOGUS)", .failure),
            ParseFixture<Command>.line("LIST \"\" % RETURN (STATUS ())", .failure),
            ParseFixture<Command>.line("LIST \"\" % RETURN CHILDREN", .failure),
            ParseFixture<Command>.line("LIST \"\" % CHILDREN", .failure),
            ParseFixture<Command>.line("LIST \"\" ()", .failure),
        ])
    func extended(_ fixture: ParseFixture<Command>) { fixture.checkCommand() }

    @Test("pattern lists are bounded by the list-item limit")
    func patternLimit() {
        var limits = Limits.commands
        limits.maxListItems = 2
        ParseFixture<Command>.line("LIST \"\" (a b c)", .overLimit(.listItems), limits: limits).checkCommand()
    }

    @Test("LIST encodes canonically")
    func encode() {
        expectEncoded("(SUBSCRIBED RECURSIVEMATCH) \"\" (% \"a b\") RETURN (STATUS (MESSAGES) MYRIGHTS)") {
            $0.writeListCommand(
                ListCommand(
                    selectOptions: [.subscribed, .recursiveMatch], reference: mb(""),
                    patterns: [b("%"), b("a b")], returnOptions: [.status([.messages]), .myRights]))
        }
        expectEncoded("\"\" *") { $0.writeListCommand(ListCommand(reference: "", pattern: "*")) }
    }
}
