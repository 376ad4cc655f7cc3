import SendPromptlyStorage
import XCTest

/// When a commit under `fsync` waits for more records: only after a busy commit, and never past
/// its delay from the first record's arrival.
final class CommitGatheringTests: XCTestCase {
    private let arrival = ContinuousClock.Instant.now

    func testAfterABusyCommitTheNextWritesOneDelayAfterItsFirstRecord() {
        let gathering = CommitGathering(delay: .microseconds(250), busyCommitRecords: 4)
        XCTAssertEqual(gathering.writeInstant(firstRecordArrival: arrival, previousCommitRecords: 4), arrival + .microseconds(250))
        XCTAssertEqual(gathering.writeInstant(firstRecordArrival: arrival, previousCommitRecords: 900), arrival + .microseconds(250))
    }

    func testAfterAQuietCommitOrWithoutADelayTheNextWritesAtOnce() {
        let gathering = CommitGathering(delay: .microseconds(250), busyCommitRecords: 4)
        for previous in [0, 1, 3] {
            XCTAssertNil(gathering.writeInstant(firstRecordArrival: arrival, previousCommitRecords: previous), "after \(previous)")
        }
        XCTAssertNil(CommitGathering.never.writeInstant(firstRecordArrival: arrival, previousCommitRecords: 1_000))
    }
}
