import SendPromptlyCore
import XCTest

/// The pure pacing pieces of delivery: the retry schedule with jitter and `Retry-After`, and the
/// token bucket that paces one project's callbacks.
final class DeliveryPacingTests: XCTestCase {
    func testRetryDelaysFollowTheScheduleWithinTheJitter() {
        var random = SplitMix64(seed: 3)
        let schedule = RetrySchedule.repairCallbacks
        XCTAssertEqual(schedule.maximumAttempts, 7)
        for (index, base) in schedule.delaysMilliseconds.enumerated() {
            var seen: Set<Int64> = []
            for _ in 0..<50 {
                let delay = schedule.delay(after: index + 1, using: &random)!
                XCTAssertGreaterThanOrEqual(delay, base * 8 / 10)
                XCTAssertLessThanOrEqual(delay, base * 12 / 10)
                seen.insert(delay)
            }
            XCTAssertGreaterThan(seen.count, 10, "jitter spreads retries")
        }
        XCTAssertNil(schedule.delay(after: 7, using: &random), "the seventh attempt is the last")
    }

    func testALongerRetryAfterWins() {
        var random = SplitMix64(seed: 3)
        let schedule = RetrySchedule(delaysMilliseconds: [1000], jitter: 0)
        XCTAssertEqual(schedule.delay(after: 1, retryAfterMilliseconds: 120_000, using: &random), 120_000)
        XCTAssertEqual(schedule.delay(after: 1, retryAfterMilliseconds: 10, using: &random), 1000)
    }

    func testScheduleParsing() {
        XCTAssertEqual(RetrySchedule(secondsList: "0.05, 1,30")?.delaysMilliseconds, [50, 1000, 30_000])
        XCTAssertNil(RetrySchedule(secondsList: "5,,30"))
        XCTAssertNil(RetrySchedule(secondsList: "-1"))
        XCTAssertNil(RetrySchedule(secondsList: "soon"))
        XCTAssertNil(RetrySchedule(secondsList: "1e300"), "more than a week is refused, not trapped on")
        XCTAssertNotNil(RetrySchedule(secondsList: "604800"))
    }

    func testTheBucketLetsABurstThroughThenPacesInOrder() {
        var now = Timestamp(millisecondsSinceEpoch: 1_000_000)
        var bucket = TokenBucket(capacity: 2, ratePerSecond: 10, now: now)
        XCTAssertEqual([bucket.reserve(at: now), bucket.reserve(at: now)], [0, 0], "the burst")
        XCTAssertEqual([bucket.reserve(at: now), bucket.reserve(at: now), bucket.reserve(at: now)], [100, 200, 300])
        now = now.adding(milliseconds: 1000)
        XCTAssertEqual(bucket.reserve(at: now), 0, "refilled after the debt is paid")
    }
}
