import Foundation
import Logging
@testable import SendPromptlyCore
@testable import SendPromptlyStorage
import XCTest

/// Damaged journal segments and snapshot files that made the readers trap, hang or try to
/// allocate terabytes (found by `Fuzz/`'s journal and snapshot targets; the inputs are also in
/// `Fuzz/Corpus/*/regression-*`). Each must now be refused with a reason.
final class FuzzRegressionTests: XCTestCase {
    // MARK: Journal

    /// `journal/regression-shard-count-out-of-range`: a header claiming 117 million shards made
    /// recovery build a shard state for each (the fuzzer's 10 s timeout). Now the header is
    /// damage, and recovery refuses with the segment's name.
    func testJournalHeaderWithImpossibleShardCountIsRefused() throws {
        for shardCount in [0, 1025, 0x0700_0002] {
            let segment = Self.header(shardCount: shardCount, firstSequence: 1)
            XCTAssertThrowsError(try JournalFormat.read(segment)) { error in
                XCTAssertTrue("\(error)".contains("shard count \(shardCount) out of range"), "\(error)")
            }
            try assertRecoveryRefuses(segment, saying: "is damaged")
        }
    }

    /// A first sequence of 0 (the journal starts at 1) made recovery compute the last record
    /// of an empty segment as 0 - 1.
    func testJournalHeaderWithFirstSequenceZeroIsRefused() throws {
        let segment = Self.header(shardCount: 1, firstSequence: 0)
        XCTAssertThrowsError(try JournalFormat.read(segment))
        try assertRecoveryRefuses(segment, saying: "first sequence 0")
    }

    /// A record whose shard number does not fit in an `Int` trapped in the conversion; one
    /// with sequence `UInt64.max` overflowed the next expected sequence. Both are damage at
    /// that record; as the last record of the journal it is a torn tail that recovery cuts off.
    func testJournalRecordWithOutOfRangeNumbersIsDamage() throws {
        let cases: [(firstSequence: UInt64, shard: UInt64, reason: String)] = [
            (1, UInt64(Int.max) + 1, "shard 9223372036854775808 out of range"),
            (1, 1, "shard 1 out of range"),
            (.max, 0, "sequence 18446744073709551615 out of range"),
        ]
        for (firstSequence, shard, reason) in cases {
            var segment = Self.header(shardCount: 1, firstSequence: firstSequence)
            segment += Self.record(sequence: firstSequence, shard: shard)
            let read = try JournalFormat.read(segment)
            XCTAssertEqual(read.records.count, 0)
            XCTAssertEqual(read.damageOffset, JournalFormat.headerLength)
            XCTAssertEqual(read.damage, reason)

            let directory = try Self.dataDirectory(with: segment)
            let recovered = try Recovery.recover(
                directory: directory, shardCount: nil, now: Timestamp(millisecondsSinceEpoch: 0), logger: Self.logger)
            XCTAssertEqual(recovered.replayedRecords, 0)
            XCTAssertTrue(recovered.notes.contains { $0.contains("torn record") && $0.contains(reason) }, "\(recovered.notes)")
        }
    }

    // MARK: Snapshot

    /// `snapshot/regression-payload-length-beyond-int`: a payload length of 2⁶⁴ - 5 trapped in
    /// the conversion to `Int`.
    func testSnapshotWithPayloadLengthBeyondIntIsDamage() throws {
        let file = try Self.snapshotFile(
            sectionLengths: [UInt64(Self.emptyShard.count)], payload: Self.compressedEmptyShard, payloadLength: .max - 4)
        XCTAssertThrowsError(try SnapshotFormat.decode(file)) { error in
            XCTAssertTrue("\(error)".contains("payload length does not match the file"), "\(error)")
        }
    }

