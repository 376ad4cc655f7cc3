import NIOCore
import XCTest
@testable import SendPromptlyBench

final class RequestTemplateTests: XCTestCase {
    func testFillWritesTheNumberIntoEverySlotAndTheLengthStaysRight() {
        let requests = IngestRequests(host: "127.0.0.1:8080", apiKey: "sk_test", run: "abc", silentTimeoutSeconds: 2)
        var receipt = requests.receipts[.silent]!
        receipt.fill(4711)
        let text = receipt.text
        XCTAssertTrue(text.hasPrefix("POST /api/v1/receipt HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"), text)
        XCTAssertTrue(text.contains("Idempotency-Key: r-abc-000000004711\r\n"), text)
        XCTAssertTrue(text.contains("Authorization: Bearer sk_test\r\n"), text)
        let parts = text.components(separatedBy: "\r\n\r\n")
        XCTAssertEqual(parts.count, 2)
        let body = parts[1]
        let length = parts[0].split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }?.dropFirst(16)
        XCTAssertEqual(length.flatMap { Int($0) }, body.utf8.count)
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        XCTAssertEqual(json?["provider_event_id"] as? String, "bench-abc-000000004711")
        XCTAssertEqual(json?["timeout_seconds"] as? Int, 2)

        receipt.fill(12)
        XCTAssertTrue(receipt.text.contains("\"bench-abc-000000000012\""))
        XCTAssertFalse(receipt.text.contains("4711"))
    }

    func testResultsNameTheirReceiptsProviderEventID() throws {
        var requests = IngestRequests(host: "h:1", apiKey: "k", run: "r1", silentTimeoutSeconds: 1)
        requests.failedResult.fill(99)
        let body = try XCTUnwrap(requests.failedResult.text.components(separatedBy: "\r\n\r\n").last)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(json["provider_event_id"] as? String, "bench-r1-000000000099")
        XCTAssertEqual(json["status"] as? String, "failed")
        XCTAssertTrue(requests.failedResult.text.contains("Idempotency-Key: s-r1-000000000099\r\n"))
    }

    func testEventNumbersComeBackFromProviderEventIDsOfTheRunOnly() {
        XCTAssertEqual(IngestRequests.eventNumber(providerEventID: "bench-r1-000000000099", run: "r1"), 99)
        XCTAssertNil(IngestRequests.eventNumber(providerEventID: "bench-r2-000000000099", run: "r1"))
        XCTAssertNil(IngestRequests.eventNumber(providerEventID: "bench-r1-99", run: "r1"))
        XCTAssertNil(IngestRequests.eventNumber(providerEventID: "evt_1", run: "r1"))
    }

    func testTheEventIDIsReadFromTheReceiptsAnswer() {
        XCTAssertEqual(
            ReceiptAnswer.eventID(in: ByteBuffer(string: #"{"event_id":"ev_01ABC","timeout_at":"x","accepted":true}"#)), "ev_01ABC")
        XCTAssertEqual(ReceiptAnswer.eventID(in: ByteBuffer(string: #"{ "event_id" : "ev_2" }"#)), "ev_2")
        XCTAssertNil(ReceiptAnswer.eventID(in: ByteBuffer(string: #"{"error":{"code":"unauthorized"}}"#)))
        XCTAssertNil(ReceiptAnswer.eventID(in: ByteBuffer(string: #"{"event_id":"unterminated"#)))
        XCTAssertNil(ReceiptAnswer.eventID(in: ByteBuffer()))
    }
}
