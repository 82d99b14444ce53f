import Testing

@testable import IMAPWire

@Suite struct ResponseSectionTests {
    @Test(
        "section: part numbers and what of the part",
        arguments: [
            ParseFixture<ResponseSection>.response("[]", " ", .success(ResponseSection())),
            .response("[HEADER]", " ", .success(ResponseSection(text: .header))),
            .response(
                "[header.fields (DATE FROM)]", " ", .success(ResponseSection(text: .headerFields(["DATE", "FROM"])))),
            .response(
                "[HEADER.FIELDS.NOT (\"X Y\" {1}\r\nZ)]", " ",
                .success(ResponseSection(text: .headerFieldsNot(["X Y", "Z"])))),
            .response("[TEXT]", " ", .success(ResponseSection(text: .text))),
            .response("[1]", "<", .success(ResponseSection(part: [1]))),
            .response("[1.2.3]", " ", .success(ResponseSection(part: [1, 2, 3]))),
            .response("[1.MIME]", " ", .success(ResponseSection(part: [1], text: .mime))),
            .response("[4.2.HEADER]", " ", .success(ResponseSection(part: [4, 2], text: .header))),
            .response("[3.TEXT]", " ", .success(ResponseSection(part: [3], text: .text))),
            .response("[MIME]", " ", .failure),
            .response("[0]", " ", .failure),
            .response("[1.]", " ", .failure),
            .response("[HEADER.FIELDS]", " ", .failure),
            .response("[BODY]", " ", .failure),
            .response("[1", "", .incomplete),
            .response("[HEADER.FIELDS (A", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<ResponseSection>) {
        fixture.check { try GrammarParser.parseResponseSection(&$0) }
    }

    @Test(
        "sections encode in upper case with dots",
        arguments: [
            (ResponseSection(), "[]"), (ResponseSection(part: [1, 2], text: .mime), "[1.2.MIME]"),
            (ResponseSection(text: .headerFields(["DATE", "FROM"])), "[HEADER.FIELDS (DATE FROM)]"),
            (ResponseSection(part: [2], text: .headerFieldsNot(["X"])), "[2.HEADER.FIELDS.NOT (X)]"),
            (ResponseSection(part: [3], text: .text), "[3.TEXT]"), (ResponseSection(text: .header), "[HEADER]"),
        ])
    func encoding(section: ResponseSection, wire: String) throws {
        expectEncoded(wire) { $0.writeResponseSection(section) }
        var buffer = ParseBuffer(wire + " ", limits: .responses)
        #expect(try GrammarParser.parseResponseSection(&buffer) == section)
    }
}
