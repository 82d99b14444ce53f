import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct SectionSpecifierTests {
    @Test(
        "section: part numbers and what of the part",
        arguments: [
            ParseFixture<SectionSpecifier>.response("[]", " ", .success(SectionSpecifier())),
            .response("[HEADER]", " ", .success(SectionSpecifier(text: .header))),
            .response(
                "[header.fields (DATE FROM)]", " ", .success(SectionSpecifier(text: .headerFields(["DATE", "FROM"])))),
            .response(
                "[HEADER.FIELDS.NOT (\"X Y\" {1}\r\nZ)]", " ",
                .success(SectionSpecifier(text: .headerFieldsNot(["X Y", "Z"])))),
            .response("[TEXT]", " ", .success(SectionSpecifier(text: .text))),
            .response("[1]", "<", .success(SectionSpecifier(part: [1]))),
            .response("[1.2.3]", " ", .success(SectionSpecifier(part: [1, 2, 3]))),
            .response("[1.MIME]", " ", .success(SectionSpecifier(part: [1], text: .mime))),
            .response("[4.2.HEADER]", " ", .success(SectionSpecifier(part: [4, 2], text: .header))),
            .response("[3.TEXT]", " ", .success(SectionSpecifier(part: [3], text: .text))),
            .response("[MIME]", " ", .failure),
            .response("[0]", " ", .failure),
            .response("[1.]", " ", .failure),
            .response("[HEADER.FIELDS]", " ", .failure),
            .response("[BODY]", " ", .failure),
            .response("[1", "", .incomplete),
            .response("[HEADER.FIELDS (A", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<SectionSpecifier>) {
        fixture.check { try GrammarParser.parseSection(&$0) }
    }

    @Test(
        "sections encode in upper case with dots",
        arguments: [
            (SectionSpecifier(), "[]"), (SectionSpecifier(part: [1, 2], text: .mime), "[1.2.MIME]"),
            (SectionSpecifier(text: .headerFields(["DATE", "FROM"])), "[HEADER.FIELDS (DATE FROM)]"),
            (SectionSpecifier(part: [2], text: .headerFieldsNot(["X"])), "[2.HEADER.FIELDS.NOT (X)]"),
            (SectionSpecifier(part: [3], text: .text), "[3.TEXT]"), (SectionSpecifier(text: .header), "[HEADER]"),
        ])
    func encoding(section: SectionSpecifier, wire: String) throws {
        expectEncoded(wire) { $0.writeSection(section) }
        var buffer = ParseBuffer(wire + " ", limits: .responses)
        #expect(try GrammarParser.parseSection(&buffer) == section)
    }
}
