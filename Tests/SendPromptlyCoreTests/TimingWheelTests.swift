import Foundation
import XCTest
@testable import SendPromptlyCore

/// Unit cases for ``TimingWheel`` plus a randomized model check against a sorted list of
/// deadlines.
///
/// Nothing here sleeps or reads a clock: the wheel is driven by integer milliseconds. The wheel
/// costs one loop iteration per tick it crosses while it holds entries, so each test bounds the
/// simulated time it covers rather than the number of operations.
final class TimingWheelTests: XCTestCase {
    // MARK: Scheduling and cancelling

    func testScheduleRefusesDeadlineAtOrBeforeCurrentTime() {
        let wheel = TimingWheel(startingAt: 1_050)
        XCTAssertEqual(wheel.currentTime, 1_000, "the wheel's time is its start rounded down to a tick")

        for deadline: Int64 in [0, 999, 1_000] {
            let entry = TestEntry(id: 0, deadline: deadline)
            XCTAssertFalse(wheel.schedule(entry), "deadline \(deadline)")
            XCTAssertFalse(wheel.isScheduled(entry))
        }
        XCTAssertEqual(wheel.count, 0)

        // Within the current tick but after the wheel's time: due at the next tick boundary.
        XCTAssertTrue(wheel.schedule(TestEntry(id: 1, deadline: 1_001)))
        XCTAssertEqual(wheel.count, 1)

        wheel.advance(to: 1_250) { _ in }
        XCTAssertEqual(wheel.currentTime, 1_200)
        XCTAssertFalse(wheel.schedule(TestEntry(id: 2, deadline: 1_200)))
        XCTAssertTrue(wheel.schedule(TestEntry(id: 3, deadline: 1_201)))
    }

    func testCancelUnlinksOnceAndIsHarmlessAfterwards() {
        let wheel = TimingWheel(startingAt: 0)
        let neverScheduled = TestEntry(id: 0, deadline: 500)
        XCTAssertFalse(wheel.cancel(neverScheduled))

        // Head, middle and tail of one bucket, so every unlink path of the list is taken.
        for cancelled in 0..<3 {
            let deadline = wheel.currentTime + 500
            let entries = (0..<3).map { TestEntry(id: $0, deadline: deadline) }
            entries.forEach { wheel.schedule($0) }
            XCTAssertTrue(wheel.cancel(entries[cancelled]))
            XCTAssertFalse(wheel.cancel(entries[cancelled]), "a second cancel finds nothing to unlink")
            XCTAssertEqual(wheel.count, 2)

            let expired = advance(wheel, to: wheel.currentTime + 1_000)
            XCTAssertEqual(Set(expired), Set(entries.indices.filter { $0 != cancelled }))
            XCTAssertEqual(wheel.count, 0)
            XCTAssertFalse(wheel.cancel(entries[(cancelled + 1) % 3]), "an expired entry is not cancellable")
        }
    }

    func testIsScheduledFollowsScheduleCancelAndExpiry() {
        let wheel = TimingWheel(startingAt: 0)
        let entry = TestEntry(id: 0, deadline: 300)
        XCTAssertFalse(wheel.isScheduled(entry))
        wheel.schedule(entry)
        XCTAssertTrue(wheel.isScheduled(entry))
        wheel.cancel(entry)
        XCTAssertFalse(wheel.isScheduled(entry))
        wheel.schedule(entry)
        XCTAssertTrue(wheel.isScheduled(entry), "a cancelled entry can be scheduled again")

        var scheduledWhenHandedOver: Bool?
        wheel.advance(to: 300) { _ in scheduledWhenHandedOver = wheel.isScheduled(entry) }
        XCTAssertEqual(scheduledWhenHandedOver, false, "an entry is unscheduled before the callback sees it")
        XCTAssertFalse(wheel.isScheduled(entry))
    }

    func testCountFollowsScheduleCancelAndExpiry() {
        let wheel = TimingWheel(startingAt: 0)
        let entries = (1...10).map { TestEntry(id: $0, deadline: Int64($0) * 1_000) }
        entries.forEach { wheel.schedule($0) }
        XCTAssertEqual(wheel.count, 10)
        wheel.cancel(entries[9])
        wheel.cancel(entries[9])
        XCTAssertEqual(wheel.count, 9)
        XCTAssertEqual(advance(wheel, to: 4_000).count, 4)
        XCTAssertEqual(wheel.count, 5)
        XCTAssertFalse(wheel.schedule(TestEntry(id: 11, deadline: 3_000)))
        XCTAssertEqual(wheel.count, 5, "a refused entry is not counted")
    }

