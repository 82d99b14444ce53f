extension NodeConfig {
    /// The `[imap]` table: listeners and the bounds every IMAP session runs under.
    public struct IMAP: Sendable, Hashable {
        /// Addresses to listen on.
        public var listen: [ListenAddress] = [ListenAddress(host: "127.0.0.1", port: 143)]
        /// Implicit TLS listeners (RFC 8314), usually port 993; they need `[tls]`.
        public var listenTLS: [ListenAddress] = []
        /// Connections open at once on each listener.
        public var maxConnections = 10_000
        /// Connections open at once from one client address.
        public var maxConnectionsPerHost = 200
        /// Idle time before an authenticated session is logged out.
        ///
        /// - SeeAlso: [RFC 3501 §5.4](https://www.rfc-editor.org/rfc/rfc3501#section-5.4): at
        ///   least 30 minutes.
        public var idleTimeoutSeconds = 1800
        /// Time a client has to authenticate.
        public var loginTimeoutSeconds = 60
        /// Longest command line, literals excluded.
        public var maxLineBytes = 65_536
        /// Largest literal, advertised as APPENDLIMIT.
        ///
        /// - SeeAlso: [RFC 7889](https://www.rfc-editor.org/rfc/rfc7889)
        public var maxLiteralBytes = 67_108_864
        /// Deepest parenthesis nesting in a command.
        public var maxNesting = 32
        /// Advertise LITERAL- (RFC 7888) instead of LITERAL+: non-synchronising literals only
        /// up to 4096 bytes.
        public var literalMinus = false
        /// Delay before answering a failed LOGIN or AUTHENTICATE.
        public var failedLoginDelayMilliseconds = 1000

        public init() {}
    }

    /// A listening address, written "host:port" or "[ipv6]:port".
    public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
        /// "127.0.0.1", "::1", "0.0.0.0", or a host name.
        public var host: String
        /// 0 picks an ephemeral port.
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses "host:port" or "[ipv6]:port"; nil with a reason in `complaint` otherwise.
        public init?(parsing text: String, complaint: inout String) {
            let host: Substring
            let portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                    complaint = "an IPv6 address is written [address]:port"
                    return nil
                }
                host = text[text.index(after: text.startIndex)..<close]
                portText = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                    complaint = "expected host:port (an IPv6 address is written [address]:port)"
                    return nil
                }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                complaint = "the host is empty or has spaces"
                return nil
            }
            guard portText.allSatisfy(\.isASCII), let port = Int(portText), (0...65535).contains(port) else {
                complaint = "the port must be a number from 0 to 65535"
                return nil
            }
            self.init(host: String(host), port: port)
        }

        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }
}
