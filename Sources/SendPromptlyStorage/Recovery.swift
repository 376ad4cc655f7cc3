import Foundation
import Logging
import SendPromptlyCore

/// Rebuilds the engine's state on start: the newest snapshot whose checksum holds, then the
/// journal after it.
///
/// - A torn last record (the process died mid-write) is cut off and logged.
/// - A damaged snapshot is reported by name and the previous one, with the longer journal, is
///   used instead.
/// - When nothing consistent exists (a damaged record before the end of the journal, a
///   missing stretch of journal, a record that no longer applies), recovery refuses with the
///   damaged file's name: the server never starts empty over existing data.
public enum Recovery {
    public struct Recovered {
        public let states: [ShardState]
        /// The sequence the journal continues with.
        public let nextSequence: UInt64
        public let snapshot: String?
        public let replayedRecords: Int
        public let notes: [String]
        /// The latest instant the recovered state saw: its snapshot's, or its last record's. A
        /// clock the engine continues with must not answer earlier (``WallClock/hold(atLeast:)``).
        public let newestInstant: Timestamp?
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameters:
    ///   - requested: the shard count for a new data directory; existing data keeps the count
    ///     it was written with. Nil takes whatever the data has.
    ///   - retention: what the shards keep, installed before the journal replays: the run that
    ///     wrote the journal removed finished events and forgot idempotency keys by it.
    public static func recover(
        directory: String, shardCount requested: Int?, now: Timestamp, retention: RetentionPolicy = .standard, logger: Logger
    ) throws(Failure) -> Recovered {
        var notes: [String] = []
        func note(_ text: String) {
            notes.append(text)
            logger.warning("\(text)")
        }

        let started = ContinuousClock.now
        let (segments, tornTail) = try readJournal(directory: directory, note: note)
        let journalRead = ContinuousClock.now
        let journalStart = segments.first?.segment.firstSequence
        let lastRecord = segments.last.map { $0.segment.firstSequence + UInt64($0.segment.records.count) - 1 }

        // The newest snapshot that decodes and that the journal continues.
        var chosen: (name: String, snapshot: SnapshotFormat.Snapshot, states: [ShardState])?
        var damaged: [String] = []
        for name in FileIO.files(in: directory, prefix: SnapshotFormat.prefix, suffix: SnapshotFormat.suffix).reversed() {
            do {
                let snapshot = try SnapshotFormat.decode(try FileIO.readAll(directory + "/" + name))
                let states = try SnapshotFormat.states(of: snapshot)
                let oldestCut = snapshot.sections.map(\.sequence).min() ?? 0
                if let journalStart, journalStart > oldestCut + 1, let lastRecord, lastRecord > oldestCut {
                    damaged.append(name)
                    note("snapshot \(name) is older than the journal (which starts at record \(journalStart)); trying an earlier one")
                    continue
                }
                chosen = (name, snapshot, states)
                break
            } catch {
                damaged.append(name)
                note("snapshot \(name) is damaged (\(error)); falling back to the previous snapshot and a longer journal")
            }
        }

        let states: [ShardState]
        let cuts: [UInt64]
        if let chosen {
            states = chosen.states
            cuts = chosen.snapshot.sections.map(\.sequence)
        } else {
            if !damaged.isEmpty, let journalStart, journalStart > 1 {
                throw Failure(description: "snapshot \(damaged.joined(separator: ", ")) in \(directory) is damaged and the journal no longer reaches back to the first record; restore the data directory from a backup")
            }
            if !damaged.isEmpty, journalStart == nil {
                throw Failure(description: "snapshot \(damaged.joined(separator: ", ")) in \(directory) is damaged and there is no journal to rebuild from; restore the data directory from a backup")
            }
            let count = segments.first?.segment.shardCount ?? requested ?? 1
            let start = segments.first?.segment.records.first?.at ?? now
            states = (0..<count).map { ShardState.initial(shard: $0, now: start) }
            cuts = Array(repeating: 0, count: count)
        }
        if let requested, states.count != requested {
            note("the data was written with \(states.count) shards; keeping \(states.count) (--shards \(requested) applies to a new data directory)")
        }

        for state in states { state.retention = retention }
        let snapshotRead = ContinuousClock.now
        var replayed = 0
        for (name, segment) in segments {
            guard segment.shardCount == states.count else {
                throw Failure(description: "journal segment \(name) was written with \(segment.shardCount) shards but the snapshot has \(states.count)")
            }
            for record in segment.records where record.sequence > cuts[record.shard] {
                do {
                    _ = try states[record.shard].apply(try segment.command(of: record), now: record.at)
                    _ = states[record.shard].takeEffects()
                } catch {
                    throw Failure(description: "journal record \(record.sequence) in \(directory)/\(name) does not apply (\(error)); the data directory is inconsistent")
                }
                replayed += 1
            }
        }
        let finished = ContinuousClock.now
        logger.info("recovery timings", metadata: [
            "journal_read": "\(journalRead - started)", "snapshot_restore": "\(snapshotRead - journalRead)",
            "replay": "\(finished - snapshotRead)",
        ])
        // Only now that everything else holds: a refused recovery leaves the files as found.
        if let tornTail {
            do { try FileIO.truncate(tornTail.path, to: tornTail.offset) } catch { throw Failure(description: "\(error)") }
        }
        let nextSequence = max(lastRecord ?? 0, cuts.max() ?? 0) + 1
        return Recovered(
            states: states, nextSequence: nextSequence, snapshot: chosen?.name,
            replayedRecords: replayed, notes: notes,
            newestInstant: [chosen?.snapshot.createdAt, segments.last?.segment.records.last?.at].compactMap { $0 }.max())
    }

