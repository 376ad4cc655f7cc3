import Prometheus
import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The metrics in a registry of the test's own (nothing global), over the HTTP API and the
/// engine with a manual clock.
final class MetricsTests: XCTestCase {
    private static func sample(_ name: String, in registry: PrometheusCollectorRegistry) -> Double? {
        registry.emitToString().split(separator: "\n").first { $0.hasPrefix(name + " ") }
            .flatMap { Double($0.split(separator: " ").last!) }
    }

    func testAnyFrontRecordsRequestsByRouteAndStatusInTheInjectedRegistry() {
        let registry = PrometheusCollectorRegistry()
        let metrics = ServerMetrics(registry: registry)
        for status in [202, 202, 409] {
            metrics.http.record(route: "/api/v1/receipt", status: status, nanoseconds: 2_000_000)
        }
        XCTAssertEqual(Self.sample(#"sendpromptly_http_requests_total{route="/api/v1/receipt",status="202"}"#, in: registry), 2)
        XCTAssertEqual(Self.sample(#"sendpromptly_http_requests_total{route="/api/v1/receipt",status="409"}"#, in: registry), 1)
        XCTAssertEqual(Self.sample(#"sendpromptly_http_request_duration_seconds_count{route="/api/v1/receipt"}"#, in: registry), 3)
        XCTAssertEqual(Self.sample(#"sendpromptly_http_request_duration_seconds_bucket{route="/api/v1/receipt",le="0.001"}"#, in: registry), 0)
        XCTAssertEqual(Self.sample(#"sendpromptly_http_request_duration_seconds_bucket{route="/api/v1/receipt",le="0.0025"}"#, in: registry), 3)
        XCTAssertNil(
            Self.sample(#"sendpromptly_http_requests_total{route="/api/v1/receipt",status="202"}"#, in: PrometheusCollectorRegistry()),
            "another registry sees none of it")
    }

    func testTimeoutsAndScrapesCountEachEventOnce() async throws {
        let registry = PrometheusCollectorRegistry()
        try await APIHarness.run(.router, metrics: ServerMetrics(registry: registry)) { api in
            let project = try await api.createProject()
            for index in 1...3 {
                let receipt = try await api.receipt(project.key, eventID: "evt_\(index)", extra: #", "timeout_seconds": 60"#)
                XCTAssertEqual(receipt.status, .accepted)
            }
            let scrape = try await api.client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            XCTAssertEqual(scrape.status, .ok)
            XCTAssertEqual(scrape.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
            XCTAssertTrue(String(buffer: scrape.body).contains("sendpromptly_receipts_total 3"))
            let pending = (0..<2).compactMap { Self.sample(#"sendpromptly_pending_receipts{shard="\#($0)"}"#, in: registry) }
            XCTAssertEqual(pending.reduce(0, +), 3)

            await api.advance(milliseconds: 61_000)
            for _ in 0..<2 {
                _ = try await api.client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            }
            XCTAssertEqual(Self.sample(#"sendpromptly_incidents_opened_total{reason="timeout"}"#, in: registry), 3, "scraped twice, counted once")
            XCTAssertEqual(Self.sample("sendpromptly_receipts_total", in: registry), 3)
            let pendingAfter = (0..<2).compactMap { Self.sample(#"sendpromptly_pending_receipts{shard="\#($0)"}"#, in: registry) }
            XCTAssertEqual(pendingAfter.reduce(0, +), 0)
            XCTAssertEqual(Self.sample(#"sendpromptly_http_requests_total{route="/metrics",status="200"}"#, in: registry), 3)
        }
    }
}
