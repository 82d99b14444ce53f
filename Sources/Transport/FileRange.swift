#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The checks both engines make before ``Connection/writeFile(path:offset:length:)`` sends a
/// file range: a sane range, then a file that opens and holds it.
enum FileRange {
    /// Throws ``ConnectionError`` with ``ConnectionError/Code/invalidArgument`` unless
    /// `offset` and `length` are non-negative and their sum does not overflow.
    static func check(path: String, offset: Int64, length: Int64) throws {
        guard offset >= 0, length >= 0, offset <= Int64.max - length else {
            throw ConnectionError(.invalidArgument, "writeFile \(path): bad range \(offset)+\(length)")
        }
    }

    /// Opens `path` for reading and checks that a range checked by ``check(path:offset:length:)``
    /// lies inside it; the caller closes the descriptor. Throws ``ConnectionError``: `.io` when
    /// the file cannot be opened or examined, `.invalidArgument` for a range past its end.
    static func opened(path: String, offset: Int64, length: Int64) throws -> CInt {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConnectionError(.io(errno: errno), "writeFile: cannot open \(path)")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            _ = close(descriptor)
            throw ConnectionError(.io(errno: code), "writeFile: cannot stat \(path)")
        }
        guard Int64(info.st_size) >= offset + length else {
            _ = close(descriptor)
            throw ConnectionError(
                .invalidArgument,
                "writeFile \(path): range \(offset)+\(length) is beyond the file's \(info.st_size) bytes"
            )
        }
        return descriptor
    }
}

extension Duration {
    /// Whole nanoseconds, 0 for a negative duration and Int64.max for one too long to count:
    /// what both engines hand their timers.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64.max / 1_000_000_000 - 1 else { return Int64.max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
