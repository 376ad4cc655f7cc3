import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyEngine

/// Appends shard commands to the journal with group commit: requests hand their record to an
/// in-memory batch and wait; one writer thread writes the whole batch with one `write` and one
/// `fdatasync`, then wakes every request whose record that covered. The more requests arrive
/// during a sync, the more the next one carries.
///
/// The writer is a dedicated thread, not a task: `write` and `fsync` block, and blocking a
/// thread of Swift's cooperative pool would stall unrelated requests.
///
/// Segments are written into files zero-filled ahead of time (``preallocation`` bytes, made by
/// a background thread while the current segment fills): a commit that overwrites blocks the
/// file already has changes neither its size nor its block map, so `fdatasync` writes the
/// records alone, where an append also writes the inode (on this project's machines, half the
/// time and CPU of a commit). A reader takes zeros where a record would start as the end of the
/// segment. When no zero-filled file is ready, a segment is created empty and grows as it is
/// written, as every segment did before; the next batch after one is ready starts a new segment.
/// Under `fsync` a zero-filled segment is written with `O_DIRECT | O_DSYNC`
/// (``DirectSegmentWriter``): one `pwrite` per commit, durable when it returns.
///
/// If a write or `fsync` fails, nothing later can be promised: waiting requests fail (their
/// clients get `internal_error` and retry with the same `Idempotency-Key`), and the process
/// exits so that a restart recovers exactly what is durable. Acknowledged records are never
/// in doubt.
public final class JournalWriter: CommandJournal, @unchecked Sendable {
    public let durability: Durability
    private let directory: String
    private let shardCount: Int
    private let batchInterval: Duration
    private let logger: Logger
    /// Told how long each commit's sync took (the metrics' latency histogram): the `fdatasync`,
    /// or, for a segment written directly, the write that is its sync.
    private let syncObserver: (@Sendable (Duration) -> Void)?
    /// The size of a segment file zero-filled ahead; 0: segments grow as they are written.
    public let preallocation: Int
    private let sparePath: String
    /// Guards the state below. Every change is told with `broadcast()`: the writer, `close()`
    /// and the preparer's waiters all wait on it, and a `signal()` could wake the wrong one.
    private let condition = NSCondition()

    // Guarded by `condition`.
    private var pending: [UInt8] = []
    private var recordEncoder = JournalFormat.RecordEncoder()
    private var nextSequence: UInt64
    /// The last record as durable as the setting promises (written, under `none`).
    private var durableSequence: UInt64
    /// The last record written and synced, whatever the setting.
    private var syncedSequence: UInt64
    /// The last record a ``flush(through:)`` waits to see synced.
    private var flushRequested: UInt64 = 0
    private var rotationSequence: UInt64?
    /// How many bytes of `pending` belong to the segment before the rotation asked for.
    private var rotationOffset = 0
    private var segmentFirstSequence: UInt64
    /// The sequence of the first record in `pending`.
    private var pendingFirstSequence: UInt64 = 0
    private var spare = Spare.absent
    private var waiters: [Waiter] = []
    private var flushWaiters: [Waiter] = []
    private var stopping = false
    private var stopped = false
    private var failure: FileIO.Failure?

    private typealias Waiter = (sequence: UInt64, completion: @Sendable (Result<Void, any Error>) -> Void)

    /// The zero-filled file the next segment is made from.
    private enum Spare {
        case absent
        case preparing
        case ready
        /// Could not be made, or not with the space left: not tried again before the next rotation.
        case failed
    }

    // Owned by the writer thread.
    private var descriptor: Int32 = -1
    private var segmentPath = ""
    /// Bytes written to the segment, header included.
    private var segmentLength = 0
    /// The zero-filled size of the segment's file; 0 when it grows as it is written.
    private var segmentCapacity = 0
    /// Under `fsync`, a zero-filled segment's direct writer (``DirectSegmentWriter``): its
    /// writes are durable when they return, and `fdatasync` is not called.
    private var direct: DirectSegmentWriter?

