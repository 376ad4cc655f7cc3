import Foundation
import XCTest

/// A malformed request pipelined behind a receipt, against the real binary under
/// `--durability fsync`: the receipt's answer waits for its journal commit, so the HTTP decoder
/// reaches the malformed request (in the same read) while that answer is still pending.
final class PipelinedErrorTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-pipelined-\(UUID().uuidString)")
            .appendingPathComponent("data")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    func testAMalformedRequestBehindAPendingReceiptIsRefusedAfterTheReceiptIsAnswered() async throws {
        let (server, url) = try await Durability.start(dataDirectory, ["--durability", "fsync"])
        let key = try await Durability.createProject(url)
        let port = try XCTUnwrap(url.split(separator: ":").last.flatMap { Int($0) })
        let body = Durability.receiptBody("evt_before_garbage")
        let receipt = "POST /api/v1/receipt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n"
            + "Accept: application/json\r\nContent-Type: application/json\r\nIdempotency-Key: before-garbage\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let connection = try XCTUnwrap(RawConnection(port: port))
        connection.send(receipt + "NOT HTTP AT ALL\r\n\r\n")
        // Everything until the server closes (the 400 closes the connection).
        let received = connection.read(until: "\u{0}")

        XCTAssertTrue(received.hasPrefix("HTTP/1.1 202"), "the receipt's answer comes first: \(received)")
        XCTAssertTrue(received.contains(#""accepted":true"#), received)
        let refusal = try XCTUnwrap(received.range(of: "HTTP/1.1 400"), "then the malformed request's 400: \(received)")
        XCTAssertEqual(received.components(separatedBy: "HTTP/1.1 ").count - 1, 2, "two answers, nothing else: \(received)")
        XCTAssertTrue(received[refusal.lowerBound...].lowercased().contains("connection: close"), received)

        let retry = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: body, idempotencyKey: "before-garbage")
        XCTAssertEqual(retry.status, 202, "the receipt was accepted once: its retry is a replay")
        XCTAssertEqual(retry.headers.first(name: "Idempotent-Replayed"), "true")
        try await Durability.stop(server)
    }
}
