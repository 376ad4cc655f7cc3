import Foundation
import Logging
@testable import SendPromptlyCore
@testable import SendPromptlyStorage
import Synchronization
import XCTest

/// `JournalWriter.flush(through:)`, which a snapshot waits on before its file is written: the
/// records it covers must be in the segment file, synced, whatever the durability setting.
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
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(JournalFormat.prefix) }
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

    func testFlushThroughWhatIsAlreadySyncedReturns() async throws {
        let journal = try journal(.fsync)
        defer { journal.close() }
        let sequence = journal.append(shard: 0, at: Timestamp(millisecondsSinceEpoch: 1_000), .advance)
        try await journal.waitUntilDurable(sequence)
        try await flush(journal, through: sequence)
        try await flush(journal, through: 0)
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
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(JournalFormat.prefix) }.sorted()
        XCTAssertEqual(names.count, 2, "\(names)")
        let sequences = try names.map { try JournalFormat.read(try FileIO.readAll(directory.appendingPathComponent($0).path)).records.map(\.sequence) }
        XCTAssertEqual(sequences, [[1], [2]])
    }
}