    /// Opens a new segment starting at `nextSequence` and starts the writer thread. A
    /// zero-filled file is prepared once records are first written.
    public init(
        directory: String, shardCount: Int, nextSequence: UInt64, durability: Durability,
        batchInterval: Duration = .milliseconds(10), preallocation: Int = 16 << 20, logger: Logger,
        syncObserver: (@Sendable (Duration) -> Void)? = nil
    ) throws {
        self.directory = directory
        self.shardCount = shardCount
        self.nextSequence = nextSequence
        self.durableSequence = nextSequence - 1
        self.syncedSequence = nextSequence - 1
        self.segmentFirstSequence = nextSequence
        self.durability = durability
        self.batchInterval = batchInterval
        self.logger = logger
        self.syncObserver = syncObserver
        self.preallocation = preallocation
        self.sparePath = directory + "/" + JournalFormat.spareName
        // Left by a run that stopped while preparing it: it may not be whole.
        unlink(sparePath)
        try openSegment(startingAt: nextSequence)
        let thread = Thread { [self] in run() }
        thread.name = "journal-writer"
        thread.start()
    }

    public var lastSequence: UInt64 {
        condition.withLock { nextSequence - 1 }
    }

    public func append(shard: Int, at now: Timestamp, _ command: ShardCommand) -> UInt64 {
        condition.withLock {
            let sequence = nextSequence
            nextSequence += 1
            // Only the first record of a batch wakes the writer: while records are pending it has
            // been woken already, or is writing and takes them when it looks again. Waking it for
            // every record cost a context switch per request (in `batch` mode it would wake only
            // to wait out the rest of its interval).
            let wakesWriter = pending.isEmpty
            if wakesWriter { pendingFirstSequence = sequence }
            recordEncoder.append(sequence: sequence, shard: shard, at: now, command: command, to: &pending)
            if wakesWriter { condition.broadcast() }
            return sequence
        }
    }

    public func whenDurable(_ sequence: UInt64, _ completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        condition.lock()
        if let failure {
            condition.unlock()
            completion(.failure(failure))
        } else if durability != .fsync || durableSequence >= sequence {
            condition.unlock()
            completion(.success(()))
        } else {
            waiters.append((sequence, completion))
            condition.unlock()
        }
    }

    /// Returns once every record up to `sequence` is written and synced, whatever the
    /// durability setting (under `batch` without waiting for the interval to end); throws when
    /// it never will be (the journal failed).
    ///
    /// A snapshot calls it before its file is written: a snapshot on disk that covers records
    /// the journal lost in a crash would leave a gap in the journal's numbering after the next
    /// start, and the start after that would refuse the data directory.
    public func flush(through sequence: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            // A record not appended yet cannot be waited for: flushed as far as appended.
            let sequence = min(sequence, nextSequence - 1)
            if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else if stopped, syncedSequence < sequence {
                condition.unlock()
                continuation.resume(throwing: FileIO.Failure(description: "the journal is closed; record \(sequence) was appended after it"))
            } else if syncedSequence >= sequence {
                condition.unlock()
                continuation.resume()
            } else {
                flushWaiters.append((sequence, { continuation.resume(with: $0) }))
                flushRequested = max(flushRequested, sequence)
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// Starts a new segment for every record appended from now on.
    ///
    /// - Returns: the first sequence of the new segment; every earlier record lives in the
    ///   segments before it.
    public func rotate() -> UInt64 {
        condition.withLock {
            // A segment without records is already as new as a rotation would make it.
            guard nextSequence > segmentFirstSequence else { return segmentFirstSequence }
            if spare == .failed { spare = .absent }
            rotationSequence = nextSequence
            rotationOffset = pending.count
            segmentFirstSequence = nextSequence
            condition.broadcast()
            return nextSequence
        }
    }

    /// Writes and `fsync`s what is pending, then stops the writer and removes the zero-filled
    /// file prepared for the next segment. Appends after this are lost, so call it once nothing
    /// appends any more.
    public func close() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !stopped || spare == .preparing { condition.wait() }
        }
        unlink(sparePath)
    }

