import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyEngine

/// Writes snapshots of the engine, one shard at a time, and prunes what they make obsolete.
///
/// A snapshot never stops the whole engine: each shard is serialised inside its own actor turn
/// (a copy of its state in the snapshot format, current to the journal's last sequence at that
/// moment), then compression and the file write happen outside every shard. Ingest continues
/// on the other shards meanwhile, and on this one as soon as its bytes are copied.
///
/// The two newest snapshots are kept (the older one is the fallback if the newest is damaged),
/// and the journal segments that only hold records both of them contain are removed.
public actor SnapshotWriter {
    public struct Report: Sendable {
        public let name: String
        public let bytes: Int
        public let pendingReceipts: Int
        public let duration: Duration
    }

    private let directory: String
    private let engine: Engine
    private let journal: JournalWriter
    private let logger: Logger
    /// Told of every snapshot written (the metrics' duration and size).
    private let observer: (@Sendable (Report) -> Void)?
    private let keep = 2
    /// The journal sequence the newest snapshot on disk covers in every shard.
    private var newestCoverage: UInt64

    /// - Parameter coverage: what the newest snapshot on disk covers (the one recovery started
    ///   from; 0 when there is none).
    public init(
        directory: String, engine: Engine, journal: JournalWriter, coverage: UInt64, logger: Logger,
        observer: (@Sendable (Report) -> Void)? = nil
    ) {
        self.directory = directory
        self.engine = engine
        self.journal = journal
        self.newestCoverage = coverage
        self.logger = logger
        self.observer = observer
    }

    @discardableResult
    public func write() async throws -> Report {
        let started = ContinuousClock.now
        // Records from here on go to a new segment, so older segments can be removed once the
        // snapshots cover them.
        let boundary = journal.rotate()
        var sections: [SnapshotFormat.Section] = []
        for shard in engine.shards {
            let (sequence, state) = await shard.snapshot()
            sections.append(SnapshotFormat.Section(sequence: sequence, state: state.bytes, stretches: state.stretches))
        }
        let file = try SnapshotFormat.encode(sections, createdAt: engine.clock.now())
        let name = FileIO.name(prefix: SnapshotFormat.prefix, sequence: boundary, suffix: SnapshotFormat.suffix)
        try FileIO.writeAtomically(file, to: name, in: directory)
        // The snapshot before this one is now the oldest kept: the journal it covers can go.
        prune(keepingRecordsAfter: newestCoverage)
        newestCoverage = sections.map(\.sequence).min() ?? 0
        let report = Report(
            name: name, bytes: file.count, pendingReceipts: await engine.pendingReceiptCounts().reduce(0, +),
            duration: ContinuousClock.now - started)
        observer?(report)
        logger.info("snapshot written", metadata: [
            "file": "\(name)", "bytes": "\(report.bytes)", "duration": "\(report.duration)",
        ])
        return report
    }

    /// Removes snapshots beyond the newest `keep`, then every journal segment whose records
    /// all have sequences up to `covered` (what the oldest snapshot kept holds). A file that
    /// cannot be removed is left for the next time.
    private func prune(keepingRecordsAfter covered: UInt64) {
        let snapshots = FileIO.files(in: directory, prefix: SnapshotFormat.prefix, suffix: SnapshotFormat.suffix)
        for name in snapshots.dropLast(keep) {
            unlink(directory + "/" + name)
        }
        let segments = FileIO.files(in: directory, prefix: JournalFormat.prefix, suffix: JournalFormat.suffix)
        for (name, next) in zip(segments, segments.dropFirst()) {
            guard let nextStart = FileIO.sequence(inName: next, prefix: JournalFormat.prefix, suffix: JournalFormat.suffix),
                  nextStart - 1 <= covered
            else { break }
            unlink(directory + "/" + name)
        }
    }
}
