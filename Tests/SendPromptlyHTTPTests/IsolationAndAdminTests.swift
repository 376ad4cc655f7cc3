import SendPromptlyCore
import XCTest

/// Projects never see each other (section 1), and the operator API of section 6.
final class IsolationAndAdminTests: XCTestCase {
    func testOneProjectsKeyCannotReadResolveOrConfirmAnotherProjectsThings() async throws {
        try await APIHarness.run { api in
            let alpha = try await api.createProject("Alpha")
            let beta = try await api.createProject("Beta")
            let receipt = try await api.receipt(beta.key, eventID: "evt_beta")
            let betaEvent = try XCTUnwrap(receipt.string("event_id"))
            let failed = try await api.result(beta.key, eventID: betaEvent, status: "failed")
            let betaIncident = try XCTUnwrap(failed.string("incident_id"))

            // Each request on Beta's things answers exactly what the same request on a thing that
            // does not exist answers.
            let pairs: [(APIHarness.Reply, APIHarness.Reply)] = [
                (try await api.get("/api/v1/events/\(betaEvent)", alpha.key),
                 try await api.get("/api/v1/events/ev_01DOESNOTEXIST", alpha.key)),
                (try await api.get("/api/v1/incidents/\(betaIncident)", alpha.key),
                 try await api.get("/api/v1/incidents/inc_01DOESNOTEXIST", alpha.key)),
                (try await api.request(.post, "/api/v1/incidents/\(betaIncident)/resolve", bearer: alpha.key),
                 try await api.request(.post, "/api/v1/incidents/inc_01DOESNOTEXIST/resolve", bearer: alpha.key)),
                (try await api.request(.post, "/api/v1/incidents/\(betaIncident)/reprocess", bearer: alpha.key),
                 try await api.request(.post, "/api/v1/incidents/inc_01DOESNOTEXIST/reprocess", bearer: alpha.key)),
                (try await api.result(alpha.key, eventID: betaEvent, status: "success"),
                 try await api.result(alpha.key, eventID: "ev_01DOESNOTEXIST", status: "success")),
                (try await api.request(
                    .post, "/api/v1/result", bearer: alpha.key, body: #"{"provider_event_id": "evt_beta", "status": "success"}"#,
                    idempotencyKey: "cross"),
                 try await api.request(
                    .post, "/api/v1/result", bearer: alpha.key, body: #"{"provider_event_id": "evt_none", "status": "success"}"#,
                    idempotencyKey: "none")),
            ]
            for (foreign, missing) in pairs {
                XCTAssertEqual(foreign.status, .notFound)
                XCTAssertEqual(foreign.errorCode, "not_found")
                XCTAssertEqual(foreign.status, missing.status)
                XCTAssertEqual(foreign.body, missing.body)
            }
            let alphaList = try await api.get("/api/v1/incidents", alpha.key)
            XCTAssertEqual(alphaList["incidents"], .array([]))

            // Beta's incident is untouched.
            let incident = try await api.get("/api/v1/incidents/\(betaIncident)", beta.key)
            XCTAssertEqual(incident.string("status"), "open")
            // The same provider event id in another project is a separate event, not a duplicate.
            let alphaReceipt = try await api.receipt(alpha.key, eventID: "evt_beta")
            XCTAssertNil(alphaReceipt["duplicate"])
            XCTAssertNotEqual(alphaReceipt["event_id"], receipt["event_id"])
        }
    }

    func testIdempotencyKeysAreScopedToTheProject() async throws {
        try await APIHarness.run { api in
            let alpha = try await api.createProject("Alpha")
            let beta = try await api.createProject("Beta")
            let first = try await api.receipt(alpha.key, eventID: "evt_a", idempotencyKey: "shared")
            let second = try await api.receipt(beta.key, eventID: "evt_b", idempotencyKey: "shared")
            XCTAssertEqual(second.status, .accepted)
            XCTAssertNil(second.headers[.init("Idempotent-Replayed")!])
            XCTAssertNotEqual(first["event_id"], second["event_id"])
        }
    }

