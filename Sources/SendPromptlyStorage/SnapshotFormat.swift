import CompressNIO
import Dispatch
import NIOCore
import SendPromptlyCore
import Synchronization

/// A snapshot file: every shard's state, each current to its own journal sequence, compressed
/// with zlib. Our own format because nothing on the shelf does "shard sections + per-shard
/// journal position + checksum" in a way we could keep stable:
///
/// ```
/// magic "SPSNAP01" | version u32 | header length u32 | header | payload length u64 | payload | CRC-32 u32
/// header:  created-at (zigzag varint ms), shard count (varint),
///          per shard: journal sequence (varint), uncompressed section length (varint)
/// payload: from version 5 on, blocks (``SnapshotPayloadBlock``) until its end; before, one
///          zlib stream of the shard sections, in shard order
/// ```
/// (integers LE; the CRC-32 covers every byte before it.) The blocks, in order, spell the
/// sections in shard order; none spans two sections, none is longer than ``blockLength``.
///
/// Blocks exist so that each stretch of a section is compressed the way that pays for it
/// (``ByteContent``): random digests are stored as they are, client-chosen text gets zlib's
/// Huffman coding alone, the rest zlib's fastest level. Being independent, blocks are also
/// compressed and inflated side by side on the machine's cores.
public enum SnapshotFormat {
    public static let magic = Array("SPSNAP01".utf8)
    /// The version of the file layout and of the engine's value encoding inside it. Version 1
    /// files are still read: their incidents have no alerts, and they hold no replays (they
    /// were written before reprocessing existed). Versions 1 and 2 hold events and idempotency
    /// records record by record, version 3 on column by column (`SnapshotColumns.swift`);
    /// version 5 brought the payload's blocks.
    public static let version: UInt32 = BinaryReader.currentFormatVersion
    public static let readableVersions: ClosedRange<UInt32> = 1...version
    /// zlib's largest compression ratio (its FAQ): no payload inflates to more than this many
    /// times its size.
    static let maximumInflation = 1032
    /// The longest block: long enough that zlib's per-stream cost vanishes, short enough that
    /// a few blocks of every section keep the cores busy and each inflates within the cache.
    static let blockLength = 1 << 22
    /// A stretch shorter than this is compressed with its structured neighbours: a block of
    /// its own would cost more in headers than its kind saves.
    static let shortestStretch = 4096
    public static let prefix = "snapshot-"
    public static let suffix = ".snap"

    public struct Section: Sendable {
        /// Every journal record of this shard up to this sequence is in `state`.
        public let sequence: UInt64
        public let state: [UInt8]
        /// What stretches of `state` hold (``BinaryWriter/stretches``); the rest is structured.
        public let stretches: [ContentStretch]

        public init(sequence: UInt64, state: [UInt8], stretches: [ContentStretch] = []) {
            self.sequence = sequence
            self.state = state
            self.stretches = stretches
        }
    }

    public struct Snapshot: Sendable {
        /// The format version the file was written in.
        public let version: UInt32
        public let createdAt: Timestamp
        public let sections: [Section]
        public let compressedLength: Int
    }

    public struct Damage: Error, CustomStringConvertible {
        public let description: String
    }

    public static func encode(_ sections: [Section], createdAt: Timestamp) throws -> [UInt8] {
        var header = BinaryWriter()
        header.write(createdAt)
        header.write(varint: UInt64(sections.count))
        for section in sections {
            header.write(varint: section.sequence)
            header.write(varint: UInt64(section.state.count))
        }
        let plan = sections.enumerated().flatMap { index, section in
            SnapshotPayloadBlock.plan(section.state.count, stretches: section.stretches).map { (section: index, stretch: $0) }
        }
        let blocks = try inParallel(plan.count) { index in
            let (section, stretch) = plan[index]
            return try SnapshotPayloadBlock(compressing: sections[section].state[stretch.range], as: stretch.content)
        }
        var payload = BinaryWriter(capacity: blocks.reduce(0) { $0 + $1.bytes.count + 12 })
        for block in blocks { block.write(to: &payload) }
        var file = BinaryWriter(capacity: header.bytes.count + payload.bytes.count + 32)
        file.write(raw: magic)
        file.write(fixed: version)
        file.write(fixed: UInt32(header.bytes.count))
        file.write(raw: header.bytes)
        file.write(fixed: UInt64(payload.bytes.count))
        file.write(raw: payload.bytes)
        file.write(fixed: CRC32.checksum(file.bytes))
        return file.bytes
    }

