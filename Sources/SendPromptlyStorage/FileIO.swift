import Foundation

/// The few POSIX file operations durability needs, with their errors named: Foundation's
/// `FileHandle` neither exposes `fsync` of a directory nor reports `write` errors precisely.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func failure(_ operation: String, _ path: String) -> Failure {
        Failure(description: "\(operation) \(path): \(String(cString: strerror(errno)))")
    }

    /// Creates `path` with mode 0600 for writing from its start. An existing file of that name
    /// is emptied: a journal segment is only ever created anew, and a segment named after the
    /// next sequence can hold no record yet.
    static func create(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        return descriptor
    }

    /// Opens the existing file `path` for writing from its start, keeping its length and blocks.
    static func openForOverwrite(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        return descriptor
    }

    /// Creates `path` (mode 0600) holding `length` zero bytes, written out (not a sparse file or
    /// unwritten extents, whose first write would change the block map) and `fsync`ed.
    static func createZeroFilled(_ path: String, length: Int) throws {
        let descriptor = try create(path)
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = length
        while remaining > 0 {
            try writeAll(descriptor, remaining >= chunk.count ? chunk : Array(chunk[..<remaining]), path: path)
            remaining -= chunk.count
        }
        try sync(descriptor, path: path)
    }

    /// The bytes an unprivileged writer may still use on the file system of `directory`; nil
    /// when it cannot be asked.
    static func freeBytes(in directory: String) -> Int? {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return nil }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    static func rename(_ path: String, to target: String) throws {
        guard Glibc.rename(path, target) == 0 else { throw failure("cannot rename", path) }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        try bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write", path)
                }
                offset += written
            }
        }
    }

    static func sync(_ descriptor: Int32, path: String) throws {
        guard fsync(descriptor) == 0 else { throw failure("cannot fsync", path) }
    }

    /// Makes what was appended to a file durable: its data and the size that reaches it
    /// (`fdatasync` flushes the metadata needed to read the data back), but not times such as
    /// the modification time, which `fsync` would also write. On this project's machines that
    /// is a tenth of the cost of `fsync` per journal commit.
    static func syncAppended(_ descriptor: Int32, path: String) throws {
        guard fdatasync(descriptor) == 0 else { throw failure("cannot fdatasync", path) }
    }

    /// Makes the directory's entries (a new or renamed file) durable.
    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        defer { close(descriptor) }
        try sync(descriptor, path: path)
    }

    /// Writes `bytes` to `name` in `directory` so that a crash leaves either the old file or
    /// the whole new one: a temporary file, `fsync`, `rename`, `fsync` of the directory.
    static func writeAtomically(_ bytes: [UInt8], to name: String, in directory: String) throws {
        let target = directory + "/" + name
        let temporary = directory + "/." + name + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create", temporary) }
        do {
            try writeAll(descriptor, bytes, path: temporary)
            try sync(descriptor, path: temporary)
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        try rename(temporary, to: target)
        try syncDirectory(directory)
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot read", path) }
        return [UInt8](data)
    }

    static func truncate(_ path: String, to length: Int) throws {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw failure("cannot truncate", path) }
    }

    /// Names in `directory` with `prefix` and `suffix`, sorted.
    static func files(in directory: String, prefix: String, suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
            .sorted()
    }

    /// The sequence number in a file name such as `journal-00000000000000000042.log`.
    static func sequence(inName name: String, prefix: String, suffix: String) -> UInt64? {
        UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    static func name(prefix: String, sequence: UInt64, suffix: String) -> String {
        let digits = String(sequence)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }
}