    // MARK: Expiry

    /// A step of centuries (a clock stepped far ahead, or a journal record's instant) skips to
    /// each deadline instead of walking every 100 ms tick between: this returns at once, and
    /// the deadlines expire in order, none early.
    func testAStepOfCenturiesSkipsToEachDeadlineInOrder() {
        let wheel = TimingWheel(startingAt: 0)
        let century: Int64 = 100 * 365 * 86_400_000
        let entries = [
            TestEntry(id: 0, deadline: 1_000), TestEntry(id: 1, deadline: century),
            TestEntry(id: 2, deadline: century + 500), TestEntry(id: 3, deadline: 3 * century),
        ]
        for entry in entries { XCTAssertTrue(wheel.schedule(entry)) }
        XCTAssertEqual(advance(wheel, to: century + 499), [0, 1], "none early")
        XCTAssertEqual(advance(wheel, to: 2 * century), [2])
        XCTAssertEqual(wheel.count, 1)
        XCTAssertEqual(advance(wheel, to: 4 * century), [3])
        XCTAssertEqual(wheel.currentTime, 4 * century)
        XCTAssertTrue(wheel.schedule(TestEntry(id: 4, deadline: 4 * century + 100)), "ticking on after the skip")
        XCTAssertEqual(advance(wheel, to: 4 * century + 100), [4])
    }

    func testExpiresInDeadlineOrderNeverEarlyAndWithinOneTick() {
        var generator = SplitMix64(seed: 7)
        let start: Int64 = 1_700_000_000_037
        let wheel = TimingWheel(startingAt: start)
        // Deadlines over ten minutes, several sharing a tick, scheduled in random order.
        let entries = (0..<2_000).map { id in
            TestEntry(id: id, deadline: start + Int64.random(in: 1...600_000, using: &generator))
        }
        entries.forEach { XCTAssertTrue(wheel.schedule($0)) }

        var now = start
        var expired: [TestEntry] = []
        while now < start + 601_000 {
            let previous = now
            now += Int64.random(in: 1...700, using: &generator)
            for entry in advance(wheel, to: now).map({ entries[$0] }) {
                XCTAssertLessThanOrEqual(entry.deadline, now, "entry \(entry.id) expired early")
                XCTAssertGreaterThan(expiryTime(of: entry), previous, "entry \(entry.id) expired late")
                XCTAssertLessThanOrEqual(expiryTime(of: entry), now, "entry \(entry.id) expired late")
                expired.append(entry)
            }
        }
        XCTAssertEqual(wheel.count, 0)
        XCTAssertEqual(Set(entries.map(\.id)).subtracting(expired.map(\.id)), [], "never expired")
        XCTAssertEqual(expired.count, entries.count, "each entry expires once")
        let expiryTimes = expired.map { expiryTime(of: $0) }
        XCTAssertEqual(expiryTimes, expiryTimes.sorted(), "entries expire in deadline order up to the tick")
    }

    func testEntriesDueAtCascadeBoundariesExpireOnTheirTick() {
        let boundaries: [Int64] = [1 << 6, 1 << 12, 1 << 18]
        // Around each boundary, plus two that fall through every level below their own.
        let fallingThrough: [Int64] = [(1 << 12) + (1 << 6) + 1, (1 << 18) + (1 << 12) + (1 << 6) + 1]
        let deadlineTicks = boundaries.flatMap { [$0 - 1, $0, $0 + 1] } + fallingThrough
        for startTick: Int64 in [0, 63, 4_095, 4_096, 262_143] {
            assertEachExpiresOnItsTick(
                deadlineTicks: deadlineTicks.filter { $0 > startTick },
                startTick: startTick,
                tickMilliseconds: 1
            )
        }
        // At the default tick, with deadlines inside the tick, which round up to the boundary.
        assertEachExpiresOnItsTick(deadlineTicks: deadlineTicks, startTick: 0, tickMilliseconds: 100)
    }

