import Benchmark
import BenchmarkSupport
import SendPromptlyCore
import TimerBaselines

/// The timing wheel against an indexed 4-ary heap at 10³ to 10⁷ pending deadlines, due
/// between 1 s and 30 min ahead like the engine's receipts. Every iteration does 1,000
/// operations, so the figures the tool marks `*` are per operation. README.md has the numbers.
/// CI's allocation check runs 10³ only.
let benchmarks: @Sendable () -> Void = {
    let configuration = SuiteMode.current.configured(Benchmark.Configuration(
        // Throughput too, which the JMH export (the one with means) requires.
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    ))
    for pending in SuiteMode.current.sizes([1_000, 100_000, 1_000_000, 10_000_000], allocations: [1_000]) {
        registerInsertAndCancel(TimingWheel.self, named: "wheel", pending: pending, configuration: configuration)
        registerInsertAndCancel(IndexedQuaternaryHeap.self, named: "heap", pending: pending, configuration: configuration)
        registerExpiry(TimingWheel.self, named: "wheel", pending: pending, configuration: configuration)
        registerExpiry(IndexedQuaternaryHeap.self, named: "heap", pending: pending, configuration: configuration)
    }
}

/// One operation: cancel the entry scheduled longest ago and schedule it again. The queue holds
/// `pending` entries throughout, and each cancel removes an entry that has been in it for
/// `pending` operations, as a result arriving for an older receipt does.
func registerInsertAndCancel<Queue: TimerQueue>(
    _: Queue.Type, named name: String, pending: Int, configuration: Benchmark.Configuration
) {
    Benchmark("insert-cancel_n=\(pending)_\(name)", configuration: configuration) {
        (benchmark: Benchmark, state: InsertAndCancelState<Queue>) in
        for _ in benchmark.scaledIterations {
            state.cancelOldestAndScheduleItAgain()
        }
    } setup: {
        InsertAndCancelState<Queue>(pending: pending)
    }
}

/// One operation: one entry expiring. Each iteration moves time forward in 100 ms steps, the
/// way the engine's timer loop does, through the span in which the next 1,000 entries fall
/// due; that time includes the steps in which nothing is due. Before it, unmeasured, the
/// entries that expired last time are released and 1,000 more are scheduled behind the rest.
func registerExpiry<Queue: TimerQueue>(
    _: Queue.Type, named name: String, pending: Int, configuration: Benchmark.Configuration
) {
    Benchmark("expiry_n=\(pending)_\(name)", configuration: configuration) {
        (benchmark: Benchmark, state: ExpiryState<Queue>) in
        let batch = benchmark.scaledIterations.count
        state.replaceExpired(with: batch)
        benchmark.startMeasurement()
        state.expireNext(batch)
    } setup: {
        ExpiryState<Queue>(pending: pending)
    }
}

// MARK: - The structures under test

/// What the benchmarks need of a timer queue, so that the wheel and the heap run the same code.
/// An entry is what the caller keeps of a deadline: for the wheel a deadline and its handle
/// (the wheel stores the rest), for the heap the entry object the heap indexes.
protocol TimerQueue: AnyObject {
    associatedtype Entry
    static func make(startingAt now: Int64, capacity: Int) -> Self
    static func makeEntry(deadline: Int64) -> Entry
    func insert(_ entry: inout Entry)
    func remove(_ entry: Entry)
    /// Hands over every entry due at or before `now`, a multiple of the wheel's 100 ms tick, so
    /// that both structures expire the same entries.
    func expire(through now: Int64, _ expired: (Entry) -> Void)
}

/// A deadline in the wheel as the engine keeps one: its handle, and the deadline itself
/// (which the engine's event row holds), travelling as the payload so that expiry can hand it
/// back.
struct WheelEntry {
    let deadline: Int64
    var handle: TimerHandle?
}

extension TimingWheel: TimerQueue {
    static func make(startingAt now: Int64, capacity _: Int) -> TimingWheel {
        TimingWheel(tickMilliseconds: timerLoopPeriod, startingAt: now)
    }

    static func makeEntry(deadline: Int64) -> WheelEntry { WheelEntry(deadline: deadline) }

