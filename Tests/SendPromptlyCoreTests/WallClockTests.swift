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

    /// The system clock itself, read through it, moves as the system clock does.
    func testTheRealtimeSourceIsTheSystemClock() {
        let clock = WallClock()
        let before = WallClock.realtime()
        let now = clock.now()
        XCTAssertGreaterThanOrEqual(now, before)
        XCTAssertLessThanOrEqual(now, WallClock.realtime())
    }
}
