import SendPromptlyCore

/// The journal on disk: segment files `journal-<first sequence>.log` in the data directory.
///
/// A segment starts with a header: the magic `SPJRNL01`, the format version (u32 LE), the
/// shard count (u32 LE) and the first record's sequence (u64 LE). Records follow, each
/// `[payload length u32 LE][CRC-32 of payload u32 LE][payload]`, the payload being the record's
/// sequence (varint), shard (varint), instant (zigzag varint milliseconds) and the command
/// (`ShardCommand`'s binary form). Sequences increase by one across all segments.
///
/// Version 2 (2026-12-01) adds only this: a segment's file may go on with zeros after its last
/// record (written ahead, so that appending changes no file size), and zeros from where a
/// record would start to the end of the file end the segment. A record never starts with a zero
/// length, so no record is taken for them. Version 1 segments are read as before (zeros there
/// are damage); a reader that knows only version 1 refuses a version 2 segment by its version
/// rather than calling its zeros damage.
public enum JournalFormat {
    public static let magic = Array("SPJRNL01".utf8)
    public static let version: UInt32 = 2
    /// The versions this reader reads.
    static let readableVersions: ClosedRange<UInt32> = 1...2
    public static let headerLength = 8 + 4 + 4 + 8
    public static let prefix = "journal-"
    public static let suffix = ".log"
    /// The zero-filled file the next segment is made from (``JournalWriter``): not a segment
    /// until it is renamed to one, and named so that no listing of segments finds it.
    static let spareName = ".journal-next.tmp"
    /// A record larger than this is corruption, not a command.
    static let maximumPayload = 1 << 24
    /// The shard counts a data directory can be written with (`serve --shards`); a header
    /// outside them is damage, not a layout to allocate shards for.
    public static let shardCounts: ClosedRange<Int> = 1...1024

    /// A record's frame: where it is and what it is about. Its command is decoded only when
    /// recovery needs it (most records of a long journal are already in the snapshot).
    public struct Record: Sendable {
        public let sequence: UInt64
        public let shard: Int
        public let at: Timestamp
        let command: Range<Int>
    }

    static func header(shardCount: Int, firstSequence: UInt64) -> [UInt8] {
        var writer = BinaryWriter(capacity: headerLength)
        writer.write(raw: magic)
        writer.write(fixed: version)
        writer.write(fixed: UInt32(shardCount))
        writer.write(fixed: firstSequence)
        return writer.bytes
    }

    /// Appends records to a batch in the journal's framing (length, CRC-32, payload), reusing
    /// one payload buffer: once it has grown to the largest record, a record costs no
    /// allocation (a payload and a frame of their own cost three or four per record, most of
    /// them regrowing the payload, and ran under the journal's lock).
    struct RecordEncoder {
        private var payload = BinaryWriter(capacity: 512)

        mutating func append(sequence: UInt64, shard: Int, at now: Timestamp, command: ShardCommand, to output: inout [UInt8]) {
            payload.removeAll()
            payload.write(varint: sequence)
            payload.write(varint: UInt64(shard))
            payload.write(now.millisecondsSinceEpoch)
            payload.write(command)
            let frame = (UInt32(payload.bytes.count).littleEndian, CRC32.checksum(payload.bytes).littleEndian)
            withUnsafeBytes(of: frame) { output.append(contentsOf: $0) }
            output.append(contentsOf: payload.bytes)
        }
    }

    /// One segment as read back: its header, its intact records, and where an incomplete or
    /// damaged record starts, if one does.
    public struct Segment {
        public let shardCount: Int
        public let firstSequence: UInt64
        public let records: [Record]
        /// The byte offset of the first record that is cut short or fails its checksum.
        public let damageOffset: Int?
        public let damage: String?
        let bytes: [UInt8]

        /// Decodes `record`'s command.
        public func command(of record: Record) throws(BinaryDecodingError) -> ShardCommand {
            var reader = BinaryReader(bytes, offset: record.command.lowerBound)
            let command = try reader.read(ShardCommand.self)
            guard reader.offset == record.command.upperBound else { throw reader.failure("trailing bytes in record") }
            return command
        }
    }

    /// Reads a segment file's bytes, checking every record's frame and checksum; throws only
    /// when the header itself is unusable.
    public static func read(_ bytes: [UInt8]) throws(BinaryDecodingError) -> Segment {
        var reader = BinaryReader(bytes)
        guard Array(try reader.readRaw(magic.count)) == magic else { throw reader.failure("not a journal segment") }
        let version = try reader.readFixedUInt32()
        guard readableVersions.contains(version) else { throw reader.failure("journal format version \(version) is not supported") }
        let zerosEnd = version >= 2
        let shardCount = Int(try reader.readFixedUInt32())
        guard shardCounts.contains(shardCount) else { throw reader.failure("shard count \(shardCount) out of range") }
        let firstSequence = try reader.readFixedUInt64()
        // Sequences start at 1 and never reach UInt64.max: the arithmetic on them cannot wrap.
        guard firstSequence >= 1 else { throw reader.failure("first sequence 0") }
        var records: [Record] = []
        var expected = firstSequence
        while !reader.isAtEnd {
            let start = reader.offset
            // Stops at the first non-zero byte: for a record, at once.
            if zerosEnd && bytes[start...].allSatisfy({ $0 == 0 }) { break }
            func damaged(_ reason: String) -> Segment {
                Segment(
                    shardCount: shardCount, firstSequence: firstSequence, records: records, damageOffset: start,
                    damage: reason, bytes: bytes)
            }
            guard reader.remaining >= 8 else { return damaged("record header cut short") }
            let length = Int(try reader.readFixedUInt32())
            let checksum = try reader.readFixedUInt32()
            guard length <= maximumPayload, length <= reader.remaining else { return damaged("record cut short") }
            let payloadStart = reader.offset
            guard CRC32.checksum(try reader.readRaw(length)) == checksum else { return damaged("record checksum mismatch") }
            var payload = BinaryReader(bytes, offset: payloadStart)
            do {
                let sequence = try payload.readVarint()
                guard sequence == expected else { return damaged("sequence \(sequence) where \(expected) was expected") }
                guard sequence < .max else { return damaged("sequence \(sequence) out of range") }
                let shardNumber = try payload.readVarint()
                guard shardNumber < UInt64(shardCount) else { return damaged("shard \(shardNumber) out of range") }
                let shard = Int(shardNumber)
                let at = Timestamp(millisecondsSinceEpoch: try payload.readInt64())
                guard payload.offset <= payloadStart + length else { return damaged("record frame overruns its length") }
                records.append(Record(sequence: sequence, shard: shard, at: at, command: payload.offset..<(payloadStart + length)))
                expected += 1
            } catch {
                return damaged("record frame does not decode: \(error)")
            }
        }
        return Segment(shardCount: shardCount, firstSequence: firstSequence, records: records, damageOffset: nil, damage: nil, bytes: bytes)
    }

    /// Whether a whole record with a correct checksum follows the damage at `offset`. Then the
    /// damage is not a torn end (a crash only tears the last write) but corruption with
    /// records after it. Scans at most 64 KiB past the damage.
    public static func intactRecordFollows(_ bytes: [UInt8], damageAt offset: Int) -> Bool {
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let end = min(bytes.count - 8, offset + 65_536)
        guard offset + 1 <= end else { return false }
        for position in (offset + 1)...end {
            let length = Int(word(position))
            guard length > 0, length <= maximumPayload, position + 8 + length <= bytes.count else { continue }
            if CRC32.checksum(bytes[(position + 8)..<(position + 8 + length)]) == word(position + 4) { return true }
        }
        return false
    }
}
