import HTTPTypes
import SendPromptlyCore
import SendPromptlyHTTP
import XCTest

/// Every error code of section 2 that this server produces, each with its status, and proof
/// that nothing of the refused request was applied.
final class ErrorContractTests: XCTestCase {
    private static let validReceipt = #"{"provider": "stripe", "provider_event_id": "evt_x", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#

    func testMalformedBodiesAreInvalidJSON() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for body in ["{not json", "[1, 2]", "\"text\"", "", "{\"a\": 1} trailing"] {
                let reply = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: body, idempotencyKey: "j")
                XCTAssertEqual(reply.status, .badRequest, body)
                XCTAssertEqual(reply.errorCode, "invalid_json", body)
            }
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0)
        }
    }

    func testFieldErrorsAreValidationErrorsNamingTheField() async throws {
        let cases: [(String, String)] = [
            (#"{"provider": "paypal", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant"}"#, "provider"),
            (#"{"provider": "stripe", "event_type": "t", "effect_type": "credit_grant"}"#, "provider_event_id"),
            (#"{"provider": "stripe", "provider_event_id": 12, "event_type": "t", "effect_type": "credit_grant"}"#, "provider_event_id"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "teleport"}"#, "effect_type"),
            (#"{"provider": "stripe", "provider_event_id": "e", "effect_type": "credit_grant"}"#, "event_type"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "timeout_minutes": 0}"#, "timeout_minutes"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "timeout_minutes": 10081}"#, "timeout_minutes"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "timeout_seconds": "60"}"#, "timeout_seconds"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "timeout_seconds": 60, "timeout_minutes": 1}"#, "timeout_seconds"),
            (#"{"provider": "shopify", "stripe_event_id": "e", "event_type": "t", "effect_type": "credit_grant"}"#, "stripe_event_id"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "occurred_at": "yesterday"}"#, "occurred_at"),
            (#"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "internal_reference": "\#(String(repeating: "r", count: 256))"}"#, "internal_reference"),
        ]
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for (index, (body, field)) in cases.enumerated() {
                let reply = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: body, idempotencyKey: "v\(index)")
                XCTAssertEqual(reply.status, .unprocessableContent, body)
                XCTAssertEqual(reply.errorCode, "validation_error", body)
                XCTAssertEqual(reply.errorField, field, body)
            }
            let resultCases: [(String, String)] = [
                (#"{"status": "success"}"#, "event_id"),
                (#"{"event_id": "ev_1", "provider_event_id": "e", "status": "success"}"#, "event_id"),
                (#"{"event_id": "ev_1", "status": "done"}"#, "status"),
                (#"{"event_id": "ev_1", "status": "failed", "error_code": "\#(String(repeating: "c", count: 101))"}"#, "error_code"),
            ]
            for (index, (body, field)) in resultCases.enumerated() {
                let reply = try await api.request(.post, "/api/v1/result", bearer: project.key, body: body, idempotencyKey: "r\(index)")
                XCTAssertEqual(reply.errorCode, "validation_error", body)
                XCTAssertEqual(reply.errorField, field, body)
            }
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0, "no rejected receipt may be applied")
        }
    }

    func testIdempotencyKeyIsRequiredAndChecked() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for key in [nil, "", String(repeating: "k", count: 256), "has space"] as [String?] {
                var headers: HTTPFields = [:]
                if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                let reply = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: Self.validReceipt, headers: headers)
                XCTAssertEqual(reply.status, .badRequest)
                XCTAssertEqual(reply.errorCode, "missing_idempotency_key")
            }
            let result = try await api.request(.post, "/api/v1/result", bearer: project.key, body: #"{"event_id": "ev_1", "status": "success"}"#)
            XCTAssertEqual(result.errorCode, "missing_idempotency_key")
        }
    }

    func testCredentialsAreCheckedAndRevocationIsImmediate() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let unknownKey = "sk_" + String(repeating: "A", count: 40)
            for bearer in [nil, "sk_short", unknownKey, APIHarness.adminToken] as [String?] {
                let reply = try await api.request(.post, "/api/v1/receipt", bearer: bearer, body: Self.validReceipt, idempotencyKey: "u")
                XCTAssertEqual(reply.status, .unauthorized)
                XCTAssertEqual(reply.errorCode, "unauthorized")
            }
            let basic = try await api.request(
                .get, "/api/v1/incidents", bearer: nil, headers: [.authorization: "Basic dXNlcjpwYXNz"])
            XCTAssertEqual(basic.errorCode, "unauthorized")

            let created = try await api.request(
                .post, "/admin/v1/projects/\(project.id)/keys", bearer: APIHarness.adminToken, body: #"{"label": "worker"}"#)
            XCTAssertEqual(created.status, .created)
            XCTAssertEqual(created.string("scope"), "ingest")
            let workerKey = try XCTUnwrap(created.string("api_key"))
            let keyID = try XCTUnwrap(created.string("key_id"))
            let before = try await api.receipt(workerKey, eventID: "evt_before")
            XCTAssertEqual(before.status, .accepted)

            let revoked = try await api.request(.delete, "/admin/v1/projects/\(project.id)/keys/\(keyID)", bearer: APIHarness.adminToken)
            XCTAssertEqual(revoked.status, .ok)
            XCTAssertNotEqual(revoked["revoked_at"], .null)
            let after = try await api.receipt(workerKey, eventID: "evt_after")
            XCTAssertEqual(after.status, .unauthorized)
            XCTAssertEqual(after.errorCode, "unauthorized")
            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 1)
        }
    }

    func testIngestKeysCannotResolveOrReprocess() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let created = try await api.request(
                .post, "/admin/v1/projects/\(project.id)/keys", bearer: APIHarness.adminToken,
                body: #"{"label": "ingest only", "scope": "ingest"}"#)
            let ingestKey = try XCTUnwrap(created.string("api_key"))
            let receipt = try await api.receipt(ingestKey)
            let failed = try await api.result(ingestKey, eventID: try XCTUnwrap(receipt.string("event_id")), status: "failed")
            let incidentID = try XCTUnwrap(failed.string("incident_id"))
            let read = try await api.get("/api/v1/incidents/\(incidentID)", ingestKey)
            XCTAssertEqual(read.status, .ok)
            for action in ["resolve", "reprocess"] {
                let reply = try await api.request(.post, "/api/v1/incidents/\(incidentID)/\(action)", bearer: ingestKey)
                XCTAssertEqual(reply.status, .forbidden, action)
                XCTAssertEqual(reply.errorCode, "forbidden", action)
            }
            let incident = try await api.get("/api/v1/incidents/\(incidentID)", ingestKey)
            XCTAssertEqual(incident.string("status"), "open")
        }
    }

    func testAcceptHeaderIsRequiredAndMustAllowJSON() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let missing = try await api.client.executeRequest(
                uri: "/api/v1/incidents", method: .get, headers: [.authorization: "Bearer \(project.key)"], body: nil)
            XCTAssertEqual(missing.status, .notAcceptable)
            XCTAssertEqual(try JSON.parse(Array(missing.body.readableBytesView))["error"]?["code"], "missing_accept_header")
            for accept in ["text/html", "application/json;q=0", "application/xml, text/plain"] {
                let reply = try await api.request(.get, "/api/v1/incidents", bearer: project.key, headers: [.accept: accept])
                XCTAssertEqual(reply.status, .notAcceptable, accept)
                XCTAssertEqual(reply.errorCode, "not_acceptable", accept)
            }
            for accept in ["*/*", "application/*", "text/html, application/json;q=0.5", "application/json; charset=utf-8"] {
                let reply = try await api.request(.get, "/api/v1/incidents", bearer: project.key, headers: [.accept: accept])
                XCTAssertEqual(reply.status, .ok, accept)
            }
        }
    }

    func testContentTypeMustBeJSON() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"] {
                let reply = try await api.request(
                    .post, "/api/v1/receipt", bearer: project.key, body: Self.validReceipt, idempotencyKey: "ct",
                    headers: [.contentType: contentType])
                XCTAssertEqual(reply.status, .unsupportedMediaType, contentType)
                XCTAssertEqual(reply.errorCode, "unsupported_media_type", contentType)
            }
            let charset = try await api.request(
                .post, "/api/v1/receipt", bearer: project.key, body: Self.validReceipt, idempotencyKey: "ct",
                headers: [.contentType: "application/json; charset=utf-8"])
            XCTAssertEqual(charset.status, .accepted)
        }
    }

    func testOversizedBodiesAndTooManyFieldsAre413() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let padding = String(repeating: "x", count: 17 * 1024)
            let large = #"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", "pad": "\#(padding)"}"#
            let tooLarge = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: large, idempotencyKey: "big")
            XCTAssertEqual(tooLarge.status, .contentTooLarge)
            XCTAssertEqual(tooLarge.errorCode, "payload_too_large")

            let fields = (0..<30).map { #""extra_\#($0)": 1"# }.joined(separator: ", ")
            let many = #"{"provider": "stripe", "provider_event_id": "e", "event_type": "t", "effect_type": "credit_grant", \#(fields)}"#
            let tooMany = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: many, idempotencyKey: "many")
            XCTAssertEqual(tooMany.status, .contentTooLarge)
            XCTAssertEqual(tooMany.errorCode, "too_many_fields")

            let pending = try await api.pendingReceipts(project: project.id)
            XCTAssertEqual(pending, 0)
            // The server keeps serving after each refusal.
            let valid = try await api.request(.post, "/api/v1/receipt", bearer: project.key, body: Self.validReceipt, idempotencyKey: "ok")
            XCTAssertEqual(valid.status, .accepted)
        }
    }

    func testUnknownRoutesAndUnknownIdsAreNotFound() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject()
            let route = try await api.get("/api/v2/receipt", project.key)
            XCTAssertEqual(route.status, .notFound)
            XCTAssertEqual(route.errorCode, "not_found")
            for path in ["/api/v1/events/ev_nope", "/api/v1/events/garbage", "/api/v1/incidents/inc_nope"] {
                let reply = try await api.get(path, project.key)
                XCTAssertEqual(reply.status, .notFound, path)
                XCTAssertEqual(reply.errorCode, "not_found", path)
            }
            let result = try await api.result(project.key, eventID: "ev_01NOTHERE", status: "success")
            XCTAssertEqual(result.errorCode, "not_found")
        }
    }

    func testReprocessAnswersAReplayOrAConflict() async throws {
        try await APIHarness.run { api in
            let withoutURL = try await api.createProject("No URL")
            let receipt = try await api.receipt(withoutURL.key)
            let failed = try await api.result(withoutURL.key, eventID: try XCTUnwrap(receipt.string("event_id")), status: "failed")
            let incidentID = try XCTUnwrap(failed.string("incident_id"))
            let noURL = try await api.request(.post, "/api/v1/incidents/\(incidentID)/reprocess", bearer: withoutURL.key)
            XCTAssertEqual(noURL.status, .conflict)
            XCTAssertEqual(noURL.errorCode, "conflict")
            XCTAssertTrue(try XCTUnwrap(noURL.body?["error"]?["message"]).serialized.contains("repair URL"))

            let withURL = try await api.createProject("With URL", extra: #", "repair_url": "https://repair.example.com/hook""#)
            let other = try await api.receipt(withURL.key)
            let eventID = try XCTUnwrap(other.string("event_id"))
            let otherFailed = try await api.result(withURL.key, eventID: eventID, status: "failed")
            let otherIncident = try XCTUnwrap(otherFailed.string("incident_id"))
            let accepted = try await api.request(.post, "/api/v1/incidents/\(otherIncident)/reprocess", bearer: withURL.key)
            XCTAssertEqual(accepted.status, .accepted)
            let replayID = try XCTUnwrap(accepted.string("replay_id"))
            XCTAssertTrue(replayID.hasPrefix("rpl_"))
            XCTAssertEqual(accepted.string("status"), "reprocessing")
            let incident = try await api.get("/api/v1/incidents/\(otherIncident)", withURL.key)
            XCTAssertEqual(incident.string("status"), "reprocessing")
            guard case .array(let replays)? = incident["replays"], let replay = replays.first else { return XCTFail("no replay listed") }
            XCTAssertEqual(replay["replay_id"], .string(replayID))
            XCTAssertEqual(replay["status"], .string("sending"))

            let foreign = try await api.result(withURL.key, eventID: eventID, status: "success", extra: #", "replay_id": "rpl_01NOTTHEONE""#)
            XCTAssertEqual(foreign.errorCode, "validation_error")
            let repaired = try await api.result(withURL.key, eventID: eventID, status: "success", extra: #", "replay_id": "\#(replayID)""#)
            XCTAssertEqual(repaired.string("incident_status"), "resolved")
            let resolvedIncident = try await api.get("/api/v1/incidents/\(otherIncident)", withURL.key)
            XCTAssertEqual(resolvedIncident.string("resolution"), "replay_success")

            let resolved = try await api.request(.post, "/api/v1/incidents/\(otherIncident)/reprocess", bearer: withURL.key)
            XCTAssertEqual(resolved.status, .conflict)
            XCTAssertTrue(try XCTUnwrap(resolved.body?["error"]?["message"]).serialized.contains("resolved"))
        }
    }

    func testBulkReprocessValidatesItsSelection() async throws {
        try await APIHarness.run { api in
            let project = try await api.createProject("Bulk", extra: #", "repair_url": "https://repair.example.com/hook""#)
            for index in 0..<3 {
                let receipt = try await api.receipt(project.key, eventID: "evt_bulk_\(index)")
                _ = try await api.result(project.key, eventID: try XCTUnwrap(receipt.string("event_id")), status: "failed")
            }
            for (body, field) in [
                (#"{}"#, "since"), (#"{"since": "yesterday"}"#, "since"),
                (#"{"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}"#, "until"),
                (#"{"since": "2026-01-01T00:00:00Z", "limit": 0}"#, "limit"),
                (#"{"since": "2026-01-01T00:00:00Z", "effect_type": "teleport"}"#, "effect_type"),
            ] {
                let refused = try await api.request(.post, "/api/v1/incidents/reprocess", bearer: project.key, body: body)
                XCTAssertEqual(refused.status, .unprocessableContent, body)
                XCTAssertEqual(refused.body?["error"]?["field"], .string(field), body)
            }
            let since = RFC3339.format(api.clock.now().adding(seconds: -60))
            let bulk = try await api.request(
                .post, "/api/v1/incidents/reprocess", bearer: project.key, body: #"{"since": "\#(since)", "effect_type": "access_unlock", "limit": 2}"#)
            XCTAssertEqual(bulk.status, .accepted)
            XCTAssertEqual(bulk["count"], .integer(2))
            XCTAssertEqual(bulk["truncated"], .bool(true))
            let open = try await api.get("/api/v1/incidents?status=open", project.key)
            guard case .array(let remaining)? = open["incidents"] else { return XCTFail("no listing") }
            XCTAssertEqual(remaining.count, 1, "the third incident was past the limit")
        }
    }

    func testEverythingButHealthIsUnavailableUntilReady() async throws {
        try await APIHarness.run { api in
            api.readiness.set(false)
            let ready = try await api.get("/readyz", APIHarness.adminToken)
            XCTAssertEqual(ready.status, .serviceUnavailable)
            XCTAssertEqual(ready.errorCode, "unavailable")
            let health = try await api.get("/healthz", APIHarness.adminToken)
            XCTAssertEqual(health.status, .ok)
            let projects = try await api.get("/admin/v1/projects", APIHarness.adminToken)
            XCTAssertEqual(projects.status, .serviceUnavailable)
            XCTAssertEqual(projects.errorCode, "unavailable")
            api.readiness.set(true)
            let readyAgain = try await api.get("/readyz", APIHarness.adminToken)
            XCTAssertEqual(readyAgain.status, .ok)
        }
    }
}
