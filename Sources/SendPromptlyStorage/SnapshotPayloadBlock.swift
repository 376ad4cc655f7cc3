import CompressNIO
import NIOCore
import SendPromptlyCore

/// One block of a snapshot's payload (format version 5 on, ``SnapshotFormat``): a stretch of
/// one shard's section, stored as it is or as a zlib stream of its own.
///
/// ```
/// kind u8 (0 stored, 1 zlib) | length once expanded (varint) | stored length (varint) | bytes
/// ```
struct SnapshotPayloadBlock: Sendable {
    enum Kind: UInt8, Sendable {
        case stored = 0
        case zlib = 1
    }

    let kind: Kind
    /// Its length once expanded.
    let length: Int
    /// The bytes as the file holds them.
    let bytes: ArraySlice<UInt8>

    /// How a section of `count` bytes is cut into blocks: its stretches of text and random
    /// bytes (``BinaryWriter/stretches``, in order) apart from the structured bytes around them,
    /// a stretch shorter than ``SnapshotFormat/shortestStretch`` taken as structured, and no
    /// block longer than ``SnapshotFormat/blockLength``.
    static func plan(_ count: Int, stretches: [ContentStretch]) -> [ContentStretch] {
        var runs: [ContentStretch] = []
        func add(_ range: Range<Int>, _ content: ByteContent) {
            guard !range.isEmpty else { return }
            if let last = runs.last, last.content == content {
                runs[runs.count - 1] = ContentStretch(range: last.range.lowerBound..<range.upperBound, content: content)
            } else {
                runs.append(ContentStretch(range: range, content: content))
            }
        }
        var position = 0
        for stretch in stretches {
            add(position..<stretch.range.lowerBound, .structured)
            add(stretch.range, stretch.range.count < SnapshotFormat.shortestStretch ? .structured : stretch.content)
            position = stretch.range.upperBound
        }
        add(position..<count, .structured)
        return runs.flatMap { run in
            stride(from: run.range.lowerBound, to: run.range.upperBound, by: SnapshotFormat.blockLength).map {
                ContentStretch(range: $0..<min($0 + SnapshotFormat.blockLength, run.range.upperBound), content: run.content)
            }
        }
    }

    /// Random bytes are stored; text gets Huffman coding alone (its characters are random, so
    /// LZ77 matching finds nothing and costs more than the rest together); structured bytes
    /// get zlib's fastest level.
    init(compressing bytes: ArraySlice<UInt8>, as content: ByteContent) throws {
        length = bytes.count
        let strategy: ZlibConfiguration.Strategy
        switch content {
        case .random:
            kind = .stored
            self.bytes = bytes
            return
        case .text: strategy = .huffmanOnly
        case .structured: strategy = .default
        }
        kind = .zlib
        var input = ByteBuffer(bytes: bytes)
        let compressed = try input.compress(with: .zlib(configuration: .init(compressionLevel: .fastestCompression, strategy: strategy)))
        self.bytes = ArraySlice(compressed.readableBytesView)
    }

    init(from reader: inout BinaryReader) throws(BinaryDecodingError) {
        guard let kind = Kind(rawValue: try reader.readByte()) else { throw reader.failure("unknown block kind") }
        let length = try reader.readVarint()
        let storedLength = try reader.readCount()
        let limit = kind == .stored ? storedLength : storedLength * SnapshotFormat.maximumInflation
        guard length > 0, length <= UInt64(min(limit, SnapshotFormat.blockLength)) else {
            throw reader.failure("block of \(storedLength) bytes cannot expand to \(length)")
        }
        self.kind = kind
        self.length = Int(length)
        self.bytes = try reader.readRaw(storedLength)
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(kind.rawValue)
        writer.write(varint: UInt64(length))
        writer.write(varint: UInt64(bytes.count))
        writer.write(raw: bytes)
    }

    /// Writes the block's expanded bytes into `target`, which is ``length`` bytes long.
    func expand(into target: UnsafeMutableRawBufferPointer) throws {
        precondition(target.count == length)
        switch kind {
        case .stored:
            bytes.withUnsafeBytes { target.copyMemory(from: $0) }
        case .zlib:
            var input = ByteBuffer(bytes: bytes)
            var output = ByteBuffer()
            output.reserveCapacity(length)
            do {
                try input.decompress(to: &output, with: .zlib())
            } catch {
                throw SnapshotFormat.Damage(description: "block does not decompress: \(error)")
            }
            guard output.readableBytes == length else {
                throw SnapshotFormat.Damage(description: "block is \(output.readableBytes) bytes, its header says \(length)")
            }
            output.withUnsafeReadableBytes { target.copyMemory(from: $0) }
        }
    }
}
