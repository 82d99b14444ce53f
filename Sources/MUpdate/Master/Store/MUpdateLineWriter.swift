/// Writes MAILBOX, RESERVE and DELETE data lines straight from compact entries, byte for byte
/// what ``IMAPWire/EncodeBuffer/writeMUpdateResponse(_:)`` writes for the same record, without
/// building a record, a string or an ACL on the way (an UPDATE dump writes a million of them).
///
///     U01 MAILBOX {8+}\r\nuser.bob {23+}\r\n127.0.0.1:14143!default {19+}\r\nbob\tlrswipkxtecdan\t\r\n
///     U01 RESERVE {9+}\r\nuser.carl {23+}\r\n127.0.0.1:14143!default\r\n
///     U01 DELETE {8+}\r\nuser.bob\r\n
///
/// - SeeAlso: [RFC 3656 §3.5–3.7](https://www.rfc-editor.org/rfc/rfc3656#section-3.5)
enum MUpdateLineWriter {
    static let mailbox = Array(" MAILBOX ".utf8)
    static let reserve = Array(" RESERVE ".utf8)
    static let delete = Array(" DELETE ".utf8)
    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// `tag MAILBOX …` or `tag RESERVE …` for `entry`, whose location text is `location`.
    static func appendRecord(
        tag: [UInt8], key: [UInt8], state: MUpdateRecord.State, location: [UInt8], acl: [UInt8], to out: inout [UInt8]
    ) {
        out.append(contentsOf: tag)
        out.append(contentsOf: state == .active ? mailbox : reserve)
        appendLiteralHeader(key.count, to: &out)
        MUpdateKey.appendName(of: key, to: &out)
        out.append(0x20)
        appendLiteralHeader(location.count, to: &out)
        out.append(contentsOf: location)
        if state == .active {
            out.append(0x20)
            appendLiteralHeader(acl.count, to: &out)
            out.append(contentsOf: acl)
        }
        out.append(contentsOf: crlf)
    }

    /// `tag DELETE name`.
    static func appendDelete(tag: [UInt8], key: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: tag)
        out.append(contentsOf: delete)
        appendLiteralHeader(key.count, to: &out)
        MUpdateKey.appendName(of: key, to: &out)
        out.append(contentsOf: crlf)
    }

    /// `{n+}` CRLF.
    @inline(__always)
    static func appendLiteralHeader(_ n: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        appendDecimal(n, to: &out)
        out.append(UInt8(ascii: "+"))
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: crlf)
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        let start = out.count
        var n = max(0, value)
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        } while n > 0
        out[start...].reverse()
    }
}

extension MUpdateIndex {
    /// Appends the data line of `entry` with `tag`.
    func append(_ entry: Entry, tag: [UInt8], to out: inout [UInt8]) {
        MUpdateLineWriter.appendRecord(
            tag: tag, key: entry.key, state: entry.state, location: locations[entry.location].text, acl: entry.acl,
            to: &out)
    }
}
