import Foundation

/// Texts the frontend wire tests share: capability lists and sample messages.
enum Wire {
    /// Before authentication (RFC 3501 §6.1.1), as the murder's SASL config offers it.
    static let preAuthCapabilities = "IMAP4rev1 LITERAL+ ID ENABLE SASL-IR AUTH=PLAIN AUTH=LOGIN"

    static let greeting = "* OK [CAPABILITY \(preAuthCapabilities)] \(TestMurder.frontendName) Murder ready\r\n"

    /// After authentication at the frontend: what it implements (every test backend offers
    /// all of it), APPENDLIMIT, and the master.
    static func capabilities(master: String) -> String {
        "IMAP4rev1 LITERAL+ ID ENABLE SASL-IR ACL RIGHTS=kxten QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE "
            + "NAMESPACE UIDPLUS UNSELECT CHILDREN MULTIAPPEND BINARY CONDSTORE QRESYNC ESEARCH SEARCHRES SORT "
            + "THREAD=ORDEREDSUBJECT THREAD=REFERENCES LIST-EXTENDED LIST-STATUS LIST-MYRIGHTS SPECIAL-USE "
            + "CREATE-SPECIAL-USE IDLE MOVE METADATA WITHIN STATUS=SIZE OBJECTID APPENDLIMIT=\(TestMurder.maxLiteralBytes) "
            + "MUPDATE=mupdate://\(master)/"
    }

    /// A one-part message.
    static let hello =
        "From: Alice <alice@example.org>\r\n"
        + "To: Bob <bob@example.org>\r\n"
        + "Subject: Hello\r\n"
        + "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
        + "Message-ID: <1@example.org>\r\n"
        + "\r\n"
        + "Hello Bob, how are you?\r\n"

    /// A message with a given subject and body.
    static func message(subject: String, body: String = "Some text.\r\n") -> String {
        "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: \(subject)\r\n"
            + "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\n" + body
    }

    /// base64 of `authzid\0authcid\0password` for SASL PLAIN.
    static func plain(authzid: String = "", _ user: String, _ password: String = TestMurder.password) -> String {
        Data(Array(authzid.utf8) + [0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
    }
}

extension Wire {
    /// multipart/mixed with a text part and a base64 part.
    static let multipart =
        "From: Alice <alice@example.org>\r\n"
        + "To: bob@example.org\r\n"
        + "Subject: Parts\r\n"
        + "Date: Tue, 8 Feb 1994 10:00:00 +0000\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
        + "\r\n"
        + "--XX\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "Part one.\r\n"
        + "--XX\r\n"
        + "Content-Type: application/octet-stream\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "\r\n"
        + "SGVsbG8gV29ybGQ=\r\n"
        + "--XX--\r\n"
}

extension Wire {
    /// A message of about `bytes` bytes: headers, then lines of 76 letters.
    static func large(bytes: Int) -> String {
        let line = String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 3).prefix(76) + "\r\n"
        return message(subject: "Large", body: String(repeating: String(line), count: max(1, bytes / line.utf8.count)))
    }
}
