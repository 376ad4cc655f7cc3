import AsyncHTTPClient
import Foundation
import NIOCore
import XCTest

/// The limit flags of `sendpromptly serve` reach the running server: the per-project quota in
/// the engine and the header limits in the HTTP front, with the real binary.
final class LimitFlagsTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-limits-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    func testThePendingCapAndTheRateAreEnforcedWithTheirRetryAfter() async throws {
        let admin = "limits-admin-token-0123456789"
        // One receipt per 1000 s after a burst of two; one receipt may wait at a time.
        let (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: [
            "--admin-token", admin, "--rate-limit", "0.001", "--rate-limit-burst", "2", "--max-pending-per-project", "1",
        ])
        let project = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: admin, json: #"{"name": "Limits"}"#)
        let key = try XCTUnwrap(project.body["api_key"] as? String)
        func receipt(_ event: String) async throws -> HTTP.Reply {
            try await HTTP.send(
                .POST, "\(url)/api/v1/receipt", bearer: key,
                json: #"{"provider": "stripe", "provider_event_id": "\#(event)", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#,
                idempotencyKey: "key-\(event)")
        }
        let first = try await receipt("evt_1")
        XCTAssertEqual(first.status, 202)
        let overCap = try await receipt("evt_2")
        XCTAssertEqual(overCap.status, 429)
        XCTAssertEqual((overCap.body["error"] as? [String: Any])?["code"] as? String, "rate_limited")
        XCTAssertEqual(overCap.headers.first(name: "Retry-After"), "1", "the pending cap: a place frees up with any result")
        let overRate = try await receipt("evt_3")
        XCTAssertEqual(overRate.status, 429)
        let wait = try XCTUnwrap(overRate.headers.first(name: "Retry-After").flatMap(Int.init))
        XCTAssertGreaterThan(wait, 900, "the rate: a token every 1000 s")
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)
    }

    func testTooManyHeadersAre431() async throws {
        let (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: ["--max-header-count", "16"])
        var request = HTTPClientRequest(url: "\(url)/healthz")
        for index in 0..<20 { request.headers.add(name: "X-Extra-\(index)", value: "v") }
        let response = try await HTTP.client.execute(request, timeout: .seconds(30))
        XCTAssertEqual(response.status.code, 431)
        let body = try await response.body.collect(upTo: 1 << 16)
        XCTAssertTrue(String(buffer: body).contains("headers_too_large"))
        let healthy = try await HTTP.send(.GET, "\(url)/healthz")
        XCTAssertEqual(healthy.status, 200, "a request within the limit is served")
        server.signal(SIGTERM)
        _ = try await server.waitForExit()
    }
}
