import CompressNIO
import NIOCore
@testable import SendPromptlyCore
@testable import SendPromptlyStorage
import XCTest

/// The payload's blocks (format version 5): each stretch compressed as its content pays for,
/// sections cut into blocks no longer than ``SnapshotFormat/blockLength``, older single-stream
/// payloads still read, and damaged blocks refused with a reason.
final class SnapshotBlocksTests: XCTestCase {
    func testEachStretchIsKeptAsItsContentPaysAndComesBackByteForByte() throws {
        var generator = SplitMix64(seed: 7)
        let random = (0..<40_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let text = (0..<60_000).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        var section = BinaryWriter()
        section.write(raw: [UInt8](repeating: 7, count: 50_000))
        var randomColumn = BinaryWriter(content: .random)
        randomColumn.write(raw: random)
        var textColumn = BinaryWriter(content: .text)
        textColumn.write(raw: text)
        var shortRandom = BinaryWriter(content: .random)
        shortRandom.write(raw: random.prefix(100))
        section.write(section: randomColumn)
        section.write(section: textColumn)
        section.write(section: shortRandom)
        section.write(raw: [UInt8](repeating: 9, count: 50_000))

        let file = try SnapshotFormat.encode(
            [SnapshotFormat.Section(sequence: 3, state: section.bytes, stretches: section.stretches)],
            createdAt: Timestamp(millisecondsSinceEpoch: 0))
        let plan = SnapshotPayloadBlock.plan(section.bytes.count, stretches: section.stretches)
        XCTAssertEqual(plan.map(\.content), [.structured, .random, .structured, .text, .structured])
        // Stored as they are: the random bytes appear in the file verbatim.
        XCTAssertNotNil(file.firstRange(of: random))
        // Text shrinks by entropy coding (62 symbols: about 6 bits of 8); structured runs vanish.
        XCTAssertLessThan(file.count, random.count + text.count * 8 / 10)
        let decoded = try SnapshotFormat.decode(file)
        XCTAssertEqual(decoded.sections.map(\.state), [section.bytes])
        XCTAssertEqual(decoded.sections.map(\.sequence), [3])
    }

    func testSectionsLongerThanABlockAreCutAndRejoined() throws {
        let long = (0..<(SnapshotFormat.blockLength * 2 + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }
        let sections = [
            SnapshotFormat.Section(sequence: 1, state: long),
            SnapshotFormat.Section(sequence: 2, state: []),
            SnapshotFormat.Section(sequence: 9, state: Array(long.prefix(1000))),
        ]
        XCTAssertEqual(SnapshotPayloadBlock.plan(long.count, stretches: []).map(\.range.count),
                       [SnapshotFormat.blockLength, SnapshotFormat.blockLength, 12_345])
        let decoded = try SnapshotFormat.decode(SnapshotFormat.encode(sections, createdAt: Timestamp(millisecondsSinceEpoch: 5)))
        XCTAssertEqual(decoded.sections.map(\.state), sections.map(\.state))
        XCTAssertEqual(decoded.sections.map(\.sequence), [1, 2, 9])
    }

    /// Files written before version 5 hold one zlib stream of every section.
    func testAVersionFourFileWithOneZlibStreamStillDecodes() throws {
        let shard = FuzzRegressionTests.emptyShard
        var stream = ByteBuffer(bytes: shard + shard)
        let compressed = try stream.compress(with: .zlib())
        let file = try FuzzRegressionTests.snapshotFile(
            sectionLengths: [UInt64(shard.count), UInt64(shard.count)], payload: Array(compressed.readableBytesView), version: 4)
        let snapshot = try SnapshotFormat.decode(file)
        XCTAssertEqual(snapshot.version, 4)
        XCTAssertEqual(snapshot.sections.map(\.state), [shard, shard])
        XCTAssertEqual(try SnapshotFormat.states(of: snapshot).count, 2)
    }

    func testDamagedBlocksAreRefusedWithAReason() throws {
        let shard = FuzzRegressionTests.emptyShard
        let length = UInt64(shard.count)
        func block(kind: UInt8, length: UInt64, bytes: [UInt8]) -> [UInt8] {
            var writer = BinaryWriter()
            writer.write(kind)
            writer.write(varint: length)
            writer.write(varint: UInt64(bytes.count))
            writer.write(raw: bytes)
            return writer.bytes
        }
        var zlibStream = ByteBuffer(bytes: shard)
        let zlibShard = Array(try zlibStream.compress(with: .zlib()).readableBytesView)
        let cases: [(payload: [UInt8], section: UInt64, reason: String)] = [
            (block(kind: 2, length: length, bytes: shard), length, "unknown block kind"),
            (block(kind: 0, length: length + 1, bytes: shard), length + 1, "cannot expand to"),
            (block(kind: 0, length: length - 1, bytes: Array(shard.dropLast())) + block(kind: 0, length: 2, bytes: [0, 0]), length,
             "block runs past its section"),
            (block(kind: 0, length: length, bytes: shard) + [0], length, "bytes after the last section's blocks"),
            (block(kind: 0, length: length - 1, bytes: Array(shard.dropLast())), length, "unexpected end"),
            // zlib output longer than the block says (inflated at most into the buffer's
            // capacity), and a stream cut short.
            (block(kind: 1, length: length - 1, bytes: zlibShard), length - 1, "its header says \(length - 1)"),
            (block(kind: 1, length: length, bytes: Array(zlibShard.prefix(zlibShard.count / 2))), length, "its header says \(length)"),
            (Array(block(kind: 0, length: length, bytes: shard).dropLast()), length, "exceeds the data"),
        ]
        for (payload, section, reason) in cases {
            let file = try FuzzRegressionTests.snapshotFile(sectionLengths: [section], payload: payload)
            XCTAssertThrowsError(try SnapshotFormat.decode(file), reason) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error) should say \(reason)")
            }
        }
        // The same shard in a well-formed stored block and in a zlib block decodes.
        for payload in [block(kind: 0, length: length, bytes: shard), block(kind: 1, length: length, bytes: zlibShard)] {
            let file = try FuzzRegressionTests.snapshotFile(sectionLengths: [length], payload: payload)
            XCTAssertEqual(try SnapshotFormat.decode(file).sections.map(\.state), [shard])
        }
    }
}
