import Foundation
import XCTest

/// Alerts end to end: the real server's notifier sending email to a real SMTP server (aiosmtpd
/// with STARTTLS required and AUTH) and messages to a scripted Slack webhook, through outages,
/// refusals and a kill -9.
final class AlertDeliveryTests: XCTestCase {
    private var directory: URL!
    private var smtpServers: [SMTPServerProcess] = []
    private var webhooks: [ScriptedRepairEndpoint] = []

    private let fastRetries = ["--alert-retry-schedule", "0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2"]

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sendpromptly-alerts-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        for server in smtpServers { try? await server.stop() }
        webhooks.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    private var dataDirectory: URL { directory.appendingPathComponent("data") }

    private func smtpServer(port: Int = 0, rejecting: [String] = []) async throws -> SMTPServerProcess {
        let server = try await SMTPServerProcess(port: port, messages: directory.appendingPathComponent("mail-\(smtpServers.count)"), rejecting: rejecting)
        smtpServers.append(server)
        return server
    }

    private func startServer(smtpPort: Int?, _ extra: [String] = []) async throws -> (ServerProcess, String) {
        var arguments = fastRetries + ["--public-url", "https://alerts.example.test", "--mail-from", "SendPromptly <alerts@sendpromptly.test>"]
        if let smtpPort { arguments += ["--smtp-url", try SMTPServerProcess.url(port: smtpPort)] }
        return try await Durability.start(dataDirectory, arguments + extra)
    }