    /// Crosses one top-level revolution (64⁴ ticks) once, about 17 million ticks.
    func testEntriesBeyondTheFourLevelsExpireOnTheirTick() {
        let revolution: Int64 = 1 << 24
        let startTick = revolution - 3
        assertEachExpiresOnItsTick(
            deadlineTicks: [
                revolution - 1,  // level 0, before the overflow is re-examined
                revolution,  // the first tick of the next revolution: parked in overflow
                revolution + 1,
                startTick + revolution - 1,
                startTick + revolution + 1,  // more than 64⁴ ticks ahead
                2 * revolution,  // overflow twice, then straight to level 0's current slot
                2 * revolution + (1 << 18) + (1 << 12) + (1 << 6) + 1,  // down every level
            ],
            startTick: startTick,
            tickMilliseconds: 1
        )
    }

    func testAdvanceWithNothingScheduledJumpsToTheTarget() {
        let wheel = TimingWheel(tickMilliseconds: 1, startingAt: 0)
        let farFuture: Int64 = 1 << 50  // visiting every tick up to here would never finish
        wheel.advance(to: farFuture) { _ in XCTFail("nothing is scheduled") }
        XCTAssertEqual(wheel.currentTime, farFuture)
        XCTAssertFalse(wheel.schedule(TestEntry(id: 0, deadline: farFuture)))

        // Once the last entry has expired, the rest of the advance is a jump too.
        let entry = TestEntry(id: 1, deadline: farFuture + 5)
        wheel.schedule(entry)
        XCTAssertEqual(advance(wheel, to: 2 * farFuture), [1])
        XCTAssertEqual(wheel.currentTime, 2 * farFuture)

        // So is an advance after the last entry was cancelled.
        wheel.schedule(TestEntry(id: 2, deadline: 2 * farFuture + 1_000))
        let cancelled = TestEntry(id: 3, deadline: 2 * farFuture + 1_000)
        wheel.schedule(cancelled)
        wheel.cancel(cancelled)
        XCTAssertEqual(advance(wheel, to: 2 * farFuture + 1_000), [2])
        XCTAssertEqual(wheel.count, 0)
        wheel.advance(to: 3 * farFuture) { _ in XCTFail("nothing is scheduled") }
        XCTAssertEqual(wheel.currentTime, 3 * farFuture)
    }

    // MARK: Slot reuse

    /// A cancelled or expired deadline's slot is reused by the next schedule; the old handle
    /// must then neither report the new deadline as its own nor cancel it.
    func testStaleHandlesDoNotReachTheirSlotsNextDeadline() {
        let wheel = TimingWheel(startingAt: 0)
        let cancelled = TestEntry(id: 0, deadline: 500)
        wheel.schedule(cancelled)
        wheel.cancel(cancelled)
        let reusedAfterCancel = TestEntry(id: 1, deadline: 700)
        wheel.schedule(reusedAfterCancel)
        XCTAssertEqual(reusedAfterCancel.handle?.slot, cancelled.handle?.slot, "the freed slot is taken first")
        XCTAssertFalse(wheel.isScheduled(cancelled))
        XCTAssertFalse(wheel.cancel(cancelled), "a stale handle cancels nothing")
        XCTAssertTrue(wheel.isScheduled(reusedAfterCancel))

        XCTAssertEqual(advance(wheel, to: 700), [1])
        let reusedAfterExpiry = TestEntry(id: 2, deadline: 900)
        wheel.schedule(reusedAfterExpiry)
        XCTAssertEqual(reusedAfterExpiry.handle?.slot, reusedAfterCancel.handle?.slot)
        XCTAssertFalse(wheel.cancel(reusedAfterCancel), "an expired deadline's handle cancels nothing")
        XCTAssertFalse(wheel.cancel(cancelled))
        XCTAssertEqual(wheel.count, 1)
        XCTAssertEqual(advance(wheel, to: 900), [2])
    }

