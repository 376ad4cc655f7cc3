import XCTest
@testable import SendPromptlyBench

final class EventMixTests: XCTestCase {
    func testEveryPrefixHoldsEachKindInItsShareToWithinOneEvent() throws {
        let mix = try EventMix(success: 7, fail: 2, silent: 1)
        var seen: [EventKind: Int] = [:]
        for index in 0..<1000 {
            seen[mix.kind(ofEvent: index), default: 0] += 1
            let done = Double(index + 1)
            XCTAssertEqual(Double(seen[.success, default: 0]), done * 0.7, accuracy: 1.0, "after \(index + 1)")
            XCTAssertEqual(Double(seen[.fail, default: 0]), done * 0.2, accuracy: 1.0, "after \(index + 1)")
            XCTAssertEqual(Double(seen[.silent, default: 0]), done * 0.1, accuracy: 1.0, "after \(index + 1)")
        }
        XCTAssertEqual(seen, [.success: 700, .fail: 200, .silent: 100])
    }

    func testCountsAgreeWithTheKindOfEachEvent() throws {
        let mix = try EventMix(success: 80, fail: 15, silent: 5)
        for total in [0, 1, 19, 20, 21, 333] {
            var expected: [EventKind: Int] = [.success: 0, .fail: 0, .silent: 0]
            for index in 0..<total { expected[mix.kind(ofEvent: index), default: 0] += 1 }
            XCTAssertEqual(mix.counts(ofFirst: total), expected, "first \(total)")
        }
    }

    func testSharesAreReducedAndAZeroShareNeverAppears() throws {
        let mix = try EventMix(success: 50, fail: 0, silent: 50)
        XCTAssertEqual([mix.success, mix.fail, mix.silent], [1, 0, 1])
        XCTAssertFalse((0..<100).contains { mix.kind(ofEvent: $0) == .fail })
    }

    func testNoPositiveShareIsRefused() {
        XCTAssertThrowsError(try EventMix(success: 0, fail: 0, silent: 0))
        XCTAssertThrowsError(try EventMix(success: 1, fail: -1, silent: 0))
    }
}