    /// Every segment in order, checked for continuity; a torn end of the last one is cut off.
    ///
    /// - Returns: the segments, and where the last one is to be cut (the caller cuts it once
    ///   recovery has succeeded).
    static func readJournal(
        directory: String, note: (String) -> Void
    ) throws(Failure) -> (segments: [(name: String, segment: JournalFormat.Segment)], tornTail: (path: String, offset: Int)?) {
        let names = FileIO.files(in: directory, prefix: JournalFormat.prefix, suffix: JournalFormat.suffix)
        var segments: [(name: String, segment: JournalFormat.Segment)] = []
        var tornTail: (path: String, offset: Int)?
        for (index, name) in names.enumerated() {
            let path = directory + "/" + name
            let isLast = index == names.count - 1
            let bytes: [UInt8]
            do { bytes = try FileIO.readAll(path) } catch { throw Failure(description: "\(error)") }
            let segment: JournalFormat.Segment
            do {
                segment = try JournalFormat.read(bytes)
            } catch {
                if isLast && bytes.count < JournalFormat.headerLength {
                    // Created, then the process died before its header was whole.
                    note("journal segment \(name) has an incomplete header; removed it")
                    unlink(path)
                    continue
                }
                throw Failure(description: "journal segment \(path) is damaged (\(error))")
            }
            if let offset = segment.damageOffset {
                guard isLast else {
                    throw Failure(description: "journal segment \(path) is damaged at byte \(offset) (\(segment.damage ?? "")) and later segments follow it")
                }
                guard !JournalFormat.intactRecordFollows(bytes, damageAt: offset) else {
                    throw Failure(description: "journal segment \(path) is damaged at byte \(offset) (\(segment.damage ?? "")) and intact records follow it")
                }
                note("journal segment \(name) ends with a torn record at byte \(offset) (\(segment.damage ?? "")); cut it off")
                tornTail = (path, offset)
            }
            if let previous = segments.last?.segment {
                let expected = previous.firstSequence + UInt64(previous.records.count)
                guard segment.firstSequence == expected else {
                    throw Failure(description: "journal segment \(path) starts at record \(segment.firstSequence) but \(expected) was expected: a segment is missing")
                }
            }
            segments.append((name, segment))
        }
        return (segments, tornTail)
    }
}