    /// A handle the wheel never gave out (a bucket's sentinel, a slot past the last one, a
    /// generation not yet reached, the engine's "no deadline") is not scheduled, and cancelling
    /// it leaves every deadline in place.
    func testForgedHandlesReachNoDeadline() throws {
        let wheel = TimingWheel(startingAt: 0)
        let entries = (0..<3).map { TestEntry(id: $0, deadline: 500) }
        entries.forEach { wheel.schedule($0) }
        let real = try XCTUnwrap(entries[1].handle)
        let forged = [
            TimerHandle(slot: 0, generation: 0),  // EventTable's "no deadline"
            TimerHandle(slot: 0, generation: real.generation),
            TimerHandle(slot: UInt32(TimingWheel.levelCount * TimingWheel.slotsPerLevel), generation: real.generation),
            TimerHandle(slot: real.slot + 1_000, generation: real.generation),
            TimerHandle(slot: UInt32.max, generation: real.generation),
            TimerHandle(slot: real.slot, generation: real.generation &+ 1),
        ]
        for handle in forged {
            XCTAssertFalse(wheel.isScheduled(handle), "\(handle)")
            XCTAssertFalse(wheel.cancel(handle), "\(handle)")
        }
        XCTAssertEqual(wheel.count, 3)
        XCTAssertTrue(entries.allSatisfy { wheel.isScheduled($0) })
        XCTAssertEqual(Set(advance(wheel, to: 500)), [0, 1, 2])
    }

    /// Deadlines past one page of slots, freed in an interleaved order, each expire once.
    func testManyDeadlinesAcrossPagesExpireOnce() {
        let wheel = TimingWheel(tickMilliseconds: 1, startingAt: 0)
        let entries = (0..<10_000).map { TestEntry(id: $0, deadline: Int64(1 + $0 % 97)) }
        entries.forEach { wheel.schedule($0) }
        for entry in entries where entry.id % 3 == 0 { wheel.cancel(entry) }
        let again = (10_000..<13_000).map { TestEntry(id: $0, deadline: Int64(1 + $0 % 89)) }
        again.forEach { wheel.schedule($0) }
        let expired = advance(wheel, to: 100)
        XCTAssertEqual(expired.count, Set(expired).count, "each deadline is handed over once")
        XCTAssertEqual(Set(expired), Set((entries + again).map(\.id).filter { $0 >= 10_000 || $0 % 3 != 0 }))
        XCTAssertEqual(wheel.count, 0)
    }

    func testAdvanceToThePastDoesNothing() {
        let wheel = TimingWheel(startingAt: 10_000)
        wheel.schedule(TestEntry(id: 0, deadline: 10_100))
        wheel.advance(to: 5_000) { _ in XCTFail("time does not run backwards") }
        wheel.advance(to: 10_099) { _ in XCTFail("not due before its tick boundary") }
        XCTAssertEqual(wheel.currentTime, 10_000)
        XCTAssertEqual(advance(wheel, to: 10_100), [0])
    }

    // MARK: Re-entrant callbacks

    func testCallbackMayScheduleEntriesThatExpireInTheSameAdvance() {
        let wheel = TimingWheel(startingAt: 0)
        wheel.schedule(TestEntry(id: 0, deadline: 1_000))
        var order: [Int] = []
        var refusedInCallback: Bool?
        wheel.advance(to: 10_000) { payload in
            let id = TestEntry.id(of: payload)
            order.append(id)
            guard id == 0 else { return }
            refusedInCallback = !wheel.schedule(TestEntry(id: 1, deadline: 1_000))
            wheel.schedule(TestEntry(id: 2, deadline: 1_001))  // the very next tick
            wheel.schedule(TestEntry(id: 3, deadline: 9_000))
            wheel.schedule(TestEntry(id: 4, deadline: 10_001))  // after the target
        }
        XCTAssertEqual(refusedInCallback, true, "the current tick has passed for new entries")
        XCTAssertEqual(order, [0, 2, 3])
        XCTAssertEqual(wheel.count, 1)
        XCTAssertEqual(advance(wheel, to: 10_100), [4])
    }

