#if canImport(Glibc)
import Glibc
#endif
import CMurderSystem

/// A message being received: streamed into a temporary file in its owner's `tmp` folder while
/// its GUID (SHA-1) is computed, then closed with ``seal()``. Appending it to a mailbox renames
/// the file into place and syncs it and its folder before the index commits; a staged message
/// that is dropped without being appended is removed (``discard()``), and start-up recovery
/// removes any left by a crash.
public final class StagedMessage: @unchecked Sendable {
    public let path: String
    let ownerKey: String
    private var fd: Int32
    private var digest: OpaquePointer?
    public private(set) var size: Int64 = 0
    public private(set) var guid: String = ""
    private let limit: Int64
    private var finished = false
    /// Bytes before this offset have had their writeback started.
    private var writebackStarted: Int64 = 0

    /// A large message's bytes go to the disk while the rest still arrives: every this many
    /// bytes the file's writeback starts, so the fsync before the index commit waits only for
    /// the tail (10 MB APPEND: the network and the disk overlap instead of taking turns).
    static let writebackStep: Int64 = 1 << 20

    init(path: String, ownerKey: String, limit: Int64) throws(SpoolError) {
        self.path = path
        self.ownerKey = ownerKey
        self.limit = limit
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if fd < 0 { throw FileIO.error("open", path) }
        digest = mc_sys_digest_new(Int32(MC_SYS_SHA1))
        if digest == nil {
            close(fd)
            unlink(path)
            throw SpoolError(.io, "cannot create a SHA-1 context")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        if let digest { mc_sys_digest_free(digest) }
        if !finished { unlink(path) }
    }

    /// Appends bytes. Throws ``SpoolError/Code/tooBig`` past the limit (the file is removed).
    public func write<C: Collection>(_ bytes: C) throws(SpoolError) where C.Element == UInt8 {
        guard fd >= 0 else { throw SpoolError(.io, "staged message already finished") }
        if size + Int64(bytes.count) > limit {
            discard()
            throw SpoolError(.tooBig, "message larger than \(limit) bytes")
        }
        let result: Int32 = bytes.withContiguousStorageIfAvailable { buf -> Int32 in
            guard let base = buf.baseAddress else { return 0 }
            return writeAll(UnsafeRawPointer(base), buf.count)
        } ?? Array(bytes).withUnsafeBytes { buf -> Int32 in
            guard let base = buf.baseAddress else { return 0 }
            return writeAll(base, buf.count)
        }
        if result != 0 {
            let e = FileIO.error("write", path, result)
            discard()
            throw e
        }
        size += Int64(bytes.count)
        if size - writebackStarted >= Self.writebackStep {
            // Only a head start: an error here is found again by the fsync that matters.
            _ = mc_sys_start_writeback(fd, writebackStarted, size - writebackStarted)
            writebackStarted = size
        }
    }

    private func writeAll(_ base: UnsafeRawPointer, _ count: Int) -> Int32 {
        _ = mc_sys_digest_update(digest, base, count)
        var done = 0
        while done < count {
            let n = Glibc.write(fd, base + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return 0
    }

    /// Computes the GUID and closes the file without syncing it: the bytes become durable in
    /// ``Spool/append(_:_:user:)``, which syncs the file together with its folder after the
    /// rename and before the index commits, so one APPEND waits for one round of syncs.
    public func seal() throws(SpoolError) {
        guard fd >= 0 else { throw SpoolError(.io, "staged message already sealed or discarded") }
        close(fd)
        fd = -1
        var out = [UInt8](repeating: 0, count: 32)
        let n = out.withUnsafeMutableBytes { mc_sys_digest_final(digest, $0.baseAddress, 32) }
        guard n == 20 else {
            discard()
            throw SpoolError(.io, "SHA-1 failed")
        }
        guid = Spool.hex(out.prefix(20))
    }

    /// Drops the message: the temporary file is removed.
    public func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(path)
        finished = false
    }

    /// Called once the file has been renamed into a mailbox.
    func adopted() { finished = true }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
