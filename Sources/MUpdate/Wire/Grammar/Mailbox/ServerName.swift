import IMAPWire

/// A node's identity in the murder, `host[:port]` (SPEC.md §1): the server part of a mailbox
/// location. The port defaults to 143.
///
///     backend1.example.com
///     127.0.0.1:14143
///     [::1]:14143
///
/// The host is a DNS name or IPv4 address (letters, digits, `-`, `.`, `_`) or an IPv6 address in
/// brackets; the port, when present, is 1–65535 without leading zeros, so that `description`
/// gives back exactly the text that was parsed (Cyrus compares locations as strings).
public struct ServerName: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: UInt16?

    public static let defaultPort: UInt16 = 143

    /// The port to connect to.
    public var effectivePort: UInt16 { port ?? Self.defaultPort }

    public init?(host: String, port: UInt16? = nil) {
        guard Self.isValidHost(Array(host.utf8)), port != 0 else { return nil }
        self.host = host
        self.port = port
    }

    /// Parses `host[:port]`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var hostEnd = bytes.count
        var port: UInt16?
        // The port follows the last ':' outside brackets.
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")),
            !bytes.contains(UInt8(ascii: "]")) || colon > bytes.lastIndex(of: UInt8(ascii: "]"))!
        {
            guard let p = Self.parsePort(bytes[(colon + 1)...]) else { return nil }
            port = p
            hostEnd = colon
        }
        let host = Array(bytes[..<hostEnd])
        guard Self.isValidHost(host) else { return nil }
        self.host = String(decoding: host, as: UTF8.self)
        self.port = port
    }

    public var description: String {
        guard let port else { return host }
        return "\(host):\(port)"
    }

    static func isValidHost(_ host: [UInt8]) -> Bool {
        guard !host.isEmpty, host.count <= 255 else { return false }
        if host.first == UInt8(ascii: "[") {
            guard host.count > 2, host.last == UInt8(ascii: "]") else { return false }
            return host.dropFirst().dropLast().allSatisfy { b in
                b.isHexDigit || b == UInt8(ascii: ":") || b == UInt8(ascii: ".")
            }
        }
        return host.allSatisfy { b in
            b.isDigit || b.isAlpha || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
        }
    }

    static func parsePort(_ digits: ArraySlice<UInt8>) -> UInt16? {
        guard (1...5).contains(digits.count), digits.allSatisfy(\.isDigit), digits.first != UInt8(ascii: "0") else {
            return nil
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return value <= Int(UInt16.max) ? UInt16(value) : nil
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        isDigit || ((self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "f"))
    }
}
