import MurderTestSupport
import Testing

@testable import IMAPWire

@Suite struct ResponseCodeTests {
    @Test(
        "response codes of RFC 9051 and the extensions",
        arguments: [
            ParseFixture<ResponseCode>.response("ALERT", "]", .success(.alert)),
            .response("BADCHARSET", "]", .success(.badCharset([]))),
            .response("BADCHARSET (US-ASCII \"UTF-8\")", "]", .success(.badCharset(["US-ASCII", "UTF-8"]))),
            .response("CAPABILITY IMAP4rev1 AUTH=PLAIN", "]", .success(.capability(["IMAP4rev1", "AUTH=PLAIN"]))),
            .response("PARSE", "]", .success(.parse)),
            .response(
                "PERMANENTFLAGS (\\Deleted \\Seen \\*)", "]", .success(.permanentFlags([.deleted, .seen, .wildcard]))),
            .response("PERMANENTFLAGS ()", "]", .success(.permanentFlags([]))),
            .response("read-only", "]", .success(.readOnly)),
            .response("READ-WRITE", "]", .success(.readWrite)),
            .response("TRYCREATE", "]", .success(.tryCreate)),
            .response("UIDNEXT 4392", "]", .success(.uidNext(4392))),
            .response("UIDVALIDITY 3857529045", "]", .success(.uidValidity(3_857_529_045))),
            .response("UNSEEN 12", "]", .success(.unseen(12))),
            .response("UNAVAILABLE", "]", .success(.unavailable)),
            .response("AUTHENTICATIONFAILED", "]", .success(.authenticationFailed)),
            .response("AUTHORIZATIONFAILED", "]", .success(.authorizationFailed)),
            .response("EXPIRED", "]", .success(.expired)),
            .response("PRIVACYREQUIRED", "]", .success(.privacyRequired)),
            .response("CONTACTADMIN", "]", .success(.contactAdmin)),
            .response("NOPERM", "]", .success(.noPerm)),
            .response("INUSE", "]", .success(.inUse)),
            .response("EXPUNGEISSUED", "]", .success(.expungeIssued)),
            .response("CORRUPTION", "]", .success(.corruption)),
            .response("SERVERBUG", "]", .success(.serverBug)),
            .response("CLIENTBUG", "]", .success(.clientBug)),
            .response("CANNOT", "]", .success(.cannot)),
            .response("LIMIT", "]", .success(.limit)),
            .response("OVERQUOTA", "]", .success(.overQuota)),
            .response("ALREADYEXISTS", "]", .success(.alreadyExists)),
            .response("NONEXISTENT", "]", .success(.nonExistent)),
            .response("APPENDUID 38505 3955", "]", .success(.appendUID(uidValidity: 38505, uids: SequenceSet(3955)))),
            .response(
                "APPENDUID 1 3:5,8", "]",
                .success(.appendUID(uidValidity: 1, uids: SequenceSet([SequenceRange(3...5), SequenceRange(8)])))),
            .response(
                "COPYUID 38505 304,319:320 3956:3958", "]",
                .success(
                    .copyUID(
                        uidValidity: 38505, source: SequenceSet([SequenceRange(304), SequenceRange(319...320)]),
                        destination: SequenceSet([SequenceRange(3956...3958)])))),
            .response("UIDNOTSTICKY", "]", .success(.uidNotSticky)),
            .response("HIGHESTMODSEQ 715194045007", "]", .success(.highestModSeq(715_194_045_007))),
            .response("NOMODSEQ", "]", .success(.noModSeq)),
            .response("MODIFIED 7,9", "]", .success(.modified(SequenceSet(7, 9)))),
            .response("CLOSED", "]", .success(.closed)),
            .response("METADATA LONGENTRIES 2199", "]", .success(.metadataLongEntries(2199))),
            .response("METADATA MAXSIZE 1024", "]", .success(.metadataMaxSize(1024))),
            .response("METADATA TOOMANY", "]", .success(.metadataTooMany)),
            .response("METADATA NOPRIVATE", "]", .success(.metadataNoPrivate)),
            .response(
                "MAILBOXID (F2212ea87-6097-4256-9d51-71338625)", "]",
                .success(.mailboxID("F2212ea87-6097-4256-9d51-71338625"))),
            .response(
                "REFERRAL IMAP://user;AUTH=*@SERVER2/", "]", .success(.referral(["IMAP://user;AUTH=*@SERVER2/"]))),
            .response("USEATTR", "]", .success(.useAttr)),
            .response("HASCHILDREN", "]", .success(.hasChildren)),
            .response("NOTSAVED", "]", .success(.notSaved)),
            .response("COMPRESSIONACTIVE", "]", .success(.compressionActive)),
            .response("UNKNOWN-CTE", "]", .success(.unknownCTE)),
            .response("X-SOMETHING", "]", .success(.other(name: "X-SOMETHING", text: nil))),
            .response("XPROXY a [b c", "]", .success(.other(name: "XPROXY", text: "a [b c"))),
            // Known names whose arguments do not parse fall back to the generic form.
            .response("UIDNEXT abc", "]", .success(.other(name: "UIDNEXT", text: "abc"))),
            .response("UIDNEXT 0", "]", .success(.other(name: "UIDNEXT", text: "0"))),
            .response("METADATA FOO", "]", .success(.other(name: "METADATA", text: "FOO"))),
            .response("COPYUID 1 2:*", "]", .success(.other(name: "COPYUID", text: "1 2:*"))),
            .response("READ-ONLY now", "]", .success(.other(name: "READ-ONLY", text: "now"))),
            .response("", "]", .failure),
            .response("X ", "]", .failure),
            .response("UIDNEXT 12", "", .incomplete),
            .response("X-FOO bar", "", .incomplete),
        ])
    func parse(_ fixture: ParseFixture<ResponseCode>) { fixture.check { try GrammarParser.parseRespTextCode(&$0) } }

