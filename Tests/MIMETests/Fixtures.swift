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
