import HummingbirdTesting
import SendPromptlyCore
import XCTest

/// Retention over HTTP: what left the engine answers 404 `not_found`, like anything unknown.
final class RetentionFlowTests: XCTestCase {
    func testFinishedEventsAndResolvedIncidentsAnswerNotFoundAfterTheRetention() async throws {
        try await APIHarness.run(retention: RetentionPolicy(retentionSeconds: 300, idempotencyWindowSeconds: 60)) { api in
            let project = try await api.createProject()
            func eventID(_ provider: String) async throws -> String {
                let reply = try await api.receipt(project.key, eventID: provider)
                return try XCTUnwrap(reply.string("event_id"))
            }
            func incidentID(failing event: String) async throws -> String {
                let reply = try await api.result(project.key, eventID: event, status: "failed")
                return try XCTUnwrap(reply.string("incident_id"))
            }
            func status(_ path: String) async throws -> Int {
                try await api.get(path, project.key).status.code
            }
            let succeeded = try await eventID("evt_ok")
            let failed = try await eventID("evt_fail")
            let open = try await eventID("evt_open")
            let success = try await api.result(project.key, eventID: succeeded, status: "success")
            XCTAssertEqual(success.status, .ok)
            let incident = try await incidentID(failing: failed)
            let stays = try await incidentID(failing: open)
            // The failed event is repaired a minute later: a success resolves its incident.
            await api.advance(milliseconds: 60_000)
            let repaired = try await api.result(project.key, eventID: failed, status: "success")
            XCTAssertEqual(repaired.string("incident_status"), "resolved")

            // Five minutes after its result the succeeded event is gone; the one resolved later is not yet.
            await api.advance(milliseconds: 240_000 + 100)
            let gone = try await api.get("/api/v1/events/\(succeeded)", project.key)
            XCTAssertEqual(gone.status, .notFound)
            XCTAssertEqual(gone.errorCode, "not_found")
            var code = try await status("/api/v1/events/\(failed)")
            XCTAssertEqual(code, 200)
            code = try await status("/api/v1/incidents/\(incident)")
            XCTAssertEqual(code, 200)

            await api.advance(milliseconds: 60_000)
            code = try await status("/api/v1/events/\(failed)")
            XCTAssertEqual(code, 404)
            let incidentGone = try await api.get("/api/v1/incidents/\(incident)", project.key)
            XCTAssertEqual(incidentGone.status, .notFound)
            XCTAssertEqual(incidentGone.errorCode, "not_found")
            let late = try await api.result(project.key, eventID: failed, status: "success")
            XCTAssertEqual(late.status, .notFound, "a result for an event that left is for an unknown event")

            // The open incident and its event stay, and the listing shows only it.
            code = try await status("/api/v1/events/\(open)")
            XCTAssertEqual(code, 200)
            let listing = try await api.get("/api/v1/incidents", project.key)
            guard case .array(let incidents)? = listing["incidents"] else {
                return XCTFail("no incident list: \(String(describing: listing.body))")
            }
            XCTAssertEqual(incidents.compactMap { $0["id"] }, [.string(stays)])

            // A redelivery of the provider's event that left is a new event.
            let again = try await api.receipt(project.key, eventID: "evt_ok", idempotencyKey: "receipt-evt_ok-again")
            XCTAssertEqual(again.status, .accepted)
            XCTAssertNil(again["duplicate"])
            XCTAssertNotEqual(again.string("event_id"), succeeded)
        }
    }
}
