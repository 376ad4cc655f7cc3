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

    public init(
        directory: String, engine: Engine, journal: JournalWriter, logger: Logger, observer: (@Sendable (Report) -> Void)? = nil
    ) {
        self.directory = directory
        self.engine = engine
        self.journal = journal
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
        // The journal holds every record the snapshot covers before the snapshot is on disk.
        try await journal.flush(through: sections.map(\.sequence).max() ?? 0)
        let file = try SnapshotFormat.encode(sections, createdAt: engine.clock.now())
        let name = FileIO.name(prefix: SnapshotFormat.prefix, sequence: boundary, suffix: SnapshotFormat.suffix)
        try FileIO.writeAtomically(file, to: name, in: directory)
        prune()
        let report = Report(
            name: name, bytes: file.count, pendingReceipts: await engine.pendingReceiptCounts().reduce(0, +),
            duration: ContinuousClock.now - started)
        observer?(report)
        logger.info("snapshot written", metadata: [
            "file": "\(name)", "bytes": "\(report.bytes)", "duration": "\(report.duration)",
        ])
        return report
    }

    /// Removes snapshots beyond the newest `keep`, then every journal segment whose records the
    /// oldest snapshot kept holds. While fewer than `keep` snapshots exist, the journal stays
    /// whole: it is the fallback of the oldest one. A file that cannot be removed is left for
    /// the next time.
    ///
    /// What the oldest kept snapshot holds is read from its name, the journal's boundary when
    /// it was written (it holds every record before it, and perhaps a few after), not
    /// remembered: a snapshot written when nothing was journaled since the newest one has that
    /// one's name and replaces it, and the older snapshot, still kept, still needs its journal.
    private func prune() {
        let snapshots = FileIO.files(in: directory, prefix: SnapshotFormat.prefix, suffix: SnapshotFormat.suffix)
        for name in snapshots.dropLast(keep) {
            unlink(directory + "/" + name)
        }
        let kept = snapshots.suffix(keep)
        guard kept.count == keep, let oldestKept = kept.first,
              let boundary = FileIO.sequence(inName: oldestKept, prefix: SnapshotFormat.prefix, suffix: SnapshotFormat.suffix),
              boundary >= 1
        else { return }
        let covered = boundary - 1
        let segments = FileIO.files(in: directory, prefix: JournalFormat.prefix, suffix: JournalFormat.suffix)
        for (name, next) in zip(segments, segments.dropFirst()) {
            guard let nextStart = FileIO.sequence(inName: next, prefix: JournalFormat.prefix, suffix: JournalFormat.suffix),
                  nextStart - 1 <= covered
            else { break }
            unlink(directory + "/" + name)
        }
    }
}