    /// Decodes and verifies a snapshot file's bytes: the checksum first, then the structure.
    public static func decode(_ bytes: [UInt8]) throws(Damage) -> Snapshot {
        guard bytes.count >= magic.count + 4 + 4 + 8 + 4, Array(bytes.prefix(magic.count)) == magic else {
            throw Damage(description: "not a snapshot file (bad magic or too short)")
        }
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        guard CRC32.checksum(bytes.dropLast(4)) == stored else {
            throw Damage(description: "checksum mismatch")
        }
        do {
            var reader = BinaryReader(bytes, offset: magic.count)
            let version = try reader.readFixedUInt32()
            guard Self.readableVersions.contains(version) else { throw reader.failure("format version \(version) is not supported") }
            let headerLength = Int(try reader.readFixedUInt32())
            var header = BinaryReader(Array(try reader.readRaw(headerLength)))
            let createdAt: Timestamp = try header.read()
            let shardCount = try header.readCount()
            var layout: [(sequence: UInt64, length: Int)] = []
            for _ in 0..<shardCount {
                let sequence = try header.readVarint()
                let length = try header.readVarint()
                guard length < 1 << 40 else { throw header.failure("section length out of range") }
                layout.append((sequence, Int(length)))
            }
            let storedLength = try reader.readFixedUInt64()
            guard let payloadLength = Int(exactly: storedLength), payloadLength == reader.remaining - 4 else {
                throw reader.failure("payload length does not match the file")
            }
            let total = layout.reduce(0) { $0 + $1.length }
            // Output is reserved up front: a header claiming more than zlib can inflate the
            // payload to (at most 1032:1) is damage, not a size to allocate.
            guard total <= payloadLength * maximumInflation else {
                throw reader.failure("sections of \(total) bytes cannot come from a payload of \(payloadLength)")
            }
            var payload = BinaryReader(Array(try reader.readRaw(payloadLength)))
            let states = version >= 5
                ? try sectionsFromBlocks(&payload, lengths: layout.map(\.length))
                : try sectionsFromStream(&payload, lengths: layout.map(\.length))
            let sections = zip(layout, states).map { Section(sequence: $0.sequence, state: $1) }
            return Snapshot(version: version, createdAt: createdAt, sections: sections, compressedLength: payloadLength)
        } catch {
            throw Damage(description: "\(error)")
        }
    }

    /// Version 5 on: each section's blocks, inflated side by side, each into its place.
    private static func sectionsFromBlocks(_ payload: inout BinaryReader, lengths: [Int]) throws -> [[UInt8]] {
        var blocksOfSections: [[SnapshotPayloadBlock]] = []
        for length in lengths {
            var blocks: [SnapshotPayloadBlock] = []
            var covered = 0
            while covered < length {
                let block = try SnapshotPayloadBlock(from: &payload)
                guard block.length <= length - covered else { throw payload.failure("block runs past its section") }
                blocks.append(block)
                covered += block.length
            }
            blocksOfSections.append(blocks)
        }
        guard payload.isAtEnd else { throw payload.failure("bytes after the last section's blocks") }
        return try zip(lengths, blocksOfSections).map { length, blocks in
            try [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                // Each block writes only its own bytes of the section.
                nonisolated(unsafe) let section = UnsafeMutableRawBufferPointer(buffer)
                let offsets = blocks.reduce(into: [0]) { $0.append($0.last! + $1.length) }
                _ = try inParallel(blocks.count) { index in
                    try blocks[index].expand(into: UnsafeMutableRawBufferPointer(rebasing: section[offsets[index]..<offsets[index + 1]]))
                }
                initialized = length
            }
        }
    }

    /// Versions 1 to 4: one zlib stream of every section.
    private static func sectionsFromStream(_ payload: inout BinaryReader, lengths: [Int]) throws -> [[UInt8]] {
        var compressed = ByteBuffer(bytes: try payload.readRaw(payload.remaining))
        var uncompressed = ByteBuffer()
        let total = lengths.reduce(0, +)
        uncompressed.reserveCapacity(total)
        do {
            try compressed.decompress(to: &uncompressed, with: .zlib())
        } catch {
            throw payload.failure("payload does not decompress: \(error)")
        }
        guard uncompressed.readableBytes == total else { throw payload.failure("payload is \(uncompressed.readableBytes) bytes, header says \(total)") }
        return lengths.map { uncompressed.readBytes(length: $0)! }
    }

    /// Runs `body` for `0..<count` on the machine's cores; the results in index order, or the
    /// first error by index.
    private static func inParallel<Value: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> Value) throws -> [Value] {
        let results = Mutex<[Int: Result<Value, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result { try body(index) }
            results.withLock { $0[index] = result }
        }
        let done = results.withLock { $0 }
        return try (0..<count).map { try done[$0]!.get() }
    }

    /// Decodes every section into a shard state, the sections side by side on the machine's
    /// cores: shards share nothing, and rebuilding their tables is most of a restore's time.
    public static func states(of snapshot: Snapshot) throws(Damage) -> [ShardState] {
        let decoded = Mutex<[Int: Result<ShardState, Damage>]>([:])
        DispatchQueue.concurrentPerform(iterations: snapshot.sections.count) { index in
            let result = Result { () throws(Damage) in try state(of: snapshot.sections[index], shard: index, version: snapshot.version) }
            decoded.withLock { $0[index] = result }
        }
        let results = decoded.withLock { $0 }
        return try snapshot.sections.indices.map { (index) throws(Damage) in try results[index]!.get() }
    }

    private static func state(of section: Section, shard index: Int, version: UInt32) throws(Damage) -> ShardState {
        var reader = BinaryReader(section.state, formatVersion: version)
        do {
            let state = try ShardState.decodeSnapshot(from: &reader)
            guard reader.isAtEnd else { throw reader.failure("trailing bytes") }
            return state
        } catch {
            throw Damage(description: "shard \(index): \(error)")
        }
    }
}
