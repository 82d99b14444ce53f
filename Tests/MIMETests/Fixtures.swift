import IMAPWire
import MIME

/// Messages written with `\n` line ends in the source and turned into CRLF.
enum Fixtures {
    static func crlf(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        for b in s.utf8 {
            if b == 0x0A { out.append(0x0D) }
            out.append(b)
        }
        return out
    }

    static func message(_ s: String) -> MIMEMessage { MIMEMessage(crlf(s)) }
}

extension Fixtures {
    static func encoded(_ b: BodyStructure) -> String {
        var e = EncodeBuffer(.server)
        e.writeBodyStructure(b)
        return e.string
    }

    static func encoded(_ env: Envelope) -> String {
        var e = EncodeBuffer(.server)
        e.writeEnvelope(env)
        return e.string
    }

    static func text(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

    /// multipart/mixed: 1 text/plain, 2 multipart/alternative (2.1, 2.2),
    /// 3 message/rfc822 (itself multipart/mixed with 3.1 text and 3.2 image), 4 base64 attachment.
    static let mixed = """
        From: Terry Gray <gray@cac.washington.edu>
        To: imap@cac.washington.edu
        Subject: mixed bag
        Received: from a by b
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        This is the preamble.
        --outer
        Content-Type: text/plain; charset=us-ascii

        Hello there.
        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain

        Hi
        --inner
        Content-Type: text/html

        <b>Hi</b>
        --inner--

        --outer
        Content-Type: message/rfc822

        From: Inner <inner@c.example>
        Subject: inner subject
        Message-ID: <inner@c.example>
        Content-Type: multipart/mixed; boundary=Y

        --Y

        inner text
        --Y
        Content-Type: image/gif

        GIF
        --Y--
        --outer
        Content-Type: application/octet-stream; name="a.bin"
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="a.bin"
        Content-ID: <id1@x>
        Content-Description: Some data
        Content-Language: en, de
        Content-Location: http://x.example/a.bin

        AAEC
        --outer--
        epilogue

        """
}
