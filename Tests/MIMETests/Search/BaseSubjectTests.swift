import Foundation
import MIME
import Testing

@Suite struct BaseSubjectTests {
    @Test(
        "RFC 5256 base subject extraction",
        arguments: [
            ("test", "test", false), ("Re: test", "test", true), ("Re: Re: RE: test", "test", true),
            ("RE:  [list] test (fwd)", "test", true), ("Fwd: [list] Re: x", "x", true), ("[fwd: hello]", "hello", true),
            ("[Fwd: Re: hello] (fwd)", "hello", true), ("Re[2]: hi", "hi", true), ("Fw : x", "x", true),
            ("[blob]", "[blob]", false), ("[a][b] subject", "subject", false), ("Rerun", "Rerun", false),
            ("  spaced \t  out  ", "spaced out", false), ("=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?=", "Grüße", true),
            ("re:", "", true), ("", "", false), ("Case Kept", "Case Kept", false),
        ])
    func extraction(subject: String, base: String, reply: Bool) {
        let b = BaseSubject(Array(subject.utf8))
        #expect(b.text == base)
        #expect(b.isReplyOrForward == reply)
    }

    @Test("a message's sort keys")
    func sortKeys() {
        let m = Fixtures.message(
            """
            Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
            From: "=?utf-8?q?J=C3=B6rg?=" <Joerg@Example.com>
            To: list: <b@x>;
            Cc: c@y
            Subject: Re: [x] Hello
            Message-ID: < id1@x >
            In-Reply-To: <id0@x> (comment) <other@x>
            References: <r1@x>
             <r2@x> junk <r3@x

            """)
        #expect(m.baseSubject == "Hello")
        #expect(m.sentDate?.timeIntervalSince1970 == 837_595_405)
        #expect(m.sortAddress("From") == "Joerg")
        #expect(m.sortDisplay("From") == "Jörg")
        #expect(m.sortAddress("To") == "b")
        #expect(m.sortDisplay("Cc") == "c@y")
        #expect(m.sortAddress("Bcc") == "")
        #expect(m.messageID == "id1@x")
        #expect(m.inReplyTo == "id0@x")
        #expect(m.references == ["r1@x", "r2@x"])
    }
}
