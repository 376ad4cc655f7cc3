import XCTest
@testable import SendPromptlyBench

/// Coordinated omission: one connection against a server that answers in 1 ms but stalls for
/// a second once. Time is simulated (the instants are computed, not waited for), and the pacing
/// and latency arithmetic are the driver's own.
final class SendScheduleTests: XCTestCase {
    private let millisecond: UInt64 = 1_000_000

    /// Runs `count` requests through `schedule`; request 10 takes a second, the rest 1 ms.
    /// Each request goes out when both its intended instant has come and the previous answer
    /// is in, as the driver does.
    private func simulate(_ pace: Pace, count: Int = 1000) -> LatencyRecorder {
        var schedule = SendSchedule(pace: pace, start: 0)
        var recorder = LatencyRecorder(start: 0)
        var free: UInt64 = 0
        for request in 0..<count {
            let intended = schedule.nextRequest(freeAt: free)
            let sent = max(free, intended)
            let completed = sent + (request == 10 ? 1000 * millisecond : millisecond)
            recorder.record(.receipt, status: 202, intended: intended, completed: completed)
            free = completed
        }
        return recorder
    }

    func testAtAFixedRateEveryRequestPlannedDuringAStallCountsTheWait() {
        // 100 requests/s: the stall delays the ~100 requests planned during it.
        let histogram = simulate(.fixedRate(intervalNanoseconds: 10 * millisecond)).histograms[.receipt]!
        XCTAssertEqual(histogram.totalCount, 1000)
        XCTAssertGreaterThan(histogram.valueAtPercentile(99), 850 * millisecond)
        XCTAssertGreaterThan(histogram.valueAtPercentile(95), 400 * millisecond)
        // The stalled one, and those planned in the stall's first half (request k waits
        // 1090 - 9k ms): 56 requests waited half a second or more.
        let waitedHalfASecond = histogram.count(within: (500 * millisecond)...(2000 * millisecond))
        XCTAssertTrue((54...58).contains(waitedHalfASecond), "\(waitedHalfASecond) requests waited 0.5 s or more")
        XCTAssertLessThan(histogram.valueAtPercentile(50), 2 * millisecond)
    }

    func testAClosedLoopSeesTheStallOnlyOnce() {
        let histogram = simulate(.closedLoop).histograms[.receipt]!
        XCTAssertEqual(histogram.count(within: (2 * millisecond)...(2000 * millisecond)), 1)
        XCTAssertLessThan(histogram.valueAtPercentile(99), 2 * millisecond)
        XCTAssertGreaterThan(histogram.max, 999 * millisecond)
    }

    func testAFixedRateWaitsForItsSlotWhenTheServerIsFast() {
        var schedule = SendSchedule(pace: .fixedRate(intervalNanoseconds: 10 * millisecond), start: 5 * millisecond)
        XCTAssertEqual(schedule.nextRequest(freeAt: 0), 5 * millisecond)
        // Free long before the next slot: the slot, not the free instant, is the intended time.
        XCTAssertEqual(schedule.nextRequest(freeAt: 6 * millisecond), 15 * millisecond)
        // Late: the slot is in the past and the latency counts from it.
        XCTAssertEqual(schedule.nextRequest(freeAt: 40 * millisecond), 25 * millisecond)
        XCTAssertEqual(SendSchedule.latency(intended: 25 * millisecond, completed: 41 * millisecond), 16 * millisecond)
    }

    func testTheRateIsSharedEquallyByTheConnections() throws {
        let plan = LoadPlan(
            connections: 4, rate: 2000, events: 10, duration: nil, mix: try EventMix(success: 1, fail: 0, silent: 0),
            silentTimeoutSeconds: 1)
        XCTAssertEqual(plan.pace, .fixedRate(intervalNanoseconds: 2 * millisecond))
        let closed = LoadPlan(connections: 4, rate: nil, events: 10, duration: nil, mix: plan.mix, silentTimeoutSeconds: 1)
        XCTAssertEqual(closed.pace, .closedLoop)
    }
}
