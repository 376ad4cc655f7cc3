import HTTPTypes
import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// The per-project quota as a client sees it: 429 `rate_limited` with `Retry-After`, nothing
/// applied, and room again once the wait is over (the engine's clock is a manual one).
final class QuotaTests: XCTestCase {
    func testOverTheRateAReceiptIs429WithRetryAfterAndIsNotApplied() async throws {
        let quota = IngestQuota(rate: .init(perSecond: 0.5, burst: 2), maximumPendingPerProject: nil)
        try await APIHarness.run(quota: quota) { api in
            let project = try await api.createProject()
            let other = try await api.createProject("Other")
            for index in 0..<2 {
                let accepted = try await api.receipt(project.key, eventID: "evt_\(index)")
                XCTAssertEqual(accepted.status, .accepted)
            }
            let refused = try await api.receipt(project.key, eventID: "evt_2")
            XCTAssertEqual(refused.status, .tooManyRequests)
            XCTAssertEqual(refused.errorCode, "rate_limited")
            XCTAssertEqual(refused.headers[.retryAfter], "2", "one token every 2 s")
            let result = try await api.result(project.key, eventID: "ev_unknown", status: "success")
            XCTAssertEqual(result.errorCode, "rate_limited", "results count against the same rate")
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 2)
            let otherAccepted = try await api.receipt(other.key, eventID: "evt_2")
            XCTAssertEqual(otherAccepted.status, .accepted, "another project has its own rate")

            await api.advance(milliseconds: 2000)
            let later = try await api.receipt(project.key, eventID: "evt_2")
            XCTAssertEqual(later.status, .accepted, "after Retry-After the receipt goes through")
        }
    }

    func testAProjectAtItsPendingCapGets429UntilAResultFreesAPlace() async throws {
        try await APIHarness.run(quota: IngestQuota(rate: nil, maximumPendingPerProject: 2)) { api in
            let project = try await api.createProject()
            let first = try await api.receipt(project.key, eventID: "evt_1")
            _ = try await api.receipt(project.key, eventID: "evt_2")
            let refused = try await api.receipt(project.key, eventID: "evt_3")
            XCTAssertEqual(refused.status, .tooManyRequests)
            XCTAssertEqual(refused.errorCode, "rate_limited")
            XCTAssertEqual(refused.headers[.retryAfter], "1")
            let repeated = try await api.receipt(project.key, eventID: "evt_1", idempotencyKey: "redelivery")
            XCTAssertEqual(repeated.status, .accepted, "a provider redelivery is answered at the cap")
            let eventID = try XCTUnwrap(first.string("event_id"))
            let result = try await api.result(project.key, eventID: eventID, status: "success")
            XCTAssertEqual(result.status, .ok)
            let accepted = try await api.receipt(project.key, eventID: "evt_3")
            XCTAssertEqual(accepted.status, .accepted)
        }
    }
}