    /// A header claiming sections far larger than the payload can inflate to made the decoder
    /// reserve that much memory before decompressing (up to 2⁴⁰ bytes per section).
    func testSnapshotClaimingMoreThanZlibCanInflateIsDamage() throws {
        let payload = Self.compressedEmptyShard
        let claimed = UInt64(payload.count * SnapshotFormat.maximumInflation + 1)
        let file = try Self.snapshotFile(sectionLengths: [claimed], payload: payload)
        XCTAssertThrowsError(try SnapshotFormat.decode(file)) { error in
            XCTAssertTrue("\(error)".contains("cannot come from a payload of \(payload.count)"), "\(error)")
        }
        // The same payload with its true length still decodes.
        let intact = try Self.snapshotFile(sectionLengths: [UInt64(Self.emptyShard.count)], payload: payload)
        XCTAssertEqual(try SnapshotFormat.states(of: SnapshotFormat.decode(intact)).count, 1)
    }

    // MARK: Building damaged files

    static let logger = Logger(label: "fuzz-regression") { _ in SwiftLogNoOpLogHandler() }

    static func header(shardCount: Int, firstSequence: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(raw: JournalFormat.magic)
        writer.write(fixed: JournalFormat.version)
        writer.write(fixed: UInt32(truncatingIfNeeded: shardCount))
        writer.write(fixed: firstSequence)
        return writer.bytes
    }

    /// A record framed and checksummed as the writer frames it, with an `advance` command.
    static func record(sequence: UInt64, shard: UInt64) -> [UInt8] {
        var payload = BinaryWriter()
        payload.write(varint: sequence)
        payload.write(varint: shard)
        payload.write(Int64(0))
        payload.write(ShardCommand.advance)
        var frame = BinaryWriter()
        frame.write(fixed: UInt32(payload.bytes.count))
        frame.write(fixed: CRC32.checksum(payload.bytes))
        return frame.bytes + payload.bytes
    }

    static func dataDirectory(with segment: [UInt8]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-regression-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = JournalFormat.prefix + "00000000000000000001" + JournalFormat.suffix
        try Data(segment).write(to: URL(fileURLWithPath: directory + "/" + name))
        return directory
    }

    func assertRecoveryRefuses(_ segment: [UInt8], saying text: String, line: UInt = #line) throws {
        let directory = try Self.dataDirectory(with: segment)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        XCTAssertThrowsError(
            try Recovery.recover(directory: directory, shardCount: nil, now: Timestamp(millisecondsSinceEpoch: 0), logger: Self.logger),
            line: line
        ) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
        }
    }

    static let emptyShard: [UInt8] = {
        var writer = BinaryWriter()
        ShardState.initial(shard: 0, now: Timestamp(millisecondsSinceEpoch: 1_790_000_000_000)).encodeSnapshot(to: &writer)
        return writer.bytes
    }()

    /// The zlib payload of a real one-shard snapshot, cut out of the file `encode` writes.
    static let compressedEmptyShard: [UInt8] = {
        let file = try! SnapshotFormat.encode(
            [SnapshotFormat.Section(sequence: 1, state: emptyShard)], createdAt: Timestamp(millisecondsSinceEpoch: 0))
        var reader = BinaryReader(file, offset: SnapshotFormat.magic.count + 4)
        let headerLength = Int(try! reader.readFixedUInt32())
        _ = try! reader.readRaw(headerLength)
        let payloadLength = Int(try! reader.readFixedUInt64())
        return Array(try! reader.readRaw(payloadLength))
    }()

    /// A snapshot file laid out as `SnapshotFormat` documents it, with a checksum that holds.
    static func snapshotFile(
        sectionLengths: [UInt64], payload: [UInt8], payloadLength: UInt64? = nil, version: UInt32 = SnapshotFormat.version
    ) throws -> [UInt8] {
        var header = BinaryWriter()
        header.write(Timestamp(millisecondsSinceEpoch: 0))
        header.write(varint: UInt64(sectionLengths.count))
        for length in sectionLengths {
            header.write(varint: 1)
            header.write(varint: length)
        }
        var file = BinaryWriter()
        file.write(raw: SnapshotFormat.magic)
        file.write(fixed: version)
        file.write(fixed: UInt32(header.bytes.count))
        file.write(raw: header.bytes)
        file.write(fixed: payloadLength ?? UInt64(payload.count))
        file.write(raw: payload)
        file.write(fixed: CRC32.checksum(file.bytes))
        return file.bytes
    }
}
