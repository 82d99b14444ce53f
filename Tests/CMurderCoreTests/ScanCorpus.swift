// Realistic IMAP traffic for the differential tests of scan.c and FrameScanner: client sessions
// and server responses as RFC 9051 and its examples show them, with every literal form.

/// The announcement `form` ("{}", "{+}", "~{}", "~{+}") with the body's length, CRLF, then the
/// body: what a sender writes for a literal.
func lit(_ form: String, _ body: String) -> String {
    let n = body.utf8.count
    let announcement = form.replacingFirst("{", with: "{\(n)")
    return announcement + "\r\n" + body
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}

let sampleMessage = """
    Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r
    From: Terry Gray <gray@cac.washington.edu>\r
    Subject: IMAP4rev1 WG mtg summary and minutes {5}\r
    To: imap@cac.washington.edu\r
    Message-Id: <B27397-0100000@cac.washington.edu>\r
    MIME-Version: 1.0\r
    Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r
    \r
    Hello Joe, do you think we can meet at 3:30 tomorrow?\r
    A line that ends like an announcement {12}\r
    "A quoted line\r
    .\r

    """

let attachmentMessage =
    "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=\"xyz\"\r\n\r\n--xyz\r\n"
    + "Content-Type: application/octet-stream\r\n\r\n\u{0}\u{1}\u{2}{3+}\r\n~{9}\n\r\n--xyz--\r\n"

/// Client to server.
let clientSessions: [String] = [
    "a001 CAPABILITY\r\n"
        + "a002 LOGIN alice \"pass \\\"word\\\\\"\r\n"
        + "a003 LOGIN \(lit("{}", "alice")) \(lit("{}", "secret!!"))\r\n"
        + "a004 SELECT INBOX\r\n"
        + "a005 FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)\r\n"
        + "a006 UID FETCH 100:200 (BODY.PEEK[HEADER.FIELDS (From To Subject Date)])\r\n"
        + "a007 APPEND Sent (\\Seen) \"29-Nov-2026 07:39:00 +0000\" \(lit("{}", sampleMessage))\r\n"
        + "a008 APPEND Drafts \(lit("{+}", "Subject: draft\r\n\r\nnot yet\r\n"))\r\n"
        + "a009 IDLE\r\nDONE\r\n"
        + "a010 AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n"
        + "a011 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"
        + "a012 SEARCH CHARSET UTF-8 SUBJECT \(lit("{}", "héllo"))\r\n"
        + "a013 LIST \"\" \"*\"\r\n"
        + "a014 STORE 1:3 +FLAGS (\\Deleted)\r\n"
        + "a015 EXPUNGE\r\n"
        + "a016 APPEND INBOX \(lit("~{}", attachmentMessage))\r\n"
        + "a017 APPEND INBOX \(lit("{}", "hello")) \(lit("~{+}", "world"))\r\n"
        + "a018 CREATE \"Archive/{2026}\"\r\n"
        + "a019 RENAME \(lit("{+}", "old \"name\"")) new\r\n"
        + "a020 APPEND INBOX {0}\r\n\r\n"
        + "a021 LOGOUT\r\n",
    // Bare LF clients, an AUTHENTICATE exchange with a cancelled round, pipelined commands.
    "1 login bob x\n2 select \"Other Users/carol\"\n3 idle\ndone\n4 logout\n"
        + "A AUTHENTICATE CRAM-MD5\r\nZnJlZCA5ZTcxNWQ1NzZhYzk3YjJjYjg3MzBlNDUyNzg3OTM1Yg==\r\n*\r\n"
        + "B NOOP\r\nC CHECK\r\nD FETCH 1 BODY[]\r\nE UID SEARCH OR FROM \"x{1}\" TO {1+}\r\ny\r\n",
]

/// Server to client.
let serverSessions: [String] = [
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR BINARY] Murder ready\r\n"
        + "a001 OK Pre-login capabilities listed\r\n"
        + "+ \r\n+ go ahead\r\n+\r\n"
        + "* 172 EXISTS\r\n* 1 RECENT\r\n"
        + "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
        + "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
        + "a004 OK [READ-WRITE] SELECT completed\r\n"
        + "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
        + "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
        + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) NIL NIL "
        + "((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
        + "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"
        + "* 1 FETCH (UID 100 BODY[] \(lit("{}", sampleMessage)))\r\n"
        + "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] \(lit("{}", "Subject: {5}\r\n\r\n")) UID 101)\r\n"
        + "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" "
        + "1024 20 NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"a {5}.pdf\") NIL NIL \"BASE64\" 4096 NIL "
        + "(\"attachment\" (\"FILENAME\" \"a \\\"{5}\\\".pdf\")) NIL) \"MIXED\" (\"BOUNDARY\" \"xyz\") NIL NIL))\r\n"
        + "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n"
        + "* LIST (\\HasChildren) \"/\" \"Archive/2026\"\r\n"
        + "* LIST () \"/\" \(lit("{}", "name \"with\" quotes"))\r\n"
        + "* LIST (\\Noselect) \"/\" \"quote\\\"d {3}\"\r\n"
        + "* SEARCH 2 84 882\r\n"
        + "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"
        + "a005 NO [TRYCREATE] no such mailbox\r\n"
        + "a006 BAD command unknown\r\n"
        + "* 4 FETCH (BINARY[1] \(lit("~{}", "\u{0}\u{1}bin\u{0}")))\r\n"
        + "* 5 FETCH (BODY[] {0}\r\n)\r\n"
        + "* 6 FETCH (BODY[1] NIL BODY[2] \(lit("{}", "a")) BODY[3] \(lit("{}", "{1}\r\n")))\r\n"
        + "* BYE Logging out\r\n"
        + "a021 OK LOGOUT completed\r\n",
    "* PREAUTH IMAP4rev1 server logged in as Smith\r\n"
        + "* 1 EXPUNGE\n* 3 EXPUNGE\n"
        + "A1 ok done\r\nA2 no denied\r\nA3 bad syntax\r\n* bye idle too long\r\n",
]
