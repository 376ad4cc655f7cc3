import XCTest
@testable import SendPromptlyCore

/// A project's idempotency records stay found by key digest while their positions pass the
/// counter's wrap (after 2^31 records over a long run), and forgotten ones are gone.
final class IdempotencyTableTests: XCTestCase {
    private let eventID = EventID("ev_01EX1H0DFEBHAT7QS63V1YZ82E")!

    private func record(_ number: Int) -> IdempotencyRecord {
        IdempotencyRecord(
            keyDigest: IdempotencyKeyDigest(of: "key-\(number)"), fingerprint: SecretHash(of: "body-\(number)"),
            answer: .receipt(eventID), expiresAt: Int64(number) * 1000)
    }

    private func assertLive(_ table: IdempotencyTable, _ live: Range<Int>, forgotten: Range<Int>, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(table.count, live.count, file: file, line: line)
        XCTAssertEqual(table.live.map(\.expiresAt), live.map { Int64($0) * 1000 }, "oldest first", file: file, line: line)
        for number in live {
            XCTAssertEqual(table.record(for: IdempotencyKeyDigest(of: "key-\(number)"))?.expiresAt, Int64(number) * 1000, "record \(number)", file: file, line: line)
        }
        for number in forgotten {
            XCTAssertNil(table.record(for: IdempotencyKeyDigest(of: "key-\(number)")), "record \(number) is forgotten", file: file, line: line)
        }
    }

    func testRecordsAreFoundAcrossTheWrapOfTheirPositions() {
        // 100 records before the counter wraps, 200 after.
        var table = IdempotencyTable(firstPosition: 0x7FFF_FFFF - 99)
        for number in 0..<300 { table.append(record(number)) }
        assertLive(table, 0..<300, forgotten: 300..<310)

        XCTAssertEqual(table.forget(through: 149_999), 150, "the front passes the wrap")
        assertLive(table, 150..<300, forgotten: 0..<150)

        for number in 300..<400 { table.append(record(number)) }
        XCTAssertEqual(table.forget(through: 349_000), 200)
        assertLive(table, 350..<400, forgotten: 0..<350)
        XCTAssertEqual(table.forget(through: 1_000_000), 50)
        assertLive(table, 0..<0, forgotten: 0..<400)
    }

    func testARecordForgottenEarlyLeavesItsKeyNewUntilItsTurnComes() {
        var table = IdempotencyTable()
        for number in 1...3 { table.append(record(number)) }
        table.forgetEarly(IdempotencyKeyDigest(of: "key-2"))
        XCTAssertNil(table.record(for: IdempotencyKeyDigest(of: "key-2")))
        XCTAssertEqual(table.count, 3, "still queued")
        // The key is answered anew: its new record is the one found, and outlives the old one.
        let renewed = IdempotencyRecord(
            keyDigest: IdempotencyKeyDigest(of: "key-2"), fingerprint: SecretHash(of: "new"), answer: .receipt(eventID), expiresAt: 9000)
        table.append(renewed)
        XCTAssertEqual(table.forget(through: 2000), 2)
        XCTAssertEqual(table.record(for: IdempotencyKeyDigest(of: "key-2"))?.expiresAt, 9000)
        XCTAssertEqual(table.record(for: IdempotencyKeyDigest(of: "key-3"))?.expiresAt, 3000)
        XCTAssertEqual(table.forget(through: 9000), 2)
        XCTAssertNil(table.record(for: IdempotencyKeyDigest(of: "key-2")))
    }

    func testExpiryIsRoundedUpToTheSecond() {
        let answeredAt = Timestamp(millisecondsSinceEpoch: 1_764_397_800_001)
        XCTAssertEqual(IdempotencyRecord.expiry(answeredAt: answeredAt, windowSeconds: 60), 1_764_397_861_000)
        XCTAssertEqual(IdempotencyRecord.expiry(answeredAt: answeredAt.adding(milliseconds: -1), windowSeconds: 60), 1_764_397_860_000)
        XCTAssertEqual(record(0).expiresAt, 0)
        let rounded = IdempotencyRecord(
            keyDigest: IdempotencyKeyDigest(of: "k"), fingerprint: SecretHash(of: "b"), answer: .receipt(eventID), expiresAt: 1_500)
        XCTAssertEqual(rounded.expiresAt, 2_000, "never forgotten early")
    }
}