    private func run() {
        var lastSync = ContinuousClock.now
        var unsynced = false
        while true {
            condition.lock()
            waiting: while !stopping && rotationSequence == nil && flushRequested <= syncedSequence {
                let hasWork = !pending.isEmpty || unsynced
                switch durability {
                case .fsync, .none:
                    if !pending.isEmpty { break waiting }
                    condition.wait()
                case .batch:
                    // Gather for a whole interval, then write and fsync together.
                    let remaining = lastSync + batchInterval - ContinuousClock.now
                    if hasWork && remaining <= .zero { break waiting }
                    if hasWork {
                        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
                        _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                    } else {
                        condition.wait()
                    }
                }
            }
            let batch = pending
            pending = []
            pending.reserveCapacity(batch.count)
            let covered = nextSequence - 1
            var rotation = rotationSequence
            // Records appended after `rotate()` belong to the new segment.
            var split = rotation == nil ? batch.count : rotationOffset
            if rotation == nil, !batch.isEmpty, spare == .ready, segmentCapacity == 0 || segmentLength + batch.count > segmentCapacity {
                // The current segment is full, or grows as it is written: the batch starts one
                // made from the zero-filled file.
                rotation = pendingFirstSequence
                split = 0
                segmentFirstSequence = pendingFirstSequence
            }
            rotationSequence = nil
            let stop = stopping
            let mustSync = durability != .none || stop || flushRequested > syncedSequence
            condition.unlock()

            do {
                if split > 0 {
                    try write(batch[..<split])
                    unsynced = true
                }
                if unsynced && (mustSync || rotation != nil) {
                    try syncRecords()
                    unsynced = false
                }
                if let rotation {
                    closeSegment()
                    try openSegment(startingAt: rotation)
                    if split < batch.count {
                        try write(batch[split...])
                        unsynced = true
                        if mustSync {
                            try syncRecords()
                            unsynced = false
                        }
                    }
                }
                lastSync = ContinuousClock.now
            } catch let error as FileIO.Failure {
                fail(error)
                return
            } catch {
                fail(FileIO.Failure(description: "\(error)"))
                return
            }
            finish(upTo: covered, synced: !unsynced)
            if !batch.isEmpty { prepareSpareIfNeeded() }
            if stop {
                closeSegment()
                condition.withLock {
                    stopped = true
                    condition.broadcast()
                }
                return
            }
        }
    }

    /// Syncs the segment's records (``FileIO/syncAppended(_:path:)``), timed for ``syncObserver``;
    /// nothing to do when the segment is written directly.
    private func syncRecords() throws {
        guard direct == nil else { return }
        let started = ContinuousClock.now
        try FileIO.syncAppended(descriptor, path: segmentPath)
        syncObserver?(ContinuousClock.now - started)
    }

    /// Settles the waiters that the batch up to `sequence` satisfies: every one waiting for
    /// that record to be durable, and, when the batch was synced, every flush through it.
    private func finish(upTo sequence: UInt64, synced: Bool) {
        let ready: [Waiter] = condition.withLock {
            durableSequence = max(durableSequence, sequence)
            if synced { syncedSequence = max(syncedSequence, sequence) }
            return Self.take(upTo: durableSequence, from: &waiters) + Self.take(upTo: syncedSequence, from: &flushWaiters)
        }
        for waiter in ready { waiter.completion(.success(())) }
    }

    /// Removes and returns the waiters for records up to `sequence` (they register in any
    /// order, not in the order of their sequences).
    private static func take(upTo sequence: UInt64, from waiters: inout [Waiter]) -> [Waiter] {
        let ready = waiters.filter { $0.sequence <= sequence }
        if !ready.isEmpty { waiters.removeAll { $0.sequence <= sequence } }
        return ready
    }

    private func fail(_ error: FileIO.Failure) {
        logger.critical("journal failed; exiting so that a restart recovers what is durable", metadata: ["error": "\(error)"])
        let waiting: [Waiter] = condition.withLock {
            failure = error
            stopped = true
            condition.broadcast()
            defer { waiters = []; flushWaiters = [] }
            return waiters + flushWaiters
        }
        for waiter in waiting { waiter.completion(.failure(error)) }
        exit(70)
    }

    private func write(_ records: ArraySlice<UInt8>) throws {
        if let direct {
            // The write is the commit: timed as the `fdatasync` it replaces.
            let started = ContinuousClock.now
            try direct.write(records)
            syncObserver?(ContinuousClock.now - started)
        } else {
            try FileIO.writeAll(descriptor, Array(records), path: segmentPath)
        }
        segmentLength += records.count
    }

