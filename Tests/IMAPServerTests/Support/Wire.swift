/// Texts several wire tests share: capability lists and sample messages.
enum Wire {
    /// Before authentication (RFC 3501 §6.1.1), as the test server's SASL config offers it.
    static let preAuthCapabilities = "IMAP4rev1 LITERAL+ ID ENABLE SASL-IR AUTH=PLAIN AUTH=LOGIN"

    /// After authentication (APPENDLIMIT is the test server's 1 MiB literal bound).
    static let capabilities =
        "IMAP4rev1 LITERAL+ ID ENABLE SASL-IR ACL RIGHTS=kxten QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE "
        + "NAMESPACE UIDPLUS UNSELECT CHILDREN MULTIAPPEND BINARY CONDSTORE QRESYNC ESEARCH SEARCHRES SORT "
        + "THREAD=ORDEREDSUBJECT THREAD=REFERENCES LIST-EXTENDED LIST-STATUS LIST-MYRIGHTS SPECIAL-USE "
        + "CREATE-SPECIAL-USE IDLE MOVE METADATA WITHIN STATUS=SIZE OBJECTID APPENDLIMIT=1048576 XLIST"

    static let greeting = "* OK [CAPABILITY \(preAuthCapabilities)] test.example Murder IMAP server ready\r\n"

    /// A one-part message (96 + 24 bytes).
    static let hello =
        "From: Alice <alice@example.org>\r\n"
        + "To: Bob <bob@example.org>\r\n"
        + "Subject: Hello\r\n"
        + "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
        + "Message-ID: <1@example.org>\r\n"
        + "\r\n"
        + "Hello Bob, how are you?\r\n"

    /// A message with a given subject, date and body (for SEARCH, SORT, THREAD).
    static func message(
        subject: String, date: String = "Mon, 7 Feb 1994 21:52:25 -0800", from: String = "alice@example.org",
        id: String = "", references: String = "", body: String = "Some text.\r\n"
    ) -> String {
        var m = "From: \(from)\r\nTo: bob@example.org\r\nSubject: \(subject)\r\nDate: \(date)\r\n"
        if !id.isEmpty { m += "Message-ID: \(id)\r\n" }
        if !references.isEmpty {
            m += "References: \(references)\r\nIn-Reply-To: \(references.split(separator: " ").last ?? "")\r\n"
        }
        return m + "\r\n" + body
    }

    /// multipart/mixed with a text part and a base64 part ("Hello World").
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

    /// base64 of `\0authzid\0authcid\0password` for SASL PLAIN.
    static func plain(authzid: String = "", _ user: String, _ password: String = TestServer.password) -> String {
        let bytes = Array(authzid.utf8) + [0] + Array(user.utf8) + [0] + Array(password.utf8)
        return base64(bytes)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i])
            let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[(b0 & 3) << 4 | b1 >> 4])
            out.append(i + 1 < bytes.count ? alphabet[(b1 & 15) << 2 | b2 >> 6] : "=")
            out.append(i + 2 < bytes.count ? alphabet[b2 & 63] : "=")
            i += 3
        }
        return out
    }
}

extension Wire {
    /// A single-part message whose body is base64 of the bytes 00 01 02 03.
    static let binary =
        "From: alice@example.org\r\n"
        + "Subject: bin\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: application/octet-stream\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "\r\n"
        + "AAECAw==\r\n"
}
