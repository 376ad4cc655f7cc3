import XCTest
@testable import SendPromptlyCore

/// A project's idempotency records stay found by key digest while their positions pass the
/// counter's wrap (after 2^31 records over a long run), and forgotten ones are gone.
final class IdempotencyTableTests: XCTestCase {
    private let eventID = EventID("ev_01EX1H0DFEBHAT7QS63V1YZ82E")!

    private func record(_ number: Int) -> IdempotencyRecord {
        IdempotencyRecord(
            keyDigest: IdempotencyKeyDigest(of: "key-\(number)"), fingerprint: SecretHash(of: "body-\(number)"),
            answer: .receipt(ReceiptAccepted(eventID: eventID, timeoutAt: Timestamp(millisecondsSinceEpoch: 0), duplicate: false)),
            expiresAt: Int64(number))
    }

    private func assertLive(_ table: IdempotencyTable, _ live: Range<Int>, forgotten: Range<Int>, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(table.count, live.count, file: file, line: line)
        XCTAssertEqual(table.live.map(\.expiresAt), live.map(Int64.init), "oldest first", file: file, line: line)
        for number in live {
            XCTAssertEqual(table.record(for: IdempotencyKeyDigest(of: "key-\(number)"))?.expiresAt, Int64(number), "record \(number)", file: file, line: line)
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

        XCTAssertEqual(table.forget(through: 149), 150, "the front passes the wrap")
        assertLive(table, 150..<300, forgotten: 0..<150)

        for number in 300..<400 { table.append(record(number)) }
        XCTAssertEqual(table.forget(through: 349), 200)
        assertLive(table, 350..<400, forgotten: 0..<350)
        XCTAssertEqual(table.forget(through: 1000), 50)
        assertLive(table, 0..<0, forgotten: 0..<400)
    }
}
