import Foundation
import Logging
import SendPromptlyCore
import SendPromptlyEngine

/// Appends shard commands to the journal with group commit: requests hand their record to an
/// in-memory batch and wait; one writer thread writes the whole batch with one `write` and one
/// `fsync`, then wakes every request whose record that covered. The more requests arrive during
/// an `fsync`, the more the next one carries.
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
    private var durableSequence: UInt64
    private var rotationSequence: UInt64?
    /// How many bytes of `pending` belong to the segment before the rotation asked for.
    private var rotationOffset = 0
    private var segmentFirstSequence: UInt64
    private var waiters: [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var stopping = false
    private var stopped = false
    private var failure: FileIO.Failure?

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
            JournalFormat.encode(sequence: sequence, shard: shard, at: now, command: command, into: &pending)
            condition.signal()
            return sequence
        }
    }

    public func waitUntilDurable(_ sequence: UInt64) async throws {
        guard durability == .fsync else {
            if let failure = condition.withLock({ failure }) { throw failure }
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            if let failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else if durableSequence >= sequence {
                condition.unlock()
                continuation.resume()
            } else {
                waiters.append((sequence, continuation))
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
            waiting: while !stopping && rotationSequence == nil {
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
            condition.unlock()

            do {
                if split > 0 {
                    try FileIO.writeAll(descriptor, Array(batch[..<split]), path: segmentPath)
                    unsynced = true
                }
                if unsynced && (durability != .none || rotation != nil || stop) {
                    try syncRecords()
                    unsynced = false
                }
                if let rotation {
                    Glibc.close(descriptor)
                    try openSegment(startingAt: rotation)
                    if split < batch.count {
                        try FileIO.writeAll(descriptor, Array(batch[split...]), path: segmentPath)
                        unsynced = true
                        if durability != .none || stop {
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
            finish(upTo: covered)
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

    /// `fsync`s the segment's records, timed for ``syncObserver``.
    private func syncRecords() throws {
        let started = ContinuousClock.now
        try FileIO.sync(descriptor, path: segmentPath)
        syncObserver?(ContinuousClock.now - started)
    }

    private func finish(upTo sequence: UInt64) {
        let ready: [CheckedContinuation<Void, any Error>] = condition.withLock {
            durableSequence = max(durableSequence, sequence)
            let (done, waiting) = waiters.reduce(into: ([CheckedContinuation<Void, any Error>](), [(sequence: UInt64, continuation: CheckedContinuation<Void, any Error>)]())) {
                if $1.sequence <= durableSequence { $0.0.append($1.continuation) } else { $0.1.append($1) }
            }
            waiters = waiting
            return done
        }
        for continuation in ready { continuation.resume() }
    }

    private func fail(_ error: FileIO.Failure) {
        logger.critical("journal failed; exiting so that a restart recovers what is durable", metadata: ["error": "\(error)"])
        let waiting: [CheckedContinuation<Void, any Error>] = condition.withLock {
            failure = error
            stopped = true
            condition.broadcast()
            defer { waiters = [] }
            return waiters.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(throwing: error) }
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
