#if canImport(Glibc)
    import Glibc
#endif

/// Socket addresses for the io_uring engine, which opens its sockets itself: resolving
/// host:port, and naming the ends of a socket as the NIO engine does ("127.0.0.1:143",
/// "[::1]:143").
enum SocketAddresses {
    struct Resolved {
        var family: Int32
        /// A sockaddr_in or sockaddr_in6.
        var bytes: [UInt8]
    }

    /// The addresses of host:port, IPv4 and IPv6, in getaddrinfo's order.
    static func resolve(host: String, port: Int, passive: Bool, action: String) throws -> [Resolved] {
        guard (0...65_535).contains(port) else { throw ConnectionError(.invalidArgument, "\(action): bad port") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw ConnectionError(.io(errno: nil), "\(action): cannot resolve \(host) (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(first) }
        var out: [Resolved] = []
        var item: UnsafeMutablePointer<addrinfo>? = first
        while let entry = item {
            if let address = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 {
                let bytes = [UInt8](UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen)))
                out.append(Resolved(family: entry.pointee.ai_family, bytes: bytes))
            }
            item = entry.pointee.ai_next
        }
        return out
    }

    static func peer(of fd: CInt) -> String? {
        name(fd) { getpeername($0, $1, $2) }
    }

    static func local(of fd: CInt) -> String? {
        name(fd) { getsockname($0, $1, $2) }
    }

    private static func name(
        _ fd: CInt,
        _ call: (CInt, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> CInt
    ) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { text(of: UnsafeRawPointer($0)) }
    }

    /// "a.b.c.d:port" or "[v6]:port", through getnameinfo (numeric): no field of the
    /// sockaddr is read here, so this stays independent of which C module declares them.
    static func text(of address: UnsafeRawPointer) -> String? {
        let family = Int32(address.load(as: sa_family_t.self))
        let length: Int
        switch family {
        case AF_INET: length = MemoryLayout<sockaddr_in>.size
        case AF_INET6: length = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let rc = getnameinfo(
            address.assumingMemoryBound(to: sockaddr.self), socklen_t(length), &host, socklen_t(host.count),
            &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
        guard rc == 0 else { return nil }
        let h = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let p = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(h)]:\(p)" : "\(h):\(p)"
    }

    /// The host part of "a.b.c.d:port" or "[v6]:port".
    static func host(of text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        guard let colon = text.lastIndex(of: ":") else { return text }
        return String(text[..<colon])
    }

    static func port(of text: String) -> Int {
        guard let colon = text.lastIndex(of: ":") else { return 0 }
        return Int(text[text.index(after: colon)...]) ?? 0
    }
}
