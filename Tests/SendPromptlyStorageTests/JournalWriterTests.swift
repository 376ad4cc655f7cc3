import Foundation
import Logging
@testable import SendPromptlyCore
@testable import SendPromptlyStorage
import Synchronization
import XCTest

/// `JournalWriter.flush(through:)`, which a snapshot waits on before its file is written (the
/// records it covers must be in the segment file, synced, whatever the durability setting), and
/// segments written into files zero-filled ahead.
final class JournalWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func journal(_ durability: Durability) throws -> JournalWriter {
        // An hour between two `batch` syncs: only a flush can have written anything.
        try JournalWriter(
            directory: directory.path, shardCount: 1, nextSequence: 1, durability: durability,
            batchInterval: .seconds(3600), logger: Logger(label: "test"))
    }

    /// The sequences of the records in the only segment, as a reader of the file finds them now.
    private func sequencesOnDisk() throws -> [UInt64] {
        let names = try segmentNames()
        XCTAssertEqual(names.count, 1, "\(names)")
        let segment = try JournalFormat.read(try FileIO.readAll(directory.appendingPathComponent(names[0]).path))
        XCTAssertNil(segment.damage)
        return segment.records.map(\.sequence)
    }

    /// Awaits `flush(through:)`, failing the test if it has not returned within 30 seconds
    /// rather than hanging the suite.
    private func flush(_ journal: JournalWriter, through sequence: UInt64) async throws {
        let returned = expectation(description: "flush through \(sequence) returned")
        let failure = Mutex<(any Error)?>(nil)
        Task {
            do { try await journal.flush(through: sequence) } catch { failure.withLock { $0 = error } }
            returned.fulfill()
        }
        await fulfillment(of: [returned], timeout: 30)
        if let error = failure.withLock({ $0 }) { throw error }
    }

    func testFlushUnderBatchWritesWithoutWaitingForTheInterval() async throws {
        let journal = try journal(.batch)
        defer { journal.close() }
        for _ in 1...3 { _ = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance) }
        try await flush(journal, through: 3)
        XCTAssertEqual(try sequencesOnDisk(), [1, 2, 3])
    }

    func testFlushUnderNoneWritesAndSyncs() async throws {
        let journal = try journal(.none)
        defer { journal.close() }
        for _ in 1...5 { _ = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance) }
        try await flush(journal, through: 4)
        // Everything pending when the writer took its batch is written, not only up to 4.
        XCTAssertEqual(try sequencesOnDisk().prefix(4), [1, 2, 3, 4])
    }

    func testFlushThroughWhatIsAlreadySyncedOrNotAppendedReturns() async throws {
        let journal = try journal(.fsync)
        let sequence = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        try await journal.waitUntilDurable(sequence)
        try await flush(journal, through: sequence)
        try await flush(journal, through: 0)
        // Past the last record appended: flushed as far as appended.
        try await flush(journal, through: sequence + 1_000)
        journal.close()
        // After close, a record appended then will never be synced: the flush says so.
        let late = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        do {
            try await journal.flush(through: late)
            XCTFail("a flush through a record appended after close returned")
        } catch {
            XCTAssertTrue("\(error)".contains("closed"), "\(error)")
        }
        XCTAssertEqual(try sequencesOnDisk(), [1])
    }

    /// A rotation asked for before the flush: the records on either side of it are synced, in
    /// their own segments.
    func testFlushAcrossARotationSyncsBothSegments() async throws {
        let journal = try journal(.batch)
        defer { journal.close() }
        _ = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        XCTAssertEqual(journal.rotate(), 2)
        _ = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        try await flush(journal, through: 2)
        let names = try segmentNames()
        XCTAssertEqual(names.count, 2, "\(names)")
        let sequences = try names.map { try JournalFormat.read(try FileIO.readAll(directory.appendingPathComponent($0).path)).records.map(\.sequence) }
        XCTAssertEqual(sequences, [[1], [2]])
    }

    // MARK: Segments written into zero-filled files: the zeros after the last record end the
    // segment, full segments give way to new ones, and every record reads back, in order.

    private func segmentNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(JournalFormat.prefix) }.sorted()
    }

    private func read(_ name: String) throws -> (segment: JournalFormat.Segment, bytes: [UInt8]) {
        let bytes = try FileIO.readAll(directory.appendingPathComponent(name).path)
        return (try JournalFormat.read(bytes), bytes)
    }

    func testSegmentsFillZeroFilledFilesAndReadBackEveryRecordInOrder() async throws {
        let capacity = 4_096
        let journal = try JournalWriter(
            directory: directory.path, shardCount: 1, nextSequence: 1, durability: .fsync, preallocation: capacity,
            logger: Logger(label: "test"))
        var last: UInt64 = 0
        for _ in 0..<60 {
            for _ in 0..<10 { last = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance) }
            try await journal.waitUntilDurable(last)
            // The next batch finds the zero-filled file prepared after this one.
            XCTAssertTrue(journal.waitUntilSpareSettles(within: 30))
        }

        // While written: the newest segment is a zero-filled file whose zeros end it.
        let live = try XCTUnwrap(try segmentNames().last)
        let (open, openBytes) = try read(live)
        XCTAssertNil(open.damage)
        XCTAssertEqual(openBytes.count, capacity, "the segment being written is the zero-filled file")
        XCTAssertEqual(open.records.last?.sequence, last)

        journal.close()
        let names = try segmentNames()
        XCTAssertGreaterThan(names.count, 2, "600 records of about 17 bytes fill more than one 4 KiB file: \(names)")
        var expected: UInt64 = 1
        for name in names {
            let (segment, bytes) = try read(name)
            XCTAssertNil(segment.damage, name)
            XCTAssertEqual(segment.firstSequence, expected, name)
            XCTAssertEqual(segment.records.map(\.sequence), Array(expected..<(expected + UInt64(segment.records.count))), name)
            expected += UInt64(segment.records.count)
            XCTAssertNotEqual(bytes.last, 0, "\(name): unused zeros are cut off when a segment is closed")
        }
        XCTAssertEqual(expected - 1, last)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent(JournalFormat.spareName).path))
    }

    /// Where the file system has less than four times a segment's size free, no segment is made
    /// ahead: the journal goes on in segments that grow as written, and a warning says why, once
    /// per segment rather than once per commit.
    func testANearlyFullDiskIsReportedOncePerSegmentAndTheJournalGoesOn() async throws {
        let warnings = WarningCapture()
        // No file system here has four times 2⁶⁰ bytes free.
        let journal = try JournalWriter(
            directory: directory.path, shardCount: 1, nextSequence: 1, durability: .fsync, preallocation: 1 << 60,
            logger: Logger(label: "test") { _ in warnings })
        var last: UInt64 = 0
        for _ in 0..<4 {
            last = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
            try await journal.waitUntilDurable(last)
            XCTAssertTrue(journal.waitUntilSpareSettles(within: 30))
        }
        XCTAssertEqual(warnings.messages.count, 1, "\(warnings.messages)")
        XCTAssertTrue(warnings.messages.first?.contains("disk nearly full") == true, "\(warnings.messages)")
        XCTAssertEqual(journal.rotate(), last + 1)
        last = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        try await journal.waitUntilDurable(last)
        XCTAssertTrue(journal.waitUntilSpareSettles(within: 30))
        XCTAssertEqual(warnings.messages.count, 2, "tried again, and reported again, for the next segment")
        journal.close()
        let segments = try segmentNames().map { try read($0).segment }
        XCTAssertEqual(segments.map { $0.records.map(\.sequence) }, [[1, 2, 3, 4], [5]])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent(JournalFormat.spareName).path))
    }

    /// Whether this process holds `path` open with `O_DIRECT` and `O_DSYNC` (the flags in
    /// `/proc/self/fdinfo`).
    private func isOpenDirectly(_ path: String) throws -> Bool {
        let direct = Int(try XCTUnwrap(DirectSegmentWriter.directFlag, "direct writes on this platform"))
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)")) == path,
                let info = try? String(contentsOfFile: "/proc/self/fdinfo/\(entry)", encoding: .utf8),
                let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
                let value = Int(flags.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8)
            else { continue }
            if value & direct != 0, value & Int(O_DSYNC) != 0 { return true }
        }
        return false
    }

    /// Under `fsync` a zero-filled segment is written with `O_DIRECT | O_DSYNC`, each commit
    /// writing again the block that holds the segment's end: after every commit, every record
    /// so far must read back, whatever blocks the commits began and ended in, for batches from
    /// one record to several blocks (past the writer's first buffer of 16 KiB), and once the
    /// segment is closed, cut back to its records.
    func testDirectWritesLeaveEveryRecordReadableAfterEachCommitAcrossBlocks() async throws {
        let journal = try JournalWriter(
            directory: directory.path, shardCount: 1, nextSequence: 1, durability: .fsync, preallocation: 64 << 10,
            logger: Logger(label: "test"))
        defer { journal.close() }
        // The first segment after a start grows as written; the next one is zero-filled.
        var last = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        try await journal.waitUntilDurable(last)
        let first = try XCTUnwrap(try segmentNames().last)
        XCTAssertEqual(try read(first).segment.records.map(\.sequence), [1])
        XCTAssertTrue(journal.waitUntilSpareSettles(within: 30))
        let batchSizes = [1, 37, 5, 300, 2, 1_100, 36, 1, 250]  // `.advance` records are 17 bytes
        for batchSize in batchSizes + batchSizes.prefix(5) {
            for _ in 0..<batchSize { last = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance) }
            try await journal.waitUntilDurable(last)
            let names = try segmentNames()
            guard names.count == 2 else { return XCTFail("one growing segment, then one zero-filled: \(names)") }
            let (segment, bytes) = try read(names[1])
            XCTAssertNil(segment.damage)
            XCTAssertEqual(segment.records.first?.sequence, 2)
            XCTAssertEqual(segment.records.last?.sequence, last, "every record through the last commit reads back")
            XCTAssertEqual(bytes.count, 64 << 10, "written inside the zero-filled file")
        }
        let name = try segmentNames()[1]
        let path = directory.appendingPathComponent(name).resolvingSymlinksInPath().path
        XCTAssertTrue(try isOpenDirectly(path), "the zero-filled segment is written with O_DIRECT | O_DSYNC")

        journal.close()
        let (closed, bytes) = try read(name)
        XCTAssertNil(closed.damage)
        XCTAssertEqual(closed.records.map(\.sequence), Array(2...last))
        XCTAssertNotEqual(bytes.last, 0, "cut back to its records when closed")
    }

    func testZerosAfterTheLastRecordEndTheSegmentAndZerosBeforeDataAreDamage() throws {
        var bytes = JournalFormat.header(shardCount: 1, firstSequence: 7)
        var encoder = JournalFormat.RecordEncoder()
        for sequence in UInt64(7)...8 {
            encoder.append(sequence: sequence, shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), command: .advance, to: &bytes)
        }
        let end = bytes.count
        bytes += [UInt8](repeating: 0, count: 1_000)
        let whole = try JournalFormat.read(bytes)
        XCTAssertNil(whole.damage)
        XCTAssertEqual(whole.records.map(\.sequence), [7, 8])

        // A version 1 segment (written before segments were zero-filled) never ends in zeros:
        // there they are damage, as they always were.
        var versionOne = bytes
        versionOne.replaceSubrange(8..<12, with: [1, 0, 0, 0])
        XCTAssertEqual(try JournalFormat.read(versionOne).damageOffset, end)

        // Data after the zeros: not an end but damage where the zeros start.
        bytes[bytes.count - 1] = 1
        let damaged = try JournalFormat.read(bytes)
        XCTAssertEqual(damaged.damageOffset, end)
        XCTAssertEqual(damaged.records.map(\.sequence), [7, 8])
    }
}

/// Keeps the messages logged at `warning` and above.
private final class WarningCapture: LogHandler, @unchecked Sendable {
    private let logged = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { logged.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .warning { logged.withLock { $0.append("\(event.message)") } }
    }
}
