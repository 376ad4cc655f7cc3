import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The ingest fast path on real connections: answers leave in the order requests came, however
/// requests are split between the fast path and the router; the connection's own rules
/// (`Connection: close`, body limits) hold for both.
final class IngestConnectionTests: XCTestCase {
    private static func receipt(_ key: String, event: String, extraHeaders: String = "") -> String {
        let body = #"{"provider": "stripe", "provider_event_id": "\#(event)", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#
        return "POST /api/v1/receipt HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\nIdempotency-Key: receipt-\(event)\r\n\(extraHeaders)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private static func result(_ key: String, event: String) -> String {
        let body = #"{"provider_event_id": "\#(event)", "status": "failed"}"#
        return "POST /v1/result HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\nIdempotency-Key: result-\(event)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func testPipelinedRequestsAreAnsweredInTheOrderTheyCame() async throws {
        try await APIHarness.run { api in
            let (_, key) = try await api.createProject()
            let port = try XCTUnwrap(api.client.port)
            let answers = try await RawConnection.with(port: port) { connection, reader in
                // A receipt for the fast path, a request for the router, a receipt queued behind
                // it (the router's ingest route answers it), and a result for the first receipt.
                try await connection.send(
                    Self.receipt(key, event: "evt_a") + "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
                        + Self.receipt(key, event: "evt_b") + Self.result(key, event: "evt_a"))
                var answers: [RawConnection.Answer] = []
                for _ in 0..<4 {
                    let answer = try await reader.next()
                    answers.append(try XCTUnwrap(answer))
                }
                return answers
            }
            XCTAssertEqual(answers.map(\.status), [202, 200, 202, 200])
            let events = try answers.map { try JSON.parse(Array($0.body.utf8))["event_id"] }
            XCTAssertNotNil(events[0])
            XCTAssertNotEqual(events[0], events[2], "each receipt answers its own event")
            XCTAssertEqual(events[3], events[0], "the result found the first receipt")
            XCTAssertEqual(try JSON.parse(Array(answers[3].body.utf8))["incident_status"], .string("open"))
            for answer in answers where answer.status != 200 || answer.body.contains("event_id") {
                XCTAssertEqual(answer.header("Content-Type"), "application/json")
                XCTAssertEqual(answer.header("Server"), "sendpromptly")
                XCTAssertNotNil(answer.header("Date"))
            }
        }
    }

    func testConnectionCloseEndsTheConnectionAfterTheAnswer() async throws {
        try await APIHarness.run { api in
            let (_, key) = try await api.createProject()
            let port = try XCTUnwrap(api.client.port)
            try await RawConnection.with(port: port) { connection, reader in
                try await connection.send(Self.receipt(key, event: "evt_close", extraHeaders: "Connection: close\r\n"))
                let next = try await reader.next()
                let answer = try XCTUnwrap(next)
                XCTAssertEqual(answer.status, 202)
                XCTAssertEqual(answer.header("Connection"), "close")
                let closed = try await reader.closes()
                XCTAssertTrue(closed, "nothing follows the answer")
            }
        }
    }

    func testABodyOverTheLimitInPiecesIsRefusedAndTheConnectionGoesOn() async throws {
        var settings = ServerSettings()
        settings.maximumBodyBytes = 1024
        try await APIHarness.run(settings: settings) { api in
            let (project, key) = try await api.createProject()
            let port = try XCTUnwrap(api.client.port)
            try await RawConnection.with(port: port) { connection, reader in
                // Chunked, so no Content-Length gives the size away: 3 chunks of 600 bytes.
                let chunk = String(repeating: " ", count: 600)
                try await connection.send(
                    "POST /api/v1/receipt HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(key)\r\nAccept: application/json\r\n"
                        + "Content-Type: application/json\r\nIdempotency-Key: big\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<3 { try await connection.send("258\r\n\(chunk)\r\n") }
                try await connection.send("0\r\n\r\n")
                let first = try await reader.next()
                let refused = try XCTUnwrap(first)
                XCTAssertEqual(refused.status, 413)
                XCTAssertEqual(try JSON.parse(Array(refused.body.utf8))["error"]?["code"], .string("payload_too_large"))

                try await connection.send(Self.receipt(key, event: "evt_after"))
                let second = try await reader.next()
                let accepted = try XCTUnwrap(second)
                XCTAssertEqual(accepted.status, 202)
            }
            let pending = try await api.pendingReceipts(project: project)
            XCTAssertEqual(pending, 1, "the refused receipt left nothing behind")
        }
    }
}
