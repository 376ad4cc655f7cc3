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
/// payload: zlib of the shard sections, in shard order
/// ```
/// (integers LE; the CRC-32 covers every byte before it.)
public enum SnapshotFormat {
    public static let magic = Array("SPSNAP01".utf8)
    /// The version of the file layout and of the engine's value encoding inside it. Version 1
    /// files are still read: their incidents have no alerts, and they hold no replays (they
    /// were written before reprocessing existed). Versions 1 and 2 hold events and idempotency
    /// records record by record, version 3 column by column (`SnapshotColumns.swift`).
    public static let version: UInt32 = BinaryReader.currentFormatVersion
    public static let readableVersions: ClosedRange<UInt32> = 1...version
    /// zlib's largest compression ratio (its FAQ): no payload inflates to more than this many
    /// times its size.
    static let maximumInflation = 1032
    public static let prefix = "snapshot-"
    public static let suffix = ".snap"

    public struct Section: Sendable {
        /// Every journal record of this shard up to this sequence is in `state`.
        public let sequence: UInt64
        public let state: [UInt8]

        public init(sequence: UInt64, state: [UInt8]) {
            self.sequence = sequence
            self.state = state
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
        var uncompressed = ByteBuffer()
        uncompressed.reserveCapacity(sections.reduce(0) { $0 + $1.state.count })
        for section in sections {
            header.write(varint: section.sequence)
            header.write(varint: UInt64(section.state.count))
            uncompressed.writeBytes(section.state)
        }
        // The fastest level: a snapshot is written every minute, and level 1 compresses the
        // repetitive shard encoding nearly as well as the default at several times the speed.
        let compressed = try uncompressed.compress(with: .zlib(configuration: .init(compressionLevel: .fastestCompression)))
        var file = BinaryWriter(capacity: header.bytes.count + compressed.readableBytes + 32)
        file.write(raw: magic)
        file.write(fixed: version)
        file.write(fixed: UInt32(header.bytes.count))
        file.write(raw: header.bytes)
        file.write(fixed: UInt64(compressed.readableBytes))
        file.write(raw: compressed.readableBytesView)
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
            var compressed = ByteBuffer(bytes: try reader.readRaw(payloadLength))
            let total = layout.reduce(0) { $0 + $1.length }
            // The output buffer is reserved up front: a header claiming more than zlib can
            // inflate the payload to (at most 1032:1) is damage, not a size to allocate.
            guard total <= payloadLength * maximumInflation else {
                throw reader.failure("sections of \(total) bytes cannot come from a payload of \(payloadLength)")
            }
            var uncompressed = ByteBuffer()
            uncompressed.reserveCapacity(total)
            do {
                try compressed.decompress(to: &uncompressed, with: .zlib())
            } catch {
                throw reader.failure("payload does not decompress: \(error)")
            }
            guard uncompressed.readableBytes == total else { throw reader.failure("payload is \(uncompressed.readableBytes) bytes, header says \(total)") }
            var sections: [Section] = []
            for (sequence, length) in layout {
                sections.append(Section(sequence: sequence, state: uncompressed.readBytes(length: length)!))
            }
            return Snapshot(version: version, createdAt: createdAt, sections: sections, compressedLength: payloadLength)
        } catch {
            throw Damage(description: "\(error)")
        }
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
