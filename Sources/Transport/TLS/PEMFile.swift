#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads certificate and key files with a bound, so a wrong path (a log, a device) cannot
/// exhaust memory, and with errors that name the file.
enum PEMFile {
    /// Certificate chains and keys are a few KiB; a trust store may hold a few hundred roots.
    static let maxBytes = 1 << 20

    static func load(_ path: String) throws(TLSSetupError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TLSSetupError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { _ = close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TLSSetupError(.unreadable, file: path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= Self.maxBytes else {
                throw TLSSetupError(.unreadable, file: path, "larger than \(Self.maxBytes) bytes: not a PEM file")
            }
        }
        guard !bytes.isEmpty else { throw TLSSetupError(.unreadable, file: path, "the file is empty") }
        return bytes
    }
}