    /// Opens the segment whose first record is `sequence`: the zero-filled file when one is
    /// ready (its header written and synced before it takes the segment's name, so that a
    /// segment never lacks a whole header), otherwise a new, empty file.
    private func openSegment(startingAt sequence: UInt64) throws {
        segmentPath = directory + "/" + FileIO.name(prefix: JournalFormat.prefix, sequence: sequence, suffix: JournalFormat.suffix)
        let header = JournalFormat.header(shardCount: shardCount, firstSequence: sequence)
        let fromSpare = condition.withLock {
            guard spare == .ready else { return false }
            spare = .absent
            return true
        }
        if fromSpare {
            descriptor = try FileIO.openForOverwrite(sparePath)
            try FileIO.writeAll(descriptor, header, path: sparePath)
            try FileIO.syncAppended(descriptor, path: sparePath)
            try FileIO.rename(sparePath, to: segmentPath)
            segmentCapacity = preallocation
            if durability == .fsync {
                direct = DirectSegmentWriter(path: segmentPath, written: header)
                if direct == nil {
                    logger.notice("journal segment written through the page cache: direct writes refused here", metadata: ["path": "\(segmentPath)"])
                }
            }
        } else {
            descriptor = try FileIO.create(segmentPath)
            try FileIO.writeAll(descriptor, header, path: segmentPath)
            try FileIO.sync(descriptor, path: segmentPath)
            segmentCapacity = 0
        }
        try FileIO.syncDirectory(directory)
        segmentLength = header.count
    }

    /// Closes the segment, cutting off the zeros it did not use (a segment cut or not reads
    /// the same, so a failure to cut is no failure).
    private func closeSegment() {
        direct = nil
        if segmentLength < segmentCapacity { _ = ftruncate(descriptor, off_t(segmentLength)) }
        Glibc.close(descriptor)
    }

    /// Returns true once a zero-filled file is ready for the next segment or could not be made,
    /// false if neither happened within `timeout` (tests: the writer starts preparing one only
    /// after it has answered a batch, so a test that must see the next batch start a
    /// zero-filled segment waits for this after a batch).
    func waitUntilSpareSettles(within timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        return condition.withLock {
            while spare != .ready && spare != .failed {
                guard condition.wait(until: deadline) else { return false }
            }
            return true
        }
    }

    /// Starts preparing the zero-filled file of the next segment on a thread of its own, unless
    /// one is ready or being prepared: writing its megabytes would hold up the commits.
    ///
    /// Not while the file system has less than four times that free: the megabytes of zeros
    /// must never take the space the journal's own appends (and the snapshots) need, or a nearly
    /// full disk would fail a commit, and the process with it, sooner than without them. It is
    /// tried again after the next rotation; each time it is not, a warning says so (at most one
    /// per segment: the operator learns the disk is filling before a commit fails).
    private func prepareSpareIfNeeded() {
        // Only this thread moves the spare out of `absent`, so asking the file system outside
        // the lock (which every append takes) decides on the state it saw.
        guard preallocation > 0, condition.withLock({ spare == .absent && !stopping }) else { return }
        let free = FileIO.freeBytes(in: directory)
        let roomy = free.map { $0 / 4 >= preallocation } == true
        if !roomy {
            logger.warning(
                "disk nearly full: the next journal segment is not prepared ahead; segments grow as they are written",
                metadata: ["free_bytes": "\(free.map(String.init) ?? "unknown")", "needs_bytes": "\(4 * preallocation)", "directory": "\(directory)"])
        }
        condition.withLock {
            spare = roomy ? .preparing : .failed
            condition.broadcast()
        }
        guard roomy else { return }
        let thread = Thread { [self] in
            let outcome: Spare
            do {
                try FileIO.createZeroFilled(sparePath, length: preallocation)
                outcome = .ready
            } catch {
                logger.warning("could not prepare the next journal segment; segments grow as they are written", metadata: ["error": "\(error)"])
                unlink(sparePath)
                outcome = .failed
            }
            condition.withLock {
                spare = outcome
                condition.broadcast()
            }
        }
        thread.name = "journal-preallocator"
        thread.start()
    }
}
