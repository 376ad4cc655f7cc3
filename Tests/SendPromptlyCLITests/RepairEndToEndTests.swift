import Foundation
import XCTest

/// The whole repair flow with the client examples as the merchant's repair endpoint: a failed
/// result opens an incident, reprocess makes the server POST a signed callback, the example
/// verifies it, reruns its effect and reports the result with the `replay_id`, and the incident
/// resolves; every step on the timeline.
final class RepairEndToEndTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-e2e-\(UUID().uuidString)").appendingPathComponent("data")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    func testNodeExampleRepairsAnIncident() async throws { try await repair(with: .node) }
    func testPythonExampleRepairsAnIncident() async throws { try await repair(with: .python) }
    func testPHPExampleRepairsAnIncident() async throws { try await repair(with: .php) }

    func testAFailedRepairPutsTheIncidentBackToOpen() async throws {
        try await repair(with: .node, effectOutcome: "failed")
    }

    private func repair(with language: ExampleLanguage, effectOutcome: String = "success") async throws {
        let (server, url) = try await Durability.start(dataDirectory)
        let created = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: Durability.adminToken, json: #"{"name": "E2E"}"#)
        let projectID = try XCTUnwrap(created.body["project_id"] as? String)
        let key = try XCTUnwrap(created.body["api_key"] as? String)
        let secret = try XCTUnwrap(created.body["signing_secret"] as? String)
        let stateDirectory = dataDirectory.deletingLastPathComponent().appendingPathComponent("repair-state")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let endpoint = try await ExampleEndpoint.start(language, environment: [
            "SENDPROMPTLY_URL": url, "SENDPROMPTLY_API_KEY": key, "SENDPROMPTLY_SIGNING_SECRET": secret,
            "REPAIR_EFFECT_OUTCOME": effectOutcome, "REPAIR_STATE_DIR": stateDirectory.path,
        ])
        let patched = try await HTTP.send(
            .PATCH, "\(url)/admin/v1/projects/\(projectID)", bearer: Durability.adminToken,
            json: #"{"repair_url": "\#(endpoint.repairURL)"}"#)
        XCTAssertEqual(patched.status, 200, "\(patched.body)")

        let receipt = try await HTTP.send(
            .POST, "\(url)/api/v1/receipt", bearer: key,
            json: #"{"provider": "stripe", "provider_event_id": "evt_e2e", "event_type": "checkout.session.completed", "effect_type": "access_unlock", "internal_reference": "user_42"}"#,
            idempotencyKey: "receipt-evt_e2e")
        let eventID = try XCTUnwrap(receipt.body["event_id"] as? String)
        let failed = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key, json: #"{"event_id": "\#(eventID)", "status": "failed", "error_code": "db_timeout"}"#,
            idempotencyKey: "result-evt_e2e")
        let incidentID = try XCTUnwrap(failed.body["incident_id"] as? String)
        let reprocess = try await HTTP.send(.POST, "\(url)/api/v1/incidents/\(incidentID)/reprocess", bearer: key)
        XCTAssertEqual(reprocess.status, 202)
        let replayID = try XCTUnwrap(reprocess.body["replay_id"] as? String)

        let expected = effectOutcome == "success" ? "resolved" : "open"
        let incident = try await eventually("the incident to be \(expected); endpoint said: \(endpoint.process.standardOutput)") {
            let incident = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(incidentID)", bearer: key).body
            let replay = (incident["replays"] as? [[String: Any]])?.last
            return incident["status"] as? String == expected && replay?["status"] as? String != "sending" ? incident : nil
        }

        let replay = try XCTUnwrap((incident["replays"] as? [[String: Any]])?.last)
        XCTAssertEqual(replay["replay_id"] as? String, replayID)
        XCTAssertEqual(replay["status"] as? String, effectOutcome == "success" ? "succeeded" : "failed")
        let attempts = try XCTUnwrap(replay["attempts"] as? [[String: Any]])
        XCTAssertEqual(attempts.count, 1)
        XCTAssertTrue((200..<300).contains(attempts[0]["status_code"] as? Int ?? 0), "the example accepted the signed callback: \(attempts)")
        let timeline = try XCTUnwrap(incident["timeline"] as? [[String: Any]])
        let kinds = timeline.compactMap { $0["kind"] as? String }
        for kind in ["receipt", "result", "replay_requested", "replay_attempt"] { XCTAssertTrue(kinds.contains(kind), "\(kinds)") }
        let replayResult = timeline.first { ($0["detail"] as? String)?.contains("(replay \(replayID))") == true }
        XCTAssertNotNil(replayResult, "the example's result names the replay: \(timeline)")
        if effectOutcome == "success" {
            XCTAssertEqual(incident["resolution"] as? String, "replay_success")
            XCTAssertTrue(kinds.contains("resolution"), "\(kinds)")
        }
        try await endpoint.stop()
        try await Durability.stop(server)
    }
}
