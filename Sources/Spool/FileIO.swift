import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the spool's durability rests on, with errors that name the
/// operation and the path. Every write that is acknowledged goes through `fsync` here.
enum FileIO {
    static func error(_ op: String, _ path: String, _ err: Int32 = errno) -> SpoolError {
        SpoolError(.io, "\(op) \(path): \(String(cString: strerror(err)))")
    }

    static func makeDirectories(_ path: String) throws(SpoolError) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o750) != 0 && errno != EEXIST { throw error("mkdir", built) }
        }
    }

    /// fsync of a folder: makes a rename or unlink inside it durable.
    static func syncDirectory(_ path: String) throws(SpoolError) {
        try sync(path, O_DIRECTORY)
    }

    /// fsync by path: a folder (`O_DIRECTORY`), or a file renamed into place after it was
    /// written and closed.
    private static func sync(_ path: String, _ flags: Int32 = 0) throws(SpoolError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | flags)
        if fd < 0 { throw error("open", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw error("fsync", path) }
    }

    /// fsyncs the files and the folders all at once, on as many threads as there are paths (up
    /// to the cores): the device sees the flushes together instead of one after the other.
    /// Throws the first failure after every sync has ended.
    static func syncAll(files: [String], folders: [String]) throws(SpoolError) {
        let jobs = files.map { ($0, Int32(0)) } + folders.map { ($0, O_DIRECTORY) }
        if jobs.count == 1 { return try sync(jobs[0].0, jobs[0].1) }
        let failures = Mutex<[SpoolError]>([])
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            do throws(SpoolError) {
                try sync(jobs[i].0, jobs[i].1)
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
        if let first = failures.withLock({ $0.first }) { throw first }
    }

    static func rename(_ from: String, _ to: String) throws(SpoolError) {
        if Glibc.rename(from, to) != 0 { throw error("rename", "\(from) -> \(to)") }
    }

    /// A hard link; COPY within a backend shares the file instead of writing it again.
    static func link(_ from: String, _ to: String) throws(SpoolError) {
        if Glibc.link(from, to) != 0 {
            if errno == EEXIST {
                unlink(to)
                if Glibc.link(from, to) == 0 { return }
            }
            throw error("link", "\(from) -> \(to)")
        }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func size(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : nil
    }

    /// Names in a folder, without `.` and `..`; empty when it does not exist.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Reads a whole file (bounded by `limit`).
    static func read(_ path: String, limit: Int = 1 << 31) throws(SpoolError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw error("open", path) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw error("fstat", path) }
        let size = Int(st.st_size)
        if size > limit { throw SpoolError(.tooBig, "\(path) is larger than \(limit) bytes") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path)
            }
            if n == 0 { break }
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// Writes a small file atomically and durably (temp, fsync, rename, fsync folder).
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(SpoolError) {
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        if fd < 0 { throw error("open", temp) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = error("write", temp)
                close(fd)
                throw e
            }
            done += n
        }
        if fsync(fd) != 0 {
            let e = error("fsync", temp)
            close(fd)
            throw e
        }
        close(fd)
        try rename(temp, path)
        try syncDirectory(folder.isEmpty ? "." : folder)
    }
}

extension FileIO {
    static func mtime(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_mtim.tv_sec) : nil
    }
}