    func testCallbackMayCancelEntriesDueInTheSameTick() {
        let wheel = TimingWheel(startingAt: 0)
        // One bucket of five. The first to expire cancels two others: in insertion order, the
        // one after it and the last one.
        let sameTick = (0..<5).map { TestEntry(id: $0, deadline: 500) }
        let later = TestEntry(id: 5, deadline: 600)
        (sameTick + [later]).forEach { wheel.schedule($0) }

        var expired: [Int] = []
        var cancelled: [TestEntry] = []
        var cancelResults: [Bool] = []
        wheel.advance(to: 1_000) { payload in
            let entry = (sameTick + [later])[TestEntry.id(of: payload)]
            if expired.isEmpty {
                let others = sameTick.filter { $0 !== entry }
                cancelled = [others[0], others[others.count - 1]]
                cancelResults = cancelled.map { wheel.cancel($0) }
            }
            expired.append(entry.id)
        }
        XCTAssertEqual(cancelResults, [true, true])
        XCTAssertEqual(Set(expired.dropLast()), Set(sameTick.map(\.id)).subtracting(cancelled.map(\.id)))
        XCTAssertEqual(expired.count, 4, "every entry is handed over once")
        XCTAssertEqual(expired.last, later.id)
        XCTAssertEqual(wheel.count, 0)
        XCTAssertFalse(sameTick.contains { wheel.isScheduled($0) })

        // The bucket those entries left must still work a revolution later.
        let again = TestEntry(id: 6, deadline: 500 + 64 * 100)
        wheel.schedule(again)
        XCTAssertEqual(advance(wheel, to: 500 + 64 * 100), [6])
    }

    // MARK: Randomized model check

    func testAgreesWithSortedModelAtDefaultTick() {
        checkAgainstModel(
            WheelModelCheck.Profile(
                tickMilliseconds: 100,
                seeds: 0..<200,
                operations: 2_000,
                deadlineOffsets: 1_000...7 * day,
                farOffsets: 20 * day...60 * day,
                mediumSteps: 100...10_000,
                bigSteps: 10_000...2 * minute,
                horizon: 30 * minute
            )
        )
    }

    /// Two sequences long enough for deadlines days ahead, and the overflow, to come due.
    func testAgreesWithSortedModelOverDaysAtDefaultTick() {
        checkAgainstModel(
            WheelModelCheck.Profile(
                tickMilliseconds: 100,
                seeds: 1_000..<1_002,
                operations: 2_000,
                deadlineOffsets: 1_000...7 * day,
                farOffsets: 20 * day...30 * day,
                mediumSteps: 100...10 * minute,
                bigSteps: 10 * minute...day,
                horizon: 8 * day
            )
        )
    }

    /// A one-millisecond tick: every few-millisecond step crosses ticks and cascades are frequent.
    func testAgreesWithSortedModelAtOneMillisecondTick() {
        checkAgainstModel(
            WheelModelCheck.Profile(
                tickMilliseconds: 1,
                seeds: 0..<200,
                operations: 2_000,
                deadlineOffsets: 1...10 * minute,
                farOffsets: 5 * hour...6 * hour,
                mediumSteps: 2...200,
                bigSteps: 200...2_000,
                horizon: 30_000
            )
        )
    }

    // MARK: Helpers

    private func checkAgainstModel(
        _ profile: WheelModelCheck.Profile,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        var failures = 0
        for seed in profile.seeds {
            var check = WheelModelCheck(profile: profile, seed: seed)
            do {
                try check.run()
            } catch {
                XCTFail("\(error)", file: file, line: line)
                failures += 1
                if failures == 5 { return }
            }
        }
    }

    /// Schedules one entry per deadline tick on a wheel started at `startTick`, then checks that
    /// each expires exactly when time reaches its tick: not a millisecond before, and not left
    /// behind when time reaches it.
    private func assertEachExpiresOnItsTick(
        deadlineTicks: [Int64],
        startTick: Int64,
        tickMilliseconds tick: Int64,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let wheel = TimingWheel(tickMilliseconds: tick, startingAt: startTick * tick)
        // With a tick longer than a millisecond, a deadline just past the previous boundary
        // rounds up to the same tick as one exactly on it.
        let perTick = tick == 1 ? 1 : 2
        let entries = deadlineTicks.enumerated().flatMap { index, deadlineTick in
            [deadlineTick * tick, (deadlineTick - 1) * tick + 1].prefix(perTick).map {
                TestEntry(id: index, deadline: $0)
            }
        }
        for entry in entries {
            XCTAssertTrue(wheel.schedule(entry), "deadline tick \(deadlineTicks[entry.id])", file: file, line: line)
        }
        for (index, deadlineTick) in deadlineTicks.enumerated().sorted(by: { $0.element < $1.element }) {
            let early = advance(wheel, to: deadlineTick * tick - 1)
            XCTAssertEqual(early, [], "before tick \(deadlineTick), from \(startTick)", file: file, line: line)
            let onTime = advance(wheel, to: deadlineTick * tick)
            XCTAssertEqual(
                onTime, Array(repeating: index, count: perTick),
                "at tick \(deadlineTick), from \(startTick)", file: file, line: line
            )
        }
        XCTAssertEqual(wheel.count, 0, file: file, line: line)
    }

