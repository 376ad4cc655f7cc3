@testable import SendPromptlyHTTP
import XCTest

/// The shared connection count behind the connection limits: what one address and all of them
/// may hold, and that every release gives its place back (so the count, and the table of
/// addresses, shrink back to nothing).
final class ConnectionCounterTests: XCTestCase {
    func testTheCountHoldsToBothMaximaAndEmptiesAgain() {
        let counter = ConnectionCounter(maximumTotal: 3, maximumPerAddress: 2)
        XCTAssertTrue(counter.admit("10.0.0.1"))
        XCTAssertTrue(counter.admit("10.0.0.1"))
        XCTAssertFalse(counter.admit("10.0.0.1"), "the per-address maximum")
        XCTAssertTrue(counter.admit("10.0.0.2"))
        XCTAssertFalse(counter.admit("10.0.0.3"), "the total maximum")
        XCTAssertEqual(counter.openConnections, 3, "a refusal counts nothing")
        counter.release("10.0.0.1")
        XCTAssertTrue(counter.admit("10.0.0.3"))
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] { counter.release(address) }
        XCTAssertEqual(counter.openConnections, 0)
        XCTAssertEqual(counter.trackedAddresses, 0, "an address without connections is forgotten")
    }
}
