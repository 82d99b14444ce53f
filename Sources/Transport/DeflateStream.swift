import CMurderSystem
import Synchronization

/// One direction of a raw DEFLATE stream (RFC 1951 without a zlib header), as IMAP's
/// COMPRESS=DEFLATE and MUPDATE's `COMPRESS "DEFLATE"` use: every call ends with a sync flush,
/// so what it returns can be sent at once and the peer can decode all of it.
///
///     C: A01 COMPRESS "DEFLATE"
///     S: A01 OK DEFLATE active
///     (from here on, both directions are one DEFLATE stream each)
///
/// - SeeAlso: [RFC 4978 §4](https://www.rfc-editor.org/rfc/rfc4978#section-4)
public final class DeflateStream: Sendable {
    public enum Direction: Sendable {
        case compress
        case decompress
    }

    /// Corrupt compressed input, or output over the caller's bound (a decompression bomb).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private let handle: Mutex<OpaquePointer?>
    public let direction: Direction

    /// Returns nil when zlib cannot allocate a stream.
    public init?(_ direction: Direction) {
        guard let made = direction == .compress ? mc_sys_deflate_new() : mc_sys_inflate_new() else { return nil }
        self.direction = direction
        handle = Mutex(made)
    }

    deinit {
        handle.withLock { mc_sys_zstream_free($0) }
    }

    /// Runs all of `input` through the stream. Throws ``Failure`` when the input is not valid
    /// DEFLATE data, when it ended the stream, or when the output would pass `limit` bytes.
    public func process(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        try handle.withLock { (z: inout OpaquePointer?) throws(Failure) -> [UInt8] in
            guard let z else { throw Failure(description: "the stream is closed") }
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            var offset = 0
            while true {
                var consumed = 0
                var produced = 0
                let result = input.withUnsafeBytes { inBytes in
                    chunk.withUnsafeMutableBytes { outBytes in
                        mc_sys_zstream_run(
                            z, inBytes.baseAddress.map { $0 + offset }, inBytes.count - offset, &consumed,
                            outBytes.baseAddress, outBytes.count, &produced)
                    }
                }
                guard Int(result) != MC_SYS_Z_ERROR else {
                    throw Failure(description: "corrupt DEFLATE data")
                }
                guard Int(result) != MC_SYS_Z_END else { throw Failure(description: "the DEFLATE stream ended") }
                offset += consumed
                guard output.count + produced <= limit else {
                    throw Failure(description: "DEFLATE data expands past \(limit) bytes")
                }
                output += chunk[0..<produced]
                // Done when all input is taken and the last call had room to spare.
                if offset >= input.count, produced < chunk.count { break }
                if consumed == 0, produced == 0 { break }
            }
            return output
        }
    }
}