    /// Advances `wheel` and returns the ids of the entries it handed over, in order.
    private func advance(_ wheel: TimingWheel, to now: Int64) -> [Int] {
        var expired: [Int] = []
        wheel.advance(to: now) { expired.append(TestEntry.id(of: $0)) }
        return expired
    }

    /// The first instant at which a wheel with the default 100 ms tick may hand `entry` over.
    private func expiryTime(of entry: TestEntry) -> Int64 {
        (entry.deadline + 99) / 100 * 100
    }
}

private let minute: Int64 = 60_000
private let hour: Int64 = 60 * minute
private let day: Int64 = 24 * hour

/// A deadline with an identity, which its payload carries, so that a test can tell which
/// deadlines expired; and the handle of its latest scheduling.
private final class TestEntry {
    let id: Int
    let deadline: Int64
    var handle: TimerHandle?

    init(id: Int, deadline: Int64) {
        self.id = id
        self.deadline = deadline
    }

    static func id(of payload: TimerPayload) -> Int { Int(payload.high) }
}

private extension TimingWheel {
    /// Schedules `entry`, keeping its handle; false when its deadline is due already.
    @discardableResult
    func schedule(_ entry: TestEntry) -> Bool {
        entry.handle = schedule(deadline: entry.deadline, payload: TimerPayload(owner: 0, high: UInt64(entry.id), low: 0))
        return entry.handle != nil
    }

    @discardableResult
    func cancel(_ entry: TestEntry) -> Bool {
        entry.handle.map { cancel($0) } ?? false
    }

    func isScheduled(_ entry: TestEntry) -> Bool {
        entry.handle.map { isScheduled($0) } ?? false
    }
}


/// The live entries of a wheel, as the wheel should hold them: sorted by deadline, then id.
private struct SortedDeadlines {
    private(set) var elements: [(deadline: Int64, id: Int)] = []

    var count: Int { elements.count }
    var first: (deadline: Int64, id: Int)? { elements.first }

    mutating func insert(deadline: Int64, id: Int) {
        elements.insert((deadline, id), at: insertionIndex(deadline: deadline, id: id))
    }

    /// - Returns: whether the entry was present.
    mutating func remove(deadline: Int64, id: Int) -> Bool {
        let index = insertionIndex(deadline: deadline, id: id)
        guard index < elements.count, elements[index] == (deadline, id) else { return false }
        elements.remove(at: index)
        return true
    }

    private func insertionIndex(deadline: Int64, id: Int) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if elements[middle] < (deadline, id) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

/// One random sequence of schedules, cancels and advances on a wheel, checked against
/// ``SortedDeadlines`` after every step. Callbacks schedule and cancel too.
///
/// After each advance to `now`, with `tick` the wheel's resolution: every expired entry was
/// live and had `deadline ≤ now`; no live entry has a deadline that rounds up to a tick
/// boundary at or before `now`; and the wheel's count equals the model's.
private struct WheelModelCheck {
    struct Profile {
        var tickMilliseconds: Int64
        var seeds: Range<UInt64>
        var operations: Int
        /// How far ahead most deadlines lie, log-uniformly, in milliseconds.
        var deadlineOffsets: ClosedRange<Int64>
        /// How far ahead the few deadlines beyond the wheel's four levels lie.
        var farOffsets: ClosedRange<Int64>
        /// Advances: most are a few milliseconds, the rest log-uniform in one of these ranges.
        var mediumSteps: ClosedRange<Int64>
        var bigSteps: ClosedRange<Int64>
        /// The simulated time one sequence covers at most: the cost of a sequence is one loop
        /// iteration per tick, so this bounds the test's running time.
        var horizon: Int64
    }

    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    private let profile: Profile
    private let seed: UInt64
    private var generator: SplitMix64
    private let wheel: TimingWheel
    private let end: Int64
    private var now: Int64
    /// Every entry made so far; an entry's id is its index.
    private var entries: [TestEntry] = []
    private var live = SortedDeadlines()
    private var operation = 0

