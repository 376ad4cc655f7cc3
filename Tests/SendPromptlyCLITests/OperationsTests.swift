import AsyncHTTPClient
import Foundation
import NIOCore
import XCTest

/// Metrics, secrets at rest and the audit trail, with the real binary.
final class OperationsTests: XCTestCase {
    private var dataDirectory: URL!

    override func setUp() {
        dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sendpromptly-operations-\(UUID().uuidString)")
            .appendingPathComponent("data")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    /// `GET url` as text, with an optional bearer token.
    private func text(_ url: String, bearer: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The value of the sample `name` (with its labels, as exposed) in a scrape; nil when absent.
    private func sample(_ name: String, in scrape: String) -> Double? {
        scrape.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    func testMetricsCountRequestsAndEngineWorkBehindTheirToken() async throws {
        let metricsToken = "metrics-token-0123456789"
        let (server, url) = try await Durability.start(
            dataDirectory, ["--metrics-token", metricsToken, "--snapshot-interval", "1"])
        let anonymous = try await text("\(url)/metrics")
        XCTAssertEqual(anonymous.status, 401)
        let wrong = try await text("\(url)/metrics", bearer: "metrics-token-wrong-000000")
        XCTAssertEqual(wrong.status, 401)

        let key = try await Durability.createProject(url)
        let receipt = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_m1"), idempotencyKey: "m-1")
        XCTAssertEqual(receipt.status, 202)
        let replayed = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_m1"), idempotencyKey: "m-1")
        XCTAssertEqual(replayed.status, 202)
        let eventID = try XCTUnwrap(receipt.body["event_id"] as? String)
        let result = try await HTTP.send(.POST, "\(url)/api/v1/result", bearer: key, json: Durability.resultBody(eventID, "failed"), idempotencyKey: "m-2")
        let incidentID = try XCTUnwrap(result.body["incident_id"] as? String)
        let resolved = try await HTTP.send(.POST, "\(url)/api/v1/incidents/\(incidentID)/resolve", bearer: key, json: "{}")
        XCTAssertEqual(resolved.status, 200)
        _ = try await HTTP.send(.GET, "\(url)/api/v1/nowhere", bearer: key)

        let scrape = try await eventually("a snapshot in the metrics") { () async throws -> String? in
            let scrape = try await text("\(url)/metrics", bearer: metricsToken)
            XCTAssertEqual(scrape.status, 200)
            return (sample("sendpromptly_snapshot_duration_seconds_count", in: scrape.body) ?? 0) >= 1 ? scrape.body : nil
        }
        XCTAssertEqual(sample("sendpromptly_receipts_total", in: scrape), 1, "the replayed receipt is not counted again")
        XCTAssertEqual(sample("sendpromptly_results_total", in: scrape), 1)
        XCTAssertEqual(sample(#"sendpromptly_incidents_opened_total{reason="failed"}"#, in: scrape), 1)
        XCTAssertEqual(sample(#"sendpromptly_incidents_opened_total{reason="timeout"}"#, in: scrape), 0)
        XCTAssertEqual(sample(#"sendpromptly_incidents_resolved_total{reason="manual"}"#, in: scrape), 1)
        XCTAssertEqual(sample(#"sendpromptly_http_requests_total{route="/api/v1/receipt",status="202"}"#, in: scrape), 2)
        XCTAssertEqual(sample(#"sendpromptly_http_requests_total{route="/admin/v1/projects",status="201"}"#, in: scrape), 1)
        XCTAssertEqual(sample(#"sendpromptly_http_requests_total{route="NotFound",status="404"}"#, in: scrape), 1)
        XCTAssertEqual(sample(#"sendpromptly_http_request_duration_seconds_count{route="/api/v1/receipt"}"#, in: scrape), 2)
        XCTAssertGreaterThanOrEqual(sample("sendpromptly_journal_fsync_seconds_count", in: scrape) ?? 0, 1)
        XCTAssertGreaterThan(sample("sendpromptly_snapshot_bytes", in: scrape) ?? 0, 0)
        let pending = scrape.split(separator: "\n").filter { $0.hasPrefix("sendpromptly_pending_receipts{shard=") }
        XCTAssertFalse(pending.isEmpty, scrape)
        XCTAssertEqual(pending.compactMap { Double($0.split(separator: " ").last!) }.reduce(0, +), 0, "the one receipt has its result")
        try await Durability.stop(server)
    }

    func testFilesAreOwnerOnlyAndSecretsNeverReachTheLogs() async throws {
        // A real mail server with STARTTLS and AUTH, so that the credentials cross the wire
        // while the server logs every SMTP line at trace.
        let smtp = try await SMTPServerProcess(messages: dataDirectory.deletingLastPathComponent().appendingPathComponent("mail"))
        defer { smtp.process.signal(SIGKILL) }
        let (server, url) = try await ServerProcess.serve(dataDirectory: dataDirectory, arguments: [
            "--log-level", "trace", "--snapshot-interval", "1", "--smtp-url", try SMTPServerProcess.url(port: smtp.port),
        ])
        let adminLine = try await server.waitForLine(containing: "Generated admin token")
        let adminToken = try XCTUnwrap(adminLine.split(separator: " ").last.map(String.init))

        let created = try await HTTP.send(
            .POST, "\(url)/admin/v1/projects", bearer: adminToken,
            json: #"{"name": "Secretive", "alert_emails": ["ops@shop.example"], "repair_url": "http://127.0.0.1:9/repair"}"#)
        let key = try XCTUnwrap(created.body["api_key"] as? String)
        let firstSecret = try XCTUnwrap(created.body["signing_secret"] as? String)
        let rotated = try await HTTP.send(
            .POST, "\(url)/admin/v1/projects/\(try XCTUnwrap(created.body["project_id"] as? String))/signing-secret/rotate",
            bearer: adminToken)
        let secondSecret = try XCTUnwrap(rotated.body["signing_secret"] as? String)
        let receipt = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_s1"), idempotencyKey: "s-1")
        let eventID = try XCTUnwrap(receipt.body["event_id"] as? String)
        let result = try await HTTP.send(.POST, "\(url)/api/v1/result", bearer: key, json: Durability.resultBody(eventID, "failed"), idempotencyKey: "s-2")
        let incidentID = try XCTUnwrap(result.body["incident_id"] as? String)
        let reprocess = try await HTTP.send(.POST, "\(url)/api/v1/incidents/\(incidentID)/reprocess", bearer: key)
        XCTAssertEqual(reprocess.status, 202)
        // The alert (sent with AUTH) and the callback to the closed port are attempted, and
        // logged at trace, with the secrets in hand.
        try await eventually("an alert sent and a callback attempted") { () async throws -> Bool? in
            let incident = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(incidentID)", bearer: key)
            let alerts = incident.body["alerts"] as? [[String: Any]] ?? []
            let replays = incident.body["replays"] as? [[String: Any]] ?? []
            let alertTried = alerts.contains { !($0["attempts"] as? [Any] ?? []).isEmpty }
            let callbackTried = replays.contains { !($0["attempts"] as? [Any] ?? []).isEmpty }
            return alertTried && callbackTried && !((try? smtp.received()) ?? []).isEmpty ? true : nil
        }
        try await eventually("a snapshot") { (try? Durability.snapshots(in: self.dataDirectory).isEmpty) == false }
        server.signal(SIGTERM)
        let status = try await server.waitForExit()
        XCTAssertEqual(status, 0)

        let logs = server.standardError + server.standardOutput.replacingOccurrences(of: adminLine, with: "")
        XCTAssertTrue(server.standardError.contains("trace"), "the run logged at trace level")
        XCTAssertTrue(server.standardError.contains("AUTH PLAIN <credentials>"), "the AUTH exchange was logged, redacted")
        let password = SMTPServerProcess.password
        for (name, secret) in [
            ("SMTP password", password), ("SMTP password in base64", Data(password.utf8).base64EncodedString()),
            ("SMTP credentials in base64", Data("\0\(SMTPServerProcess.user)\0\(password)".utf8).base64EncodedString()),
            ("first signing secret", firstSecret), ("rotated signing secret", secondSecret),
            ("API key", key), ("admin token", adminToken),
        ] {
            XCTAssertFalse(logs.contains(secret), "the \(name) appears in the output")
        }

        let manager = FileManager.default
        XCTAssertEqual(try permissions(dataDirectory), 0o700)
        let files = try manager.contentsOfDirectory(atPath: dataDirectory.path)
        XCTAssertTrue(files.contains("admin-token.sha256"), "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("snapshot-") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("journal-") }, "\(files)")
        for file in files {
            XCTAssertEqual(try permissions(dataDirectory.appendingPathComponent(file)), 0o600, file)
        }
    }

    func testAnExistingDataDirectoryIsRestrictedToItsOwner() async throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let (server, _) = try await Durability.start(dataDirectory)
        XCTAssertEqual(try permissions(dataDirectory), 0o700)
        try await Durability.stop(server)
    }

    func testTheAuditTrailNamesEachOperatorActionAndSurvivesSnapshotsAndRestarts() async throws {
        let (server, url) = try await Durability.start(dataDirectory)
        let created = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: Durability.adminToken, json: #"{"name": "Audited"}"#)
        let project = try XCTUnwrap(created.body["project_id"] as? String)
        let key = try XCTUnwrap(created.body["api_key"] as? String)
        let keyID = try XCTUnwrap(created.body["key_id"] as? String)
        _ = try await HTTP.send(
            .PATCH, "\(url)/admin/v1/projects/\(project)", bearer: Durability.adminToken,
            json: #"{"slack_webhook_url": "https://hooks.slack.com/services/T000/B000/SECRETPART", "default_timeout_minutes": 45}"#)
        _ = try await HTTP.send(.POST, "\(url)/admin/v1/projects/\(project)/signing-secret/rotate", bearer: Durability.adminToken)
        let receipt = try await HTTP.send(.POST, "\(url)/api/v1/receipt", bearer: key, json: Durability.receiptBody("evt_a1"), idempotencyKey: "a-1")
        let result = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key,
            json: Durability.resultBody(try XCTUnwrap(receipt.body["event_id"] as? String), "failed"), idempotencyKey: "a-2")
        let incident = try XCTUnwrap(result.body["incident_id"] as? String)
        _ = try await HTTP.send(.POST, "\(url)/api/v1/incidents/\(incident)/resolve", bearer: key, json: #"{"note": "by hand"}"#)
        let refused = try await HTTP.send(.GET, "\(url)/admin/v1/audit", bearer: key)
        XCTAssertEqual(refused.status, 401, "an API key does not read the audit trail")
        let badLimit = try await HTTP.send(.GET, "\(url)/admin/v1/audit?limit=0", bearer: Durability.adminToken)
        XCTAssertEqual(badLimit.status, 422)

        let expected: [[String?]] = [
            ["api_key:\(keyID)", "incident.resolve", incident, nil],
            ["admin_token", "signing_secret.rotate", nil, nil],
            ["admin_token", "project.update", nil, "slack_webhook_url, default_timeout_minutes"],
            ["admin_token", "project.create", nil, nil],
        ]
        func trail(_ url: String) async throws -> [[String?]] {
            let reply = try await HTTP.send(.GET, "\(url)/admin/v1/audit?project_id=\(project)", bearer: Durability.adminToken)
            XCTAssertEqual(reply.status, 200)
            let entries = reply.body["entries"] as? [[String: Any]] ?? []
            XCTAssertTrue(entries.allSatisfy { $0["project_id"] as? String == project && $0["at"] is String })
            return entries.map { entry in ["actor", "action", "target", "detail"].map { entry[$0] as? String } }
        }
        let live = try await trail(url)
        XCTAssertEqual(live, expected)
        XCTAssertFalse("\(live)".contains("SECRETPART"), "changed values stay out of the trail")

        // The final snapshot holds the trail: the restart replays no journal record.
        try await Durability.stop(server)
        let (restarted, restartedURL) = try await Durability.start(dataDirectory, ["--log-level", "info"])
        try await restarted.waitForError(containing: "journal_records=0")
        let recovered = try await trail(restartedURL)
        XCTAssertEqual(recovered, expected)
        try await Durability.stop(restarted)
    }

    private func permissions(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
