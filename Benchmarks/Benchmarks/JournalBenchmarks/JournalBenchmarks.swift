import Benchmark
import BenchmarkSupport
import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyStorage

/// Journal appends under `--durability fsync`: a request's receipt is answered only once its
/// record has been through `fsync`. One iteration journals 64 records, the server's usual
/// number of concurrent clients, on a real file in a temporary directory:
///
/// - **group commit**: 64 concurrent appenders, one record each, each waiting until its record
///   is durable, as 64 requests do. The writer covers every record that arrived during an
///   `fsync` with the next one.
/// - **baseline, one fsync per record**: the same writer and records, appended one at a time,
///   each waited for before the next: what the journal costs without grouping.
///
/// Divide the figures by 64 for a record. Allocation counts depend on how records happen to
/// group, so they are reported but have no threshold; CI does not run this target.
let benchmarks: @Sendable () -> Void = {
    let configuration = SuiteMode.current.configured(
        Benchmark.Configuration(
            metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .microseconds,
            maxDuration: .seconds(5), maxIterations: 1_000))
    Benchmark("journal-64-records_group-commit", configuration: configuration) {
        (benchmark: Benchmark, journal: JournalFixture) in
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<JournalFixture.recordsPerIteration {
                group.addTask { try await journal.appendDurably() }
            }
            try await group.waitForAll()
        }
    } setup: {
        try JournalFixture()
    }
    Benchmark("journal-64-records_baseline_one-fsync-each", configuration: configuration) {
        (benchmark: Benchmark, journal: JournalFixture) in
        for _ in 0..<JournalFixture.recordsPerIteration {
            try await journal.appendDurably()
        }
    } setup: {
        try JournalFixture()
    }
}

/// A journal writer with `--durability fsync` on a fresh temporary directory, and the command
/// every append records: a receipt as the ingest route journals it.
final class JournalFixture: Sendable {
    static let recordsPerIteration = 64

    private let directory: String
    private let writer: JournalWriter
    private let command: ShardCommand
    private let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-journal-benchmark-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        writer = try JournalWriter(
            directory: directory, shardCount: 1, nextSequence: 1, durability: .fsync,
            logger: Logger(label: "journal-benchmark"))
        let project = BenchmarkProject()
        let (receipt, token) = BenchmarkProject.receipt(0)
        command = .receipt(project.project, project.access, receipt, token)
    }

    deinit {
        writer.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func appendDurably() async throws {
        try await writer.waitUntilDurable(writer.append(shard: 0, at: start, command))
    }
}