    @Test(
        "RFC examples of response codes parse and re-encode byte for byte",
        arguments: [
            // RFC 4315 §3
            (
                "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
                Response.ok("A003", "APPEND completed", code: .appendUID(uidValidity: 38505, uids: SequenceSet(3955)))
            ),
            (
                "A003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
                .ok(
                    "A003", "Done",
                    code: .copyUID(
                        uidValidity: 38505, source: SequenceSet([SequenceRange(304), SequenceRange(319...320)]),
                        destination: SequenceSet([SequenceRange(3956...3958)])))
            ),
            (
                "* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n",
                .untagged(.state(.no(ResponseText(code: .uidNotSticky, text: "Non-persistent UIDs"))))
            ),
            // RFC 3501 §6.3.1
            (
                "* OK [UNSEEN 12] Message 12 is first unseen\r\n",
                .untaggedOK("Message 12 is first unseen", code: .unseen(12))
            ),
            (
                "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
                .untaggedOK("UIDs valid", code: .uidValidity(3_857_529_045))
            ),
            ("* OK [UIDNEXT 4392] Predicted next UID\r\n", .untaggedOK("Predicted next UID", code: .uidNext(4392))),
            (
                "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
                .untaggedOK("Limited", code: .permanentFlags([.deleted, .seen, .wildcard]))
            ),
            ("A142 OK [READ-WRITE] SELECT completed\r\n", .ok("A142", "SELECT completed", code: .readWrite)),
            ("A932 OK [READ-ONLY] EXAMINE completed\r\n", .ok("A932", "EXAMINE completed", code: .readOnly)),
            // RFC 7162 §3.1.2.1, §3.1.3, §3.2.11
            (
                "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
                .untaggedOK("Highest", code: .highestModSeq(715_194_045_007))
            ),
            (
                "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
                .untaggedOK("Sorry, this mailbox format doesn't support modsequences", code: .noModSeq)
            ),
            (
                "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
                .ok("d105", "Conditional STORE failed", code: .modified(SequenceSet(7, 9)))
            ),
            ("* OK [CLOSED] Previous mailbox closed\r\n", .untaggedOK("Previous mailbox closed", code: .closed)),
            // RFC 5530 §4
            (
                "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n",
                .no("a", "Authentication failed", code: .authenticationFailed)
            ),
            (
                "a NO [UNAVAILABLE] User's backend down for maintenance\r\n",
                .no("a", "User's backend down for maintenance", code: .unavailable)
            ),
            ("a NO [OVERQUOTA] Sorry\r\n", .no("a", "Sorry", code: .overQuota)),
            // RFC 5464 §4.2.2
            (
                "a OK [METADATA LONGENTRIES 2199] GETMETADATA complete\r\n",
                .ok("a", "GETMETADATA complete", code: .metadataLongEntries(2199))
            ),
            // RFC 2221 §4.1
            (
                "A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER2/] Remote Server\r\n",
                .no("A001", "Remote Server", code: .referral(["IMAP://user;AUTH=*@SERVER2/"]))
            ),
            // RFC 8474 §4.1
            (
                "* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n",
                .untaggedOK("Ok", code: .mailboxID("F2212ea87-6097-4256-9d51-71338625"))
            ),
            // RFC 4978 §3
            (
                "A01 NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n",
                .no("A01", "DEFLATE active via TLS", code: .compressionActive)
            ),
            // RFC 3516 §4.1
            ("A3 NO [UNKNOWN-CTE] Can't decode\r\n", .no("A3", "Can't decode", code: .unknownCTE)),
            // RFC 3501 §6.4.4
            (
                "A283 NO [BADCHARSET (UTF-8)] Not supported\r\n",
                .no("A283", "Not supported", code: .badCharset(["UTF-8"]))
            ),
        ])
    func examples(wire: String, expected: Response) { expectResponse(wire, expected) }

    @Test("code arguments past their bounds are over the limit")
    func limits() {
        var limits = Limits.responses
        limits.maxListItems = 2
        ParseFixture<ResponseCode>("PERMANENTFLAGS (\\A \\B \\C)", "]", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseRespTextCode(&$0) }
        ParseFixture<ResponseCode>("CAPABILITY A B C", "]", .overLimit(.listItems), limits: limits)
            .check { try GrammarParser.parseRespTextCode(&$0) }
        limits = .responses
        limits.maxSequenceRanges = 2
        ParseFixture<ResponseCode>("MODIFIED 1,2,3", "]", .overLimit(.sequenceRanges), limits: limits)
            .check { try GrammarParser.parseRespTextCode(&$0) }
    }

    @Test("codes encode in the canonical spelling")
    func encoding() {
        expectEncoded("BADCHARSET (US-ASCII \"x y\")") { $0.writeResponseCode(.badCharset(["US-ASCII", "x y"])) }
        expectEncoded("REFERRAL imap://a/ imap://b/") { $0.writeResponseCode(.referral(["imap://a/", "imap://b/"])) }
        expectEncoded("A1 NO [TRYCREATE] no such mailbox\r\n") {
            $0.writeResponse(.no("A1", "no such mailbox", code: .tryCreate))
        }
    }
}