    private var tick: Int64 { profile.tickMilliseconds }

    init(profile: Profile, seed: UInt64) {
        self.profile = profile
        self.seed = seed
        generator = SplitMix64(seed: seed)
        // Start near now in epoch milliseconds, placed so that a cascade from the top level or
        // from the overflow happens within the horizon in most sequences.
        let tick = profile.tickMilliseconds
        var startTick = 1_760_000_000_000 / tick + Int64.random(in: 0..<(1 << 30), using: &generator)
        let spans: [Int64] = [1 << 18, 1 << 24, 1]  // level 3's slots, the overflow's, none
        let span = spans.randomElement(using: &generator)!
        let lead = Int64.random(in: 0...max(1, profile.horizon / tick / 2), using: &generator)
        startTick = (startTick / span + 1) * span - lead
        now = startTick * tick + Int64.random(in: 0..<tick, using: &generator)
        end = now + profile.horizon
        wheel = TimingWheel(tickMilliseconds: tick, startingAt: now)
    }

    mutating func run() throws {
        // Percentages of operations. Sequences differ in how much they schedule, so that some
        // hold hundreds of entries and others hover around none, where the wheel jumps.
        let schedules = Int.random(in: 10...45, using: &generator)
        let bursts = schedules + 3
        let cancels = bursts + 23
        let staleCancels = cancels + 3
        for index in 0..<profile.operations {
            operation = index
            let roll = Int.random(in: 0..<100, using: &generator)
            if roll < schedules {
                try schedule(deadline: now + randomOffset())
            } else if roll < bursts {
                // Several entries due in one tick, so that callbacks find neighbours to cancel.
                let boundary = expiryTick(now + randomOffset()) * tick
                for _ in 0..<Int.random(in: 2...6, using: &generator) {
                    try schedule(deadline: boundary - Int64.random(in: 0..<tick, using: &generator))
                }
            } else if roll < cancels {
                try cancelLiveEntry()
            } else if roll < staleCancels {
                try cancelAnyEntry()
            } else {
                try advance(by: randomStep())
            }
        }
        try checkLiveEntriesAreScheduled()
    }

    // MARK: Operations

    /// Schedules a new entry; `wheelTick` is the wheel's current tick, which during a callback
    /// is the tick of the entry being handed over.
    private mutating func schedule(deadline: Int64, wheelTick: Int64? = nil) throws {
        let entry = TestEntry(id: entries.count, deadline: deadline)
        entries.append(entry)
        let expected = expiryTick(deadline) > (wheelTick ?? now / tick)
        let scheduled = wheel.schedule(entry)
        guard scheduled == expected else {
            throw mismatch("schedule(deadline: \(deadline)) returned \(scheduled)")
        }
        if scheduled {
            live.insert(deadline: deadline, id: entry.id)
        }
    }

    private mutating func cancelLiveEntry() throws {
        guard live.count > 0 else { return }
        // Often the earliest, which is likely in the bucket that expires next.
        let index = Bool.random(using: &generator) ? 0 : Int.random(in: 0..<live.count, using: &generator)
        let entry = entries[live.elements[index].id]
        guard wheel.cancel(entry) else { throw mismatch("cancel(\(entry.id)) of a live entry returned false") }
        _ = live.remove(deadline: entry.deadline, id: entry.id)
        guard !wheel.isScheduled(entry) else { throw mismatch("entry \(entry.id) still scheduled after cancel") }
    }

    /// Cancels an entry that may be live, cancelled, expired or refused.
    private mutating func cancelAnyEntry() throws {
        guard let entry = entries.randomElement(using: &generator) else { return }
        let wasLive = live.remove(deadline: entry.deadline, id: entry.id)
        let cancelled = wheel.cancel(entry)
        guard cancelled == wasLive else {
            throw mismatch("cancel(\(entry.id)) returned \(cancelled), model says live: \(wasLive)")
        }
    }

