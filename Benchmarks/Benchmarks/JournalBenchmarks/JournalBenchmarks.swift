import Benchmark
import BenchmarkSupport
import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyStorage
import Synchronization

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
/// Divide the figures by 64 for a record.
///
/// Commits that gather (`CommitGathering`, `--commit-delay`): 32 clients in a closed loop, each
/// appending a record and waiting for it to be durable before its next, 256 records an
/// iteration, as the server's connections under load do; with the server's default (a busy
/// commit waits up to 250 µs for more records) against none. The custom metrics: `commits`, the
/// writes that made the records durable, and `process CPU µs`, the CPU time of every thread
/// (`CLOCK_PROCESS_CPUTIME_ID`; package-benchmark's `cpuTotal` counts in 10 ms ticks here).
///
/// Allocation counts depend on how records happen to group, so they are reported but have no
/// threshold; CI does not run this target.
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

    let closedLoop = SuiteMode.current.configured(
        Benchmark.Configuration(
            metrics: [.wallClock, .custom("commits"), .custom("process CPU µs")], timeUnits: .microseconds,
            maxDuration: .seconds(5), maxIterations: 1_000))
    for (name, gathering) in [("gathering-250us", CommitGathering.standard), ("baseline_no-gathering", .never)] {
        Benchmark("journal-32-clients-256-records_\(name)", configuration: closedLoop) {
            (benchmark: Benchmark, journal: JournalFixture) in
            let commitsBefore = journal.commits
            let cpuBefore = processCPUNanoseconds()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask { for _ in 0..<8 { try await journal.appendDurably() } }
                }
                try await group.waitForAll()
            }
            benchmark.measurement(.custom("process CPU µs"), (processCPUNanoseconds() - cpuBefore) / 1_000)
            benchmark.measurement(.custom("commits"), journal.commits - commitsBefore)
        } setup: {
            try JournalFixture(gathering: gathering)
        }
    }
}

/// A journal writer with `--durability fsync` on a fresh temporary directory, and the command
/// every append records: a receipt as the ingest route journals it.
final class JournalFixture: Sendable {
    static let recordsPerIteration = 64

    private let directory: String
    private let writer: JournalWriter
    private let command: ShardCommand
    private let commitCount = CommitCount()
    private let start = Timestamp(millisecondsSinceEpoch: 1_764_397_800_000)

    init(gathering: CommitGathering = .never) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-journal-benchmark-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        writer = try JournalWriter(
            directory: directory, shardCount: 1, nextSequence: 1, durability: .fsync, gathering: gathering,
            logger: Logger(label: "journal-benchmark"), syncObserver: { [commitCount] _ in commitCount.value.withLock { $0 += 1 } })
        let project = BenchmarkProject()
        let (receipt, token) = BenchmarkProject.receipt(0)
        command = .receipt(project.project, project.access, receipt, token)
    }

    deinit {
        writer.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The commits so far (the writes that made records durable).
    var commits: Int { commitCount.value.withLock { $0 } }

    func appendDurably() async throws {
        try await writer.waitUntilDurable(writer.append(shard: 0, at: start, command))
    }
}

/// Counts commits from the journal's writer thread for the benchmark's task.
private final class CommitCount: Sendable {
    let value = Mutex(0)
}

/// The CPU time of every thread of the process so far.
private func processCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}
