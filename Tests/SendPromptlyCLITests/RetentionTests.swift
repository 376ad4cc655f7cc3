import Foundation
import XCTest

/// `--retention` and `--idempotency-window` with the real binary: a finished event leaves, a
/// pending one stays, and after a `kill -9` the recovered server agrees.
final class RetentionTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-retention-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    func testAFinishedEventLeavesAfterTheRetentionAndStaysGoneAfterACrash() async throws {
        let admin = "retention-admin-token-0123456789"
        // The shortest settings: a minute each, one by flag and one by its variable.
        let arguments = ["--admin-token", admin, "--retention", "1m", "--snapshot-interval", "3600"]
        let environment = ["SENDPROMPTLY_IDEMPOTENCY_WINDOW": "60s"]
        var (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: arguments, environment: environment)
        let project = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: admin, json: #"{"name": "Retention"}"#)
        let key = try XCTUnwrap(project.body["api_key"] as? String)
        func receipt(_ event: String, baseURL: String) async throws -> HTTP.Reply {
            try await HTTP.send(
                .POST, "\(baseURL)/api/v1/receipt", bearer: key,
                json: #"{"provider": "stripe", "provider_event_id": "\#(event)", "event_type": "invoice.paid", "effect_type": "credit_grant", "timeout_minutes": 60}"#,
                idempotencyKey: "key-\(event)")
        }
        let first = try await receipt("evt_finished", baseURL: url)
        let second = try await receipt("evt_pending", baseURL: url)
        let finished = try XCTUnwrap(first.body["event_id"] as? String)
        let pending = try XCTUnwrap(second.body["event_id"] as? String)
        let result = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key, json: #"{"event_id": "\#(finished)", "status": "success"}"#,
            idempotencyKey: "result-\(finished)")
        XCTAssertEqual(result.status, 200)

        try await eventually("the finished event to leave", timeout: .seconds(120)) {
            try await HTTP.send(.GET, "\(url)/api/v1/events/\(finished)", bearer: key).status == 404 ? () : nil
        }
        let kept = try await HTTP.send(.GET, "\(url)/api/v1/events/\(pending)", bearer: key)
        XCTAssertEqual(kept.status, 200, "a pending event stays however old")
        XCTAssertEqual(kept.body["state"] as? String, "pending")
        // The idempotency window (a minute) has passed too: the same key is a new request, and the
        // provider's event that left is a new event.
        let again = try await receipt("evt_finished", baseURL: url)
        XCTAssertEqual(again.status, 202)
        XCTAssertNil(again.headers.first(name: "Idempotent-Replayed"))
        XCTAssertNotEqual(again.body["event_id"] as? String, finished)

        // Recovery replays the journal (no snapshot was written) under the same settings.
        server.signal(SIGKILL)
        _ = try await server.waitForExit()
        (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: arguments, environment: environment)
        let gone = try await HTTP.send(.GET, "\(url)/api/v1/events/\(finished)", bearer: key)
        XCTAssertEqual(gone.status, 404)
        XCTAssertEqual((gone.body["error"] as? [String: Any])?["code"] as? String, "not_found")
        let stillPending = try await HTTP.send(.GET, "\(url)/api/v1/events/\(pending)", bearer: key)
        XCTAssertEqual(stillPending.status, 200)
        let newEvent = try XCTUnwrap(again.body["event_id"] as? String)
        let recreated = try await HTTP.send(.GET, "\(url)/api/v1/events/\(newEvent)", bearer: key)
        XCTAssertEqual(recreated.status, 200, "the event made after the first left is the same after recovery")
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)
    }
}