    private mutating func advance(by step: Int64) throws {
        let target = min(now + step, end)
        let targetTick = target / tick
        var lastExpiryTick = Int64.min
        var failure: Mismatch?
        wheel.advance(to: target) { handed in
            guard failure == nil else { return }
            do {
                let entry = entries[TestEntry.id(of: handed)]
                let entryTick = expiryTick(entry.deadline)
                guard live.remove(deadline: entry.deadline, id: entry.id) else {
                    throw mismatch("entry \(entry.id) expired but was not live (cancelled or expired before)")
                }
                guard entry.deadline <= target, entryTick <= targetTick else {
                    throw mismatch("entry \(entry.id), deadline \(entry.deadline), expired early at \(target)")
                }
                guard entryTick >= lastExpiryTick else {
                    throw mismatch("entry \(entry.id) at tick \(entryTick) expired after one due at \(lastExpiryTick)")
                }
                guard !wheel.isScheduled(entry) else { throw mismatch("entry \(entry.id) handed over still scheduled") }
                lastExpiryTick = entryTick
                try reactToExpiry(atTick: entryTick)
            } catch {
                failure = error as? Mismatch
            }
        }
        if let failure { throw failure }
        now = max(now, target)
        if let first = live.first, expiryTick(first.deadline) <= now / tick {
            throw mismatch("entry \(first.id), deadline \(first.deadline), not expired by \(now) (late)")
        }
        guard wheel.count == live.count else {
            throw mismatch("count \(wheel.count), model \(live.count)")
        }
        guard wheel.currentTime == now / tick * tick else {
            throw mismatch("currentTime \(wheel.currentTime) after advance to \(now)")
        }
    }

    /// What an expiry callback does: sometimes schedule an entry, sometimes cancel one.
    private mutating func reactToExpiry(atTick wheelTick: Int64) throws {
        let roll = Int.random(in: 0..<10, using: &generator)
        if roll == 0 {
            // Around the current tick, so it may be refused or expire in this same advance.
            let offset = Bool.random(using: &generator)
                ? Int64.random(in: -tick...(3 * tick), using: &generator)
                : randomOffset()
            try schedule(deadline: wheelTick * tick + offset, wheelTick: wheelTick)
        } else if roll == 1 {
            try cancelLiveEntry()
        }
    }

    // MARK: Checks and randomness

    private func checkLiveEntriesAreScheduled() throws {
        let liveIDs = Set(live.elements.map(\.id))
        for entry in entries where wheel.isScheduled(entry) != liveIDs.contains(entry.id) {
            throw mismatch("entry \(entry.id) isScheduled \(wheel.isScheduled(entry)), model disagrees")
        }
    }

    /// How far ahead of now a new deadline lies: mostly the profile's ordinary range, sometimes
    /// at or just before the current tick, on a cascade boundary, or beyond the four levels.
    private mutating func randomOffset() -> Int64 {
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<80:
            return logUniform(profile.deadlineOffsets)
        case 80..<88:
            return Int64.random(in: (-2 * tick)...(2 * tick), using: &generator)
        case 88..<95:
            // On the next boundary of a level's span, or the millisecond before it.
            let span = Int64(1) << (6 * Int64.random(in: 1...4, using: &generator))
            let boundaryTick = (now / tick / span + 1) * span
            return boundaryTick * tick - Int64.random(in: 0...1, using: &generator) - now
        default:
            return logUniform(profile.farOffsets)
        }
    }

    private mutating func randomStep() -> Int64 {
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<60: Int64.random(in: 1...5, using: &generator)
        case 60..<88: logUniform(profile.mediumSteps)
        case 88..<96: logUniform(profile.bigSteps)
        default: -Int64.random(in: 0...1_000, using: &generator)  // at or before now: a no-op
        }
    }

    private mutating func logUniform(_ range: ClosedRange<Int64>) -> Int64 {
        let exponent = Double.random(in: log(Double(range.lowerBound))...log(Double(range.upperBound)), using: &generator)
        return min(max(Int64(exp(exponent)), range.lowerBound), range.upperBound)
    }

    /// The deadline rounded up to a tick; deadlines here are epoch milliseconds, never negative.
    private func expiryTick(_ deadline: Int64) -> Int64 {
        (deadline + tick - 1) / tick
    }

    private func mismatch(_ message: String) -> Mismatch {
        Mismatch(description: "seed \(seed), operation \(operation), tick \(tick) ms: \(message)")
    }
}