    func testProjectLifecycleKeysAndSigningSecretRotation() async throws {
        try await APIHarness.run { api in
            let admin = APIHarness.adminToken
            let created = try await api.request(
                .post, "/admin/v1/projects", bearer: admin,
                body: #"{"name": "Shop", "mode": "test", "repair_url": "http://127.0.0.1:9000/repair", "alert_emails": ["ops@example.com"], "default_timeout_minutes": 15}"#)
            XCTAssertEqual(created.status, .created)
            XCTAssertEqual(created.string("mode"), "test")
            XCTAssertEqual(created["default_timeout_minutes"], 15)
            let projectID = try XCTUnwrap(created.string("project_id"))
            let apiKey = try XCTUnwrap(created.string("api_key"))
            XCTAssertTrue(apiKey.hasPrefix("sk_") && apiKey.count == 43)
            let secret = try XCTUnwrap(created.string("signing_secret"))
            XCTAssertTrue(secret.hasPrefix("sps_") && secret.count == 47)

            // The project's default timeout applies to receipts without their own.
            let receipt = try await api.receipt(apiKey)
            XCTAssertEqual(receipt.string("timeout_at"), RFC3339.format(api.clock.now().adding(seconds: 15 * 60)))

            let patched = try await api.request(
                .patch, "/admin/v1/projects/\(projectID)", bearer: admin,
                body: #"{"name": "Shop EU", "repair_url": null, "alert_emails": ["a@example.com", "b@example.com"]}"#)
            XCTAssertEqual(patched.status, .ok)
            XCTAssertEqual(patched.string("name"), "Shop EU")
            XCTAssertEqual(patched["repair_url"], .null)
            XCTAssertEqual(patched["alert_emails"], ["a@example.com", "b@example.com"])
            XCTAssertEqual(patched["default_timeout_minutes"], 15)

            let list = try await api.get("/admin/v1/projects", admin)
            guard case .array(let projects)? = list["projects"] else { return XCTFail("no list") }
            XCTAssertEqual(projects.count, 1)
            XCTAssertNil(projects[0]["signing_secret"], "lists never carry secrets")

            let keys = try await api.get("/admin/v1/projects/\(projectID)/keys", admin)
            guard case .array(let keyList)? = keys["keys"] else { return XCTFail("no keys") }
            XCTAssertEqual(keyList.count, 1)
            XCTAssertEqual(keyList[0]["scope"], "manage")
            XCTAssertNotEqual(keyList[0]["last_used_at"], .null, "the receipt above used the key")
            XCTAssertFalse(keys.body!.serialized.contains(apiKey), "a key is shown only when created")

            let rotated = try await api.request(.post, "/admin/v1/projects/\(projectID)/signing-secret/rotate", bearer: admin)
            let newSecret = try XCTUnwrap(rotated.string("signing_secret"))
            XCTAssertNotEqual(newSecret, secret)
            let shown = try await api.get("/admin/v1/projects/\(projectID)", admin)
            XCTAssertEqual(shown.string("signing_secret"), newSecret)
            let secrets = try await api.engine.read(on: try XCTUnwrap(ProjectID(projectID))) { state, now throws(EngineError) in
                try state.signingSecrets(project: ProjectID(projectID)!, now: now)
            }
            XCTAssertEqual(secrets, [newSecret, secret], "the old secret signs alongside during the grace period")
            api.clock.advance(seconds: 24 * 3600)
            let later = try await api.engine.read(on: try XCTUnwrap(ProjectID(projectID))) { state, now throws(EngineError) in
                try state.signingSecrets(project: ProjectID(projectID)!, now: now)
            }
            XCTAssertEqual(later, [newSecret])
        }
    }

    func testAdminInputIsValidated() async throws {
        try await APIHarness.run { api in
            let admin = APIHarness.adminToken
            let cases: [(String, String)] = [
                (#"{}"#, "name"),
                (#"{"name": "S", "repair_url": "http://repair.example.com/hook"}"#, "repair_url"),
                (#"{"name": "S", "repair_url": "ftp://example.com"}"#, "repair_url"),
                (#"{"name": "S", "alert_emails": ["not-an-email"]}"#, "alert_emails"),
                (#"{"name": "S", "alert_emails": "ops@example.com"}"#, "alert_emails"),
                (#"{"name": "S", "alert_emails": ["jörg@example.de"]}"#, "alert_emails"),
                (#"{"name": "S", "alert_emails": ["ops;rm@example.com"]}"#, "alert_emails"),
                (#"{"name": "S", "repair_url": "http://127.evil.example/hook"}"#, "repair_url"),
                (#"{"name": "S", "slack_webhook_url": "http://127.0.0.1.evil.example/x"}"#, "slack_webhook_url"),
                (#"{"name": "S", "default_timeout_minutes": 0}"#, "default_timeout_minutes"),
                (#"{"name": "S", "mode": "staging"}"#, "mode"),
                (#"{"name": "S", "slack_webhook_url": "http://hooks.example.com/x"}"#, "slack_webhook_url"),
            ]
            for (body, field) in cases {
                let reply = try await api.request(.post, "/admin/v1/projects", bearer: admin, body: body)
                XCTAssertEqual(reply.status, .unprocessableContent, body)
                XCTAssertEqual(reply.errorField, field, body)
            }
            let list = try await api.get("/admin/v1/projects", admin)
            XCTAssertEqual(list["projects"], .array([]), "no rejected project may be created")

            for bearer in [nil, "wrong-admin-token-0123456789", "sk_" + String(repeating: "a", count: 40)] as [String?] {
                let reply = try await api.request(.get, "/admin/v1/projects", bearer: bearer)
                XCTAssertEqual(reply.status, .unauthorized)
            }
            let project = try await api.createProject()
            let withKey = try await api.get("/admin/v1/projects", project.key)
            XCTAssertEqual(withKey.errorCode, "unauthorized", "a project key is not the admin token")
            let unknown = try await api.get("/admin/v1/projects/prj_01NOPE", admin)
            XCTAssertEqual(unknown.errorCode, "not_found")
            let badKey = try await api.request(.post, "/admin/v1/projects/\(project.id)/keys", bearer: admin, body: #"{"label": "x", "scope": "root"}"#)
            XCTAssertEqual(badKey.errorField, "scope")
        }
    }
}
