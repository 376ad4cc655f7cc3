import Foundation

/// Writes a zero-filled journal segment with `O_DIRECT | O_DSYNC`: a commit rewrites the
/// page-aligned blocks from the one holding the segment's last byte through the end of the
/// batch, in one `pwrite` that returns once they are on the disk. No page cache and no separate
/// `fdatasync`: on this project's machines 0.70–0.75x the system CPU of `write` + `fdatasync`
/// per commit in a probe, and receipts' p50 and p99 at a fixed rate 0.6–0.8x in the server
/// (Benchmarks/README, "Direct writes for `fsync` commits").
///
/// For zero-filled segments only: their blocks exist, so a write changes no metadata, and the
/// zeros padding the last block are the segment's end to a reader (journal format version 2).
/// The last, partial block is written again by every commit; its earlier bytes are the same
/// each time, so a rewrite torn by a power cut (sector by sector) leaves acknowledged records
/// as they were. The bytes on disk are exactly those the buffered path writes.
///
/// Owned by the journal's writer thread; the descriptor is closed when the writer is released.
final class DirectSegmentWriter {
    /// The alignment of offsets, lengths and memory for `O_DIRECT`: 4 KiB covers the logical
    /// blocks of the disks this runs on; where a file system asks more, the first write (in
    /// `init`) fails and the segment is written through the page cache.
    static let blockSize = 4096

    private let descriptor: Int32
    private let path: String
    /// Aligned memory holding the segment's bytes from `blockStart` (`tailCount` of them), then
    /// room for the next batch.
    private var buffer: UnsafeMutableRawBufferPointer
    private var blockStart = 0
    private var tailCount = 0

    /// Opens `path`, a zero-filled file whose first bytes are `written` (the segment's header,
    /// already synced), for direct writes, and writes its first block again (the same bytes) to
    /// learn that direct writes work there; nil where they do not (an open or an alignment
    /// refused), and the caller writes through the page cache instead.
    init?(path: String, written: [UInt8]) {
        guard let directFlag = Self.directFlag else { return nil }
        let descriptor = open(path, O_WRONLY | directFlag | O_DSYNC | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        self.path = path
        self.buffer = Self.allocate(atLeast: written.count + Self.blockSize)
        let keptFrom = written.count / Self.blockSize * Self.blockSize
        blockStart = keptFrom
        tailCount = written.count - keptFrom
        written[keptFrom...].withUnsafeBytes { buffer.copyMemory(from: $0) }
        do {
            try write([])
        } catch {
            return nil
        }
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// Appends `records` after the segment's last byte and returns once they are durable.
    func write(_ records: ArraySlice<UInt8>) throws {
        let total = tailCount + records.count
        let length = (total + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        if length > buffer.count {
            let larger = Self.allocate(atLeast: length)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<tailCount]))
            buffer.deallocate()
            buffer = larger
        }
        records.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[tailCount...]).copyMemory(from: $0) }
        UnsafeMutableRawBufferPointer(rebasing: buffer[total..<length]).initializeMemory(as: UInt8.self, repeating: 0)
        // A short write would leave the rest to write from an unaligned offset: a failure.
        while true {
            let written = pwrite(descriptor, buffer.baseAddress!, length, off_t(blockStart))
            if written == length { break }
            if written < 0, errno == EINTR { continue }
            if written < 0 { throw FileIO.failure("cannot write", path) }
            throw FileIO.Failure(description: "short direct write to \(path): \(written) of \(length) bytes")
        }
        // Keep the last, partial block for the next commit to write again.
        let keptFrom = total / Self.blockSize * Self.blockSize
        tailCount = total - keptFrom
        if keptFrom > 0, tailCount > 0 {
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + keptFrom, byteCount: tailCount)
        }
        blockStart += keptFrom
    }

    /// Linux's `O_DIRECT`, which Swift's Glibc module does not export (it is behind
    /// `_GNU_SOURCE`); its value differs by architecture. Elsewhere: no direct writes.
    static var directFlag: Int32? {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }

    private static func allocate(atLeast count: Int) -> UnsafeMutableRawBufferPointer {
        let rounded = max(4, (count + blockSize - 1) / blockSize) * blockSize
        return UnsafeMutableRawBufferPointer.allocate(byteCount: rounded, alignment: blockSize)
    }
}