    func insert(_ entry: inout WheelEntry) {
        entry.handle = schedule(deadline: entry.deadline, payload: TimerPayload(owner: 0, high: UInt64(entry.deadline), low: 0))
    }

    func remove(_ entry: WheelEntry) {
        if let handle = entry.handle { cancel(handle) }
    }

    func expire(through now: Int64, _ expired: (WheelEntry) -> Void) {
        advance(to: now) { expired(WheelEntry(deadline: Int64($0.high))) }
    }
}

extension IndexedQuaternaryHeap: TimerQueue {
    static func make(startingAt _: Int64, capacity: Int) -> IndexedQuaternaryHeap {
        IndexedQuaternaryHeap(capacity: capacity)
    }

    static func makeEntry(deadline: Int64) -> HeapEntry { HeapEntry(deadline: deadline) }
    func insert(_ entry: inout HeapEntry) { schedule(entry) }
    func remove(_ entry: HeapEntry) { cancel(entry) }
}

// MARK: - Workloads

/// The engine's tick, and the period of its timer loop.
private let timerLoopPeriod: Int64 = 100
/// A tick boundary near the time of writing, in milliseconds since the epoch.
private let start: Int64 = 1_760_000_000_000
/// Deadlines lie this far ahead of the time they are scheduled at.
private let shortestDelay: Int64 = 1_000
private let longestDelay: Int64 = 30 * 60_000

/// `pending` entries due uniformly at random between 1 s and 30 min after the start, and the
/// order they were scheduled in. Time stands still.
final class InsertAndCancelState<Queue: TimerQueue> {
    private let queue: Queue
    private var entries: [Queue.Entry]
    /// Index in `entries` of the entry scheduled longest ago.
    private var oldest = 0

    init(pending: Int) {
        var generator = SplitMix64(seed: 1)
        queue = Queue.make(startingAt: start, capacity: pending)
        entries = (0..<pending).map { _ in
            Queue.makeEntry(deadline: start + Int64.random(in: shortestDelay...longestDelay, using: &generator))
        }
        for index in entries.indices { queue.insert(&entries[index]) }
    }

    func cancelOldestAndScheduleItAgain() {
        queue.remove(entries[oldest])
        queue.insert(&entries[oldest])
        oldest = oldest + 1 == entries.count ? 0 : oldest + 1
    }
}

/// A queue whose entries fall due at an even rate, `pending` of them over 30 minutes, so that it
/// holds between `pending` and `pending` plus one batch at any time.
final class ExpiryState<Queue: TimerQueue> {
    private let queue: Queue
    private let pending: Int
    private var generator = SplitMix64(seed: 2)
    private var now = start
    /// Entries created so far; entry `i` is due at ``deadline(ofEntry:)``.
    private var created = 0
    /// Entries that time has been advanced past so far.
    private var passed = 0
    /// What the last batch expired, kept so that releasing it happens outside the measurement.
    private var expired: [Queue.Entry] = []

    init(pending: Int) {
        self.pending = pending
        queue = Queue.make(startingAt: start, capacity: 2 * pending)
        schedule(pending)
    }

    /// Releases the entries that expired last time and schedules `count` more behind the rest.
    func replaceExpired(with count: Int) {
        expired.removeAll(keepingCapacity: true)
        expired.reserveCapacity(2 * count)
        schedule(count)
    }

    /// Moves time forward one tick at a time until the next `count` entries are due.
    func expireNext(_ count: Int) {
        passed += count
        let until = deadline(ofEntry: passed - 1)
        while now < until {
            now += timerLoopPeriod
            queue.expire(through: now) { expired.append($0) }
        }
    }

    /// Creates the next `count` entries and schedules them in random order, so that neither
    /// structure gets its deadlines presorted.
    private func schedule(_ count: Int) {
        var batch = (created..<(created + count)).map { Queue.makeEntry(deadline: deadline(ofEntry: $0)) }
        batch.shuffle(using: &generator)
        for index in batch.indices { queue.insert(&batch[index]) }
        created += count
    }

    private func deadline(ofEntry index: Int) -> Int64 {
        start + shortestDelay + Int64(index) * (longestDelay - shortestDelay) / Int64(pending)
    }
}

