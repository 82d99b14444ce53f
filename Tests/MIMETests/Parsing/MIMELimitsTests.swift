import IMAPWire
import MIME
import Testing

@Suite struct MIMELimitsTests {
    @Test("header fields past maxHeaderFields stay in the header bytes but are not indexed")
    func headerFields() {
        var s = ""
        for i in 0..<50 { s += "X-\(i): v\n" }
        s += "Subject: late\n\nbody"
        let m = MIMEMessage(Fixtures.crlf(s), limits: MIMELimits(maxHeaderFields: 10))
        #expect(m.headerFields.count == 10)
        #expect(m.header("Subject") == nil)
        #expect(Fixtures.text(m.section(SectionSpecifier(text: .text))) == "body")
    }

    @Test("field values are cut at maxFieldValueBytes")
    func fieldValue() {
        let long = String(repeating: "a", count: 10_000)
        let m = MIMEMessage(Fixtures.crlf("Subject: \(long)\n\n"), limits: MIMELimits(maxFieldValueBytes: 100))
        #expect(m.header("Subject")?.count == 100)
    }

    @Test("address lists and references are cut at their bounds")
    func addressesAndReferences() {
        let to = (0..<500).map { "u\($0)@x.example" }.joined(separator: ", ")
        let refs = (0..<500).map { "<r\($0)@x>" }.joined(separator: " ")
        let m = MIMEMessage(
            Fixtures.crlf("To: \(to)\nReferences: \(refs)\n\n"), limits: MIMELimits(maxAddresses: 20, maxReferences: 30)
        )
        #expect(m.envelope.to.count == 20)
        #expect(m.references.count == 30)
    }
}
