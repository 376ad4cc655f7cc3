import SendPromptlyCore
import Synchronization
import XCTest

final class WallClockTests: XCTestCase {
    /// A system clock stepped back: the engine's clock holds the latest instant until the
    /// system clock passes it again.
    func testASystemClockSteppedBackIsHeldAtTheLatestInstant() {
        let readings = Mutex<[Int64]>([1_000, 1_500, 900, 1_499, 1_500, 1_501, 1_501])
        let clock = WallClock(source: { Timestamp(millisecondsSinceEpoch: readings.withLock { $0.removeFirst() }) })
        let answered = (0..<7).map { _ in clock.now().millisecondsSinceEpoch }
        XCTAssertEqual(answered, [1_000, 1_500, 1_500, 1_500, 1_500, 1_501, 1_501])
    }

    /// A restarted engine's clock held at the newest recovered instant: a system clock behind
    /// it is not followed until it passes it.
    func testAClockHeldAtARecoveredInstantAnswersNothingEarlier() {
        let readings = Mutex<[Int64]>([900, 2_000, 2_001])
        let clock = WallClock(source: { Timestamp(millisecondsSinceEpoch: readings.withLock { $0.removeFirst() }) })
        clock.hold(atLeast: Timestamp(millisecondsSinceEpoch: 2_000))
        XCTAssertEqual((0..<3).map { _ in clock.now().millisecondsSinceEpoch }, [2_000, 2_000, 2_001])
    }

    /// The system clock itself, read through it, moves as the system clock does.
    func testTheRealtimeSourceIsTheSystemClock() {
        let clock = WallClock()
        let before = WallClock.realtime()
        let now = clock.now()
        XCTAssertGreaterThanOrEqual(now, before)
        XCTAssertLessThanOrEqual(now, WallClock.realtime())
    }
}
