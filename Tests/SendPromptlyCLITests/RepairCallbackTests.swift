import Foundation
import XCTest

/// Repair callbacks end to end: the real server, its repair dispatcher, and a real HTTP repair
/// endpoint on loopback answering by a script (section 5 of the wire contract).
final class RepairCallbackTests: XCTestCase {
    private var dataDirectory: URL!
    private var endpoints: [ScriptedRepairEndpoint] = []

    /// Short retry delays and time-outs, so that a whole schedule runs in a second.
    private let fastRetries = ["--repair-retry-schedule", "0.05,0.1,0.1", "--repair-timeout", "0.5"]

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-repair-\(UUID().uuidString)").appendingPathComponent("data")
    }

    override func tearDown() {
        endpoints.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    private struct Project {
        let id: String
        let key: String
        let signingSecret: String
    }

    private func endpoint(_ answers: [ScriptedRepairEndpoint.Answer], then fallback: ScriptedRepairEndpoint.Answer = .status(200)) async throws -> (ScriptedRepairEndpoint, String) {
        let endpoint = ScriptedRepairEndpoint(answers: answers, then: fallback)
        endpoints.append(endpoint)
        return (endpoint, try await endpoint.start())
    }

    private func createProject(_ url: String, repairURL: String) async throws -> Project {
        let reply = try await HTTP.send(
            .POST, "\(url)/admin/v1/projects", bearer: Durability.adminToken,
            json: #"{"name": "Repairs", "repair_url": "\#(repairURL)"}"#)
        XCTAssertEqual(reply.status, 201, "\(reply.body)")
        return Project(
            id: try XCTUnwrap(reply.body["project_id"] as? String), key: try XCTUnwrap(reply.body["api_key"] as? String),
            signingSecret: try XCTUnwrap(reply.body["signing_secret"] as? String))
    }

    /// A receipt and a `failed` result: answers the event and its open incident.
    private func failedIncident(_ url: String, _ project: Project, _ providerEventID: String, effect: String = "credit_grant") async throws -> (event: String, incident: String) {
        let receipt = try await HTTP.send(
            .POST, "\(url)/api/v1/receipt", bearer: project.key,
            json: #"{"provider": "stripe", "provider_event_id": "\#(providerEventID)", "event_type": "invoice.paid", "effect_type": "\#(effect)", "internal_reference": "order-\#(providerEventID)"}"#,
            idempotencyKey: "r-\(providerEventID)")
        let eventID = try XCTUnwrap(receipt.body["event_id"] as? String)
        let failed = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: project.key,
            json: #"{"event_id": "\#(eventID)", "status": "failed", "error_code": "db_timeout", "error_message": "grant failed"}"#,
            idempotencyKey: "f-\(providerEventID)")
        return (eventID, try XCTUnwrap(failed.body["incident_id"] as? String))
    }

    private func reprocess(_ url: String, _ project: Project, _ incident: String) async throws -> String {
        let reply = try await HTTP.send(.POST, "\(url)/api/v1/incidents/\(incident)/reprocess", bearer: project.key)
        XCTAssertEqual(reply.status, 202, "\(reply.body)")
        return try XCTUnwrap(reply.body["replay_id"] as? String)
    }

    /// The incident once `condition` holds; the server is polled until then, within `timeout`.
    private func incident(
        _ url: String, _ project: Project, _ id: String, timeout: Duration = .seconds(30),
        until condition: @escaping @Sendable ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        try await eventually("incident \(id) to reach the expected state", timeout: timeout) {
            let incident = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(id)", bearer: project.key).body
            return condition(incident) ? incident : nil
        }
    }

    private static func replay(_ incident: [String: Any]) -> [String: Any] {
        (incident["replays"] as? [[String: Any]])?.last ?? [:]
    }

    private static func replayStatus(_ status: String) -> @Sendable ([String: Any]) -> Bool {
        { replay($0)["status"] as? String == status }
    }

    private static func attempts(_ incident: [String: Any]) -> [[String: Any]] {
        replay(incident)["attempts"] as? [[String: Any]] ?? []
    }

    func testServerErrorsAreRetriedWithOneReplayIDFreshNoncesAndValidSignatures() async throws {
        let (endpoint, repairURL) = try await endpoint([.status(500), .status(503)])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let (eventID, incidentID) = try await failedIncident(url, project, "evt_retry")
        let replayID = try await reprocess(url, project, incidentID)

        let callbacks = try await endpoint.waitForCallbacks(3)
        XCTAssertEqual(callbacks.count, 3)
        XCTAssertEqual(Set(callbacks.map { $0.json["replay_id"] as? String }), [replayID], "one replay_id on every attempt")
        XCTAssertEqual(callbacks.map { $0.json["attempt"] as? Int }, [1, 2, 3])
        XCTAssertEqual(Set(callbacks.map(\.nonce)).count, 3, "a new nonce per attempt")
        for callback in callbacks {
            XCTAssertNotNil(callback.nonce.wholeMatch(of: /[0-9a-f]{32}/), callback.nonce)
            XCTAssertEqual(callback.signatures, [callback.expectedSignature(secret: project.signingSecret)])
            XCTAssertEqual(callback.headers["content-type"], "application/json")
            let sent = try XCTUnwrap(TimeInterval(callback.timestamp))
            XCTAssertLessThan(abs(sent - Date().timeIntervalSince1970), 60)
            let body = callback.json
            XCTAssertEqual(body["type"] as? String, "reprocess.requested")
            XCTAssertEqual(body["incident_id"] as? String, incidentID)
            XCTAssertEqual(body["event_id"] as? String, eventID)
            XCTAssertEqual(body["project_id"] as? String, project.id)
            XCTAssertEqual(body["provider_event_id"] as? String, "evt_retry")
            XCTAssertEqual(body["effect_type"] as? String, "credit_grant")
            XCTAssertEqual(body["internal_reference"] as? String, "order-evt_retry")
            XCTAssertEqual(body["incident_reason"] as? String, "failed")
            XCTAssertEqual((body["last_error"] as? [String: Any])?["code"] as? String, "db_timeout")
            for field in ["mode", "provider", "event_type", "requested_at"] { XCTAssertNotNil(body[field] as? String, field) }
            XCTAssertTrue(body.keys.contains("occurred_at"))
        }

        let delivered = try await incident(url, project, incidentID, until: Self.replayStatus("awaiting_result"))
        XCTAssertEqual(delivered["status"] as? String, "reprocessing", "delivered is not repaired")
        XCTAssertEqual(Self.attempts(delivered).map { $0["status_code"] as? Int }, [500, 503, 200])
        let timeline = try XCTUnwrap(delivered["timeline"] as? [[String: Any]])
        XCTAssertEqual(timeline.filter { $0["kind"] as? String == "replay_attempt" }.count, 3)

        let repaired = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: project.key,
            json: #"{"event_id": "\#(eventID)", "status": "success", "replay_id": "\#(replayID)"}"#, idempotencyKey: "repair-\(replayID)")
        XCTAssertEqual(repaired.body["incident_status"] as? String, "resolved")
        let resolved = try await incident(url, project, incidentID) { $0["status"] as? String == "resolved" }
        XCTAssertEqual(resolved["resolution"] as? String, "replay_success")
        XCTAssertEqual(Self.replay(resolved)["status"] as? String, "succeeded")
        try await Durability.stop(server)
    }

    func testAClientErrorHaltsAfterOneAttemptAndReopensTheIncident() async throws {
        let (endpoint, repairURL) = try await endpoint([.status(400)])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_halt")
        _ = try await reprocess(url, project, incidentID)

        let halted = try await incident(url, project, incidentID, until: Self.replayStatus("halted"))
        XCTAssertEqual(halted["status"] as? String, "open")
        XCTAssertEqual(Self.attempts(halted).map { $0["status_code"] as? Int }, [400])
        XCTAssertEqual(endpoint.callbacks.count, 1, "a 4xx is not retried")
        try await Durability.stop(server)
    }

    func testARedirectIsNotFollowed() async throws {
        let (target, targetURL) = try await endpoint([])
        let (endpoint, repairURL) = try await endpoint([.status(307, location: targetURL)])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_redirect")
        _ = try await reprocess(url, project, incidentID)

        let halted = try await incident(url, project, incidentID, until: Self.replayStatus("halted"))
        XCTAssertEqual(Self.attempts(halted).first?["status_code"] as? Int, 307)
        XCTAssertEqual(endpoint.callbacks.count, 1)
        XCTAssertTrue(target.callbacks.isEmpty, "the Location was never requested")
        try await Durability.stop(server)
    }

    func testAnEndpointThatNeverAnswersIsRetriedUntilTheScheduleIsExhausted() async throws {
        let (endpoint, repairURL) = try await endpoint([], then: .hang)
        let (server, url) = try await Durability.start(dataDirectory, ["--repair-retry-schedule", "0.05,0.05", "--repair-timeout", "0.3"])
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_silent")
        _ = try await reprocess(url, project, incidentID)

        let exhausted = try await incident(url, project, incidentID, until: Self.replayStatus("exhausted"))
        XCTAssertEqual(exhausted["status"] as? String, "open")
        let attempts = Self.attempts(exhausted)
        XCTAssertEqual(attempts.count, 3)
        for attempt in attempts {
            XCTAssertTrue(attempt["status_code"] is NSNull, "\(attempt)")
            XCTAssertTrue((attempt["error"] as? String)?.contains("timed out") == true, "\(attempt)")
        }
        XCTAssertEqual(endpoint.callbacks.count, 3)
        try await Durability.stop(server)
    }

    func testAnAnswerWhoseBodyNeverEndsTimesOut() async throws {
        let (endpoint, repairURL) = try await endpoint([], then: .trickle)
        let (server, url) = try await Durability.start(dataDirectory, ["--repair-retry-schedule", "0.05", "--repair-timeout", "0.3"])
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_trickle")
        _ = try await reprocess(url, project, incidentID)

        let exhausted = try await incident(url, project, incidentID, until: Self.replayStatus("exhausted"))
        let attempts = Self.attempts(exhausted)
        XCTAssertEqual(attempts.count, 2)
        XCTAssertTrue(attempts.allSatisfy { ($0["error"] as? String)?.contains("timed out") == true }, "\(attempts)")
        XCTAssertEqual(endpoint.callbacks.count, 2)
        try await Durability.stop(server)
    }

    func testRetryAfterIsHonoured() async throws {
        let (_, repairURL) = try await endpoint([.status(429, retryAfter: "1")])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_busy")
        _ = try await reprocess(url, project, incidentID)

        let delivered = try await incident(url, project, incidentID, until: Self.replayStatus("awaiting_result"))
        let times = Self.attempts(delivered).compactMap { ($0["at"] as? String).flatMap(Durability.parseTime) }
        XCTAssertEqual(times.count, 2)
        XCTAssertGreaterThanOrEqual(times[1].timeIntervalSince(times[0]), 1.0, "not before the receiver's Retry-After")
        try await Durability.stop(server)
    }

    func testARotatedSecretSignsAlongsideTheNewOne() async throws {
        let (endpoint, repairURL) = try await endpoint([])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let rotated = try await HTTP.send(.POST, "\(url)/admin/v1/projects/\(project.id)/signing-secret/rotate", bearer: Durability.adminToken)
        let newSecret = try XCTUnwrap(rotated.body["signing_secret"] as? String)
        let (_, incidentID) = try await failedIncident(url, project, "evt_rotate")
        _ = try await reprocess(url, project, incidentID)

        let callbacks = try await endpoint.waitForCallbacks(1)
        let callback = try XCTUnwrap(callbacks.first)
        XCTAssertEqual(callback.signatures, [callback.expectedSignature(secret: newSecret), callback.expectedSignature(secret: project.signingSecret)])
        try await Durability.stop(server)
    }

    func testBulkReprocessSendsOneCallbackPerMatchingIncident() async throws {
        let (endpoint, repairURL) = try await endpoint([])
        let (server, url) = try await Durability.start(dataDirectory, fastRetries)
        let project = try await createProject(url, repairURL: repairURL)
        let first = try await failedIncident(url, project, "evt_bulk_1")
        _ = try await failedIncident(url, project, "evt_bulk_2", effect: "access_unlock")
        let third = try await failedIncident(url, project, "evt_bulk_3")
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-300))
        let bulk = try await HTTP.send(
            .POST, "\(url)/api/v1/incidents/reprocess", bearer: project.key,
            json: #"{"since": "\#(since)", "effect_type": "credit_grant"}"#)
        XCTAssertEqual(bulk.status, 202, "\(bulk.body)")
        XCTAssertEqual(bulk.body["count"] as? Int, 2)

        let callbacks = try await endpoint.waitForCallbacks(2)
        XCTAssertEqual(Set(callbacks.compactMap { $0.json["incident_id"] as? String }), [first.incident, third.incident])
        XCTAssertEqual(Set(callbacks.compactMap { $0.json["replay_id"] as? String }).count, 2, "a replay per incident")
        try await Durability.stop(server)
    }

    func testInternalAddressesAreRefusedUnlessAllowed() async throws {
        let (server, url) = try await Durability.start(dataDirectory, fastRetries + ["--allow-insecure-repair-urls"])
        let project = try await createProject(url, repairURL: "http://169.254.169.254/latest/meta-data")
        let (_, incidentID) = try await failedIncident(url, project, "evt_metadata")
        _ = try await reprocess(url, project, incidentID)

        let halted = try await incident(url, project, incidentID, until: Self.replayStatus("halted"))
        let error = try XCTUnwrap(Self.attempts(halted).first?["error"] as? String)
        XCTAssertTrue(error.contains("169.254.169.254") && error.contains("link-local"), error)
        try await Durability.stop(server)
    }

    func testAnAttemptCutShortByACrashIsSentAgainAfterRestart() async throws {
        let (endpoint, repairURL) = try await endpoint([.hang])
        let (server, url) = try await Durability.start(dataDirectory, ["--repair-timeout", "60"])
        let project = try await createProject(url, repairURL: repairURL)
        let (_, incidentID) = try await failedIncident(url, project, "evt_crash")
        let replayID = try await reprocess(url, project, incidentID)
        _ = try await endpoint.waitForCallbacks(1)
        try await Durability.kill(server)

        let (restarted, restartedURL) = try await Durability.start(dataDirectory, fastRetries)
        let callbacks = try await endpoint.waitForCallbacks(2)
        XCTAssertEqual(callbacks[1].json["replay_id"] as? String, replayID, "the same replay resumes")
        XCTAssertEqual(callbacks[1].json["attempt"] as? Int, 1, "the cut-short attempt was never recorded")
        XCTAssertNotEqual(callbacks[0].nonce, callbacks[1].nonce)
        let delivered = try await incident(restartedURL, project, incidentID, until: Self.replayStatus("awaiting_result"))
        XCTAssertEqual(Self.attempts(delivered).map { $0["status_code"] as? Int }, [200])
        try await Durability.stop(restarted)
    }
}
