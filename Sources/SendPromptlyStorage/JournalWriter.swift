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
    /// Told how long each `fsync` of records took (the metrics' latency histogram).
    private let syncObserver: (@Sendable (Duration) -> Void)?
    private let condition = NSCondition()

    // Guarded by `condition`.
    private var pending: [UInt8] = []
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
    private var waiters: [Waiter] = []
    private var flushWaiters: [Waiter] = []
    private var stopping = false
    private var stopped = false
    private var failure: FileIO.Failure?

    private typealias Waiter = (sequence: UInt64, completion: @Sendable (Result<Void, any Error>) -> Void)

    // Owned by the writer thread.
    private var descriptor: Int32 = -1
    private var segmentPath = ""

    /// Opens a new segment starting at `nextSequence` and starts the writer thread.
    public init(
        directory: String, shardCount: Int, nextSequence: UInt64, durability: Durability,
        batchInterval: Duration = .milliseconds(10), logger: Logger, syncObserver: (@Sendable (Duration) -> Void)? = nil
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
            JournalFormat.encode(sequence: sequence, shard: shard, at: now, command: command, into: &pending)
            if wakesWriter { condition.signal() }
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
            if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else if syncedSequence >= sequence {
                condition.unlock()
                continuation.resume()
            } else {
                flushWaiters.append((sequence, { continuation.resume(with: $0) }))
                flushRequested = max(flushRequested, sequence)
                condition.signal()
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
            rotationSequence = nextSequence
            rotationOffset = pending.count
            segmentFirstSequence = nextSequence
            condition.signal()
            return nextSequence
        }
    }

    /// Writes and `fsync`s what is pending, then stops the writer. Appends after this are lost,
    /// so call it once nothing appends any more.
    public func close() {
        condition.withLock {
            stopping = true
            condition.signal()
            while !stopped { condition.wait() }
        }
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
            let rotation = rotationSequence
            // Records appended after `rotate()` belong to the new segment.
            let split = rotation == nil ? batch.count : rotationOffset
            rotationSequence = nil
            let stop = stopping
            let mustSync = durability != .none || stop || flushRequested > syncedSequence
            condition.unlock()

            do {
                if split > 0 {
                    try FileIO.writeAll(descriptor, Array(batch[..<split]), path: segmentPath)
                    unsynced = true
                }
                if unsynced && (mustSync || rotation != nil) {
                    try syncRecords()
                    unsynced = false
                }
                if let rotation {
                    Glibc.close(descriptor)
                    try openSegment(startingAt: rotation)
                    if split < batch.count {
                        try FileIO.writeAll(descriptor, Array(batch[split...]), path: segmentPath)
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
            if stop {
                Glibc.close(descriptor)
                condition.withLock {
                    stopped = true
                    condition.broadcast()
                }
                return
            }
        }
    }

    /// Syncs the segment's records (``FileIO/syncAppended(_:path:)``), timed for ``syncObserver``.
    private func syncRecords() throws {
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

    private func openSegment(startingAt sequence: UInt64) throws {
        segmentPath = directory + "/" + FileIO.name(prefix: JournalFormat.prefix, sequence: sequence, suffix: JournalFormat.suffix)
        descriptor = try FileIO.create(segmentPath)
        try FileIO.writeAll(descriptor, JournalFormat.header(shardCount: shardCount, firstSequence: sequence), path: segmentPath)
        try FileIO.sync(descriptor, path: segmentPath)
        try FileIO.syncDirectory(directory)
    }
}