    private func createProject(_ url: String, fields: String) async throws -> (id: String, key: String) {
        let reply = try await HTTP.send(.POST, "\(url)/admin/v1/projects", bearer: Durability.adminToken, json: #"{"name": "Alerted Shop"\#(fields)}"#)
        XCTAssertEqual(reply.status, 201, "\(reply.body)")
        return (try XCTUnwrap(reply.body["project_id"] as? String), try XCTUnwrap(reply.body["api_key"] as? String))
    }

    private func receipt(_ url: String, _ key: String, _ providerEventID: String, timeoutSeconds: Int = 3600) async throws -> String {
        let reply = try await HTTP.send(
            .POST, "\(url)/api/v1/receipt", bearer: key,
            json: #"{"provider": "stripe", "provider_event_id": "\#(providerEventID)", "event_type": "invoice.paid", "effect_type": "credit_grant", "internal_reference": "order-\#(providerEventID)", "timeout_seconds": \#(timeoutSeconds)}"#,
            idempotencyKey: "r-\(providerEventID)")
        return try XCTUnwrap(reply.body["event_id"] as? String)
    }

    private func fail(_ url: String, _ key: String, _ eventID: String) async throws -> String {
        let reply = try await HTTP.send(
            .POST, "\(url)/api/v1/result", bearer: key,
            json: #"{"event_id": "\#(eventID)", "status": "failed", "error_code": "db_timeout", "error_message": "credits <table> locked"}"#,
            idempotencyKey: "f-\(eventID)")
        return try XCTUnwrap(reply.body["incident_id"] as? String)
    }

    /// The incident once every alert queued on it has left `sending` (sent or given up) and
    /// `condition` holds; polled within `timeout`.
    private func settledIncident(
        _ url: String, _ key: String, _ id: String, timeout: Duration = .seconds(30),
        until condition: @escaping ([String: Any]) -> Bool = { _ in true }
    ) async throws -> [String: Any] {
        try await eventually("the alerts of \(id) to settle", timeout: timeout) {
            let incident = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(id)", bearer: key).body
            let alerts = incident["alerts"] as? [[String: Any]] ?? []
            let settled = !alerts.isEmpty && alerts.allSatisfy { $0["status"] as? String != "sending" } && condition(incident)
            return settled ? incident : nil
        }
    }

    private static func alertDetails(_ incident: [String: Any]) -> [String] {
        (incident["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "alert" }.compactMap { $0["detail"] as? String }
    }

    private static func header(_ message: [String: Any], _ name: String) -> String? {
        (message["headers"] as? [[String]])?.first { $0.first?.lowercased() == name.lowercased() }?.last
    }

    private static func part(_ message: [String: Any], _ type: String) -> String {
        (message["parts"] as? [[String: Any]])?.first { $0["content_type"] as? String == type }?["content"] as? String ?? ""
    }

    func testAFailedResultATimeoutAndAResolveEachSendOneEmail() async throws {
        let smtp = try await smtpServer()
        let (server, url) = try await startServer(smtpPort: smtp.port)
        let project = try await createProject(url, fields: #", "mode": "test", "alert_emails": ["ops@shop.example", "cto@shop.example"]"#)

        let failedEvent = try await receipt(url, project.key, "evt_failed")
        let failedIncident = try await fail(url, project.key, failedEvent)
        let opened = try await settledIncident(url, project.key, failedIncident)
        XCTAssertEqual((opened["alerts"] as? [[String: Any]])?.map { $0["status"] as? String }, ["sent"])
        XCTAssertTrue(Self.alertDetails(opened).contains { $0.hasPrefix("alert sent: incident_opened by email to ops@shop.example, cto@shop.example (250") }, "\(Self.alertDetails(opened))")

        var messages = try smtp.received()
        XCTAssertEqual(messages.count, 1)
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(message["rcpt_tos"] as? [String], ["ops@shop.example", "cto@shop.example"])
        XCTAssertEqual(message["mail_from"] as? String, "alerts@sendpromptly.test")
        XCTAssertEqual(message["tls"] as? Bool, true, "STARTTLS was used")
        XCTAssertEqual((message["auth"] as? [String: Any])?["login"] as? String, SMTPServerProcess.user)
        XCTAssertEqual((message["defects"] as? [Any])?.count, 0)
        let subject = try XCTUnwrap(Self.header(message, "Subject"))
        XCTAssertTrue(subject.hasPrefix("[TEST] [SendPromptly] Incident opened: credit_grant not applied for stripe evt_failed"), subject)
        XCTAssertEqual(Self.header(message, "X-SendPromptly-Incident"), failedIncident)
        let text = Self.part(message, "text/plain")
        for fact in [
            "failed (the effect reported a failure)", "credit_grant", "stripe evt_failed (invoice.paid)", "order-evt_failed",
            "db_timeout: credits <table> locked", "Deadline:", failedIncident,
            "https://alerts.example.test/console/projects/\(project.id)/incidents/\(failedIncident)",
        ] {
            XCTAssertTrue(text.contains(fact), "plain text lacks \(fact): \(text)")
        }
        let html = Self.part(message, "text/html")
        XCTAssertTrue(html.contains("credits &lt;table&gt; locked"), "user text is escaped in HTML: \(html)")
        XCTAssertFalse(html.contains("<table> locked"))

        let timedOutEvent = try await receipt(url, project.key, "evt_silent", timeoutSeconds: 1)
        let timedOut = try await HTTP.send(.GET, "\(url)/api/v1/events/\(timedOutEvent)", bearer: project.key).body
        XCTAssertEqual(timedOut["state"] as? String, "pending")
        let timeoutID = try await eventually("the deadline to open an incident") {
            try await HTTP.send(.GET, "\(url)/api/v1/events/\(timedOutEvent)", bearer: project.key).body["incident_id"] as? String
        }
        _ = try await settledIncident(url, project.key, timeoutID)

        let resolved = try await HTTP.send(
            .POST, "\(url)/api/v1/incidents/\(failedIncident)/resolve", bearer: project.key, json: #"{"note": "granted by hand"}"#)
        XCTAssertEqual(resolved.status, 200)
        let afterResolve = try await settledIncident(url, project.key, failedIncident) { ($0["alerts"] as? [Any])?.count == 2 }
        XCTAssertEqual((afterResolve["alerts"] as? [[String: Any]])?.map { $0["about"] as? String }, ["incident_opened", "incident_resolved"])

        messages = try smtp.received()
        XCTAssertEqual(messages.count, 3, "one email each: failed, timeout, resolve")
        let subjects = messages.compactMap { Self.header($0, "Subject") }
        XCTAssertTrue(subjects[1].contains("Incident opened") && subjects[1].contains("evt_silent"), subjects[1])
        XCTAssertTrue(Self.part(messages[1], "text/plain").contains("timeout (no result before the deadline)"))
        XCTAssertTrue(subjects[2].contains("Incident resolved") && subjects[2].contains("evt_failed"), subjects[2])
        XCTAssertTrue(Self.part(messages[2], "text/plain").contains("manual (granted by hand)"))
        try await Durability.stop(server)
    }

    func testAMailServerThatIsDownGetsEveryAlertOnceItIsBack() async throws {
        let port = try ExampleEndpoint.freePort()
        let (server, url) = try await startServer(smtpPort: port)
        let project = try await createProject(url, fields: #", "alert_emails": ["ops@shop.example"]"#)
        var incidents: [String] = []
        for index in 0..<3 {
            incidents.append(try await fail(url, project.key, try await receipt(url, project.key, "evt_down_\(index)")))
        }
        // Wait until each alert has failed at least once against the closed port.
        for incident in incidents {
            try await eventually("a failed attempt recorded for \(incident)") {
                Self.alertDetails(try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(incident)", bearer: project.key).body)
                    .contains { $0.hasPrefix("alert failed: connection failed") } ? () : nil
            }
        }
        let smtp = try await smtpServer(port: port)
        for incident in incidents {
            let settled = try await settledIncident(url, project.key, incident)
            let alert = try XCTUnwrap((settled["alerts"] as? [[String: Any]])?.first)
            XCTAssertEqual(alert["status"] as? String, "sent")
            let attempts = try XCTUnwrap(alert["attempts"] as? [[String: Any]])
            XCTAssertGreaterThan(attempts.count, 1, "failed attempts before the one that went through")
            XCTAssertEqual(attempts.last?["status_code"] as? Int, 250)
        }
        let messages = try smtp.received()
        XCTAssertEqual(messages.count, 3, "every alert arrives, none twice")
        XCTAssertEqual(Set(messages.compactMap { Self.header($0, "X-SendPromptly-Incident") }), Set(incidents))
        try await Durability.stop(server)
    }

    func testAlertsInFlightWhenTheServerIsKilledAreSentAfterTheRestart() async throws {
        // A mail server that accepts connections and never greets: the first attempt hangs.
        let silent = try LoopbackSocket.listening()
        let (server, url) = try await startServer(smtpPort: silent.port)
        let project = try await createProject(url, fields: #", "alert_emails": ["ops@shop.example"]"#)
        let incident = try await fail(url, project.key, try await receipt(url, project.key, "evt_killed"))
        let queued = try await HTTP.send(.GET, "\(url)/api/v1/incidents/\(incident)", bearer: project.key).body
        XCTAssertEqual((queued["alerts"] as? [[String: Any]])?.first?["status"] as? String, "sending")
        try await Durability.kill(server)
        let port = silent.port
        silent.close()

        let smtp = try await smtpServer(port: port)
        let (restarted, restartedURL) = try await startServer(smtpPort: smtp.port)
        let settled = try await settledIncident(restartedURL, project.key, incident)
        XCTAssertEqual((settled["alerts"] as? [[String: Any]])?.first?["status"] as? String, "sent")
        XCTAssertEqual(try smtp.received().count, 1)
        try await Durability.stop(restarted)
    }

    func testARecipientRefusedWith550IsRecordedAndNotRetried() async throws {
        let smtp = try await smtpServer(rejecting: ["gone@shop.example"])
        let (server, url) = try await startServer(smtpPort: smtp.port)
        let onlyGone = try await createProject(url, fields: #", "alert_emails": ["gone@shop.example"]"#)
        let refused = try await fail(url, onlyGone.key, try await receipt(url, onlyGone.key, "evt_gone"))
        let failed = try await settledIncident(url, onlyGone.key, refused)
        let alert = try XCTUnwrap((failed["alerts"] as? [[String: Any]])?.first)
        XCTAssertEqual(alert["status"] as? String, "failed")
        XCTAssertEqual((alert["attempts"] as? [Any])?.count, 1, "a 5xx is not retried")
        XCTAssertTrue(Self.alertDetails(failed).contains { $0.hasPrefix("alert failed:") && $0.contains("550 5.1.1") }, "\(Self.alertDetails(failed))")

        let mixed = try await createProject(url, fields: #", "alert_emails": ["gone@shop.example", "ops@shop.example"]"#)
        let partly = try await fail(url, mixed.key, try await receipt(url, mixed.key, "evt_partly"))
        let sent = try await settledIncident(url, mixed.key, partly)
        XCTAssertEqual((sent["alerts"] as? [[String: Any]])?.first?["status"] as? String, "sent")
        XCTAssertTrue(Self.alertDetails(sent).contains { $0.contains("refused for gone@shop.example: 550") }, "\(Self.alertDetails(sent))")
        XCTAssertEqual(try smtp.received().map { $0["rcpt_tos"] as? [String] }, [["ops@shop.example"]])
        try await Durability.stop(server)
    }

    func testWithoutAMailServerTheTimelineSaysWhyNothingWasSent() async throws {
        let (server, url) = try await startServer(smtpPort: nil)
        let project = try await createProject(url, fields: #", "alert_emails": ["ops@shop.example"]"#)
        let incident = try await fail(url, project.key, try await receipt(url, project.key, "evt_nomail"))
        let settled = try await settledIncident(url, project.key, incident)
        XCTAssertEqual((settled["alerts"] as? [[String: Any]])?.first?["status"] as? String, "failed")
        XCTAssertTrue(Self.alertDetails(settled).contains { $0.contains("no mail server is configured") }, "\(Self.alertDetails(settled))")
        try await Durability.stop(server)
    }

    func testSlackGetsTheSameAlertsWithTheSameRetries() async throws {
        let webhook = ScriptedRepairEndpoint(answers: [.status(500)])
        webhooks.append(webhook)
        let webhookURL = try await webhook.start(path: "/services/T000/B000/secret")
        let (server, url) = try await startServer(smtpPort: nil)
        let project = try await createProject(url, fields: #", "slack_webhook_url": "\#(webhookURL)""#)
        let incident = try await fail(url, project.key, try await receipt(url, project.key, "evt_slack"))
        let settled = try await settledIncident(url, project.key, incident)
        let alert = try XCTUnwrap((settled["alerts"] as? [[String: Any]])?.first)
        XCTAssertEqual(alert["channel"] as? String, "slack")
        XCTAssertEqual(alert["status"] as? String, "sent")
        XCTAssertEqual((alert["attempts"] as? [[String: Any]])?.map { $0["status_code"] as? Int }, [500, 200])
        let posts = webhook.callbacks
        XCTAssertEqual(posts.count, 2)
        let text = try XCTUnwrap(posts.last?.json["text"] as? String)
        XCTAssertTrue(text.contains("Incident opened") && text.contains(incident), text)
        XCTAssertTrue(text.contains("credits &lt;table&gt; locked"), "Slack's control characters are escaped: \(text)")
        XCTAssertTrue(text.contains("<https://alerts.example.test/console/projects/\(project.id)/incidents/\(incident)|Open in console>"), text)
        XCTAssertFalse(server.standardError.contains("secret"), "the webhook URL is never logged")
        try await Durability.stop(server)
    }
}
