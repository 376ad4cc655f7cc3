@testable import SendPromptlyCore
import XCTest

/// Alerts in the incident's outbox: queued in the state change that causes them, one per
/// channel, each attempt recorded, and nothing lost across a snapshot.
final class AlertOutboxTests: XCTestCase {
    private let clock = ManualClock()
    private var state: ShardState!
    private let projectID = ProjectID("prj_01PQ1YBVR5KTAJYRJEY0E1RQV9")!
    private var access: Access!

    private func makeProject(emails: [String], slack: String?) {
        state = ShardState(generator: IdentifierGenerator(seed: 5), now: clock.now())
        let key = SecretFormat.apiKey()
        _ = try! state.createProject(
            id: projectID,
            settings: ProjectSettings(name: "Shop", repairURL: "https://shop.example/repair", alertEmails: emails, slackWebhookURL: slack),
            signingSecret: SecretFormat.signingSecret(), key: NewKey(label: "ops", scope: .manage, hash: SecretHash(of: key)), now: clock.now())
        access = .apiKey(project: projectID, hash: SecretHash(of: key))
    }

    private func failedIncident(_ providerEventID: String) throws -> Incident {
        let accepted = try state.receipt(
            Receipt(provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 60),
            access: access, project: projectID, idempotency: IdempotencyToken(key: "r-\(providerEventID)", fingerprint: SecretHash(of: "r")),
            now: clock.now()).answer
        let applied = try state.result(
            ResultReport(event: .eventID(accepted.eventID.rawValue), status: .failed), access: access, project: projectID,
            idempotency: IdempotencyToken(key: "f-\(providerEventID)", fingerprint: SecretHash(of: "f")), now: clock.now()).answer
        return try incident(try XCTUnwrap(applied.incidentID))
    }

    private func incident(_ id: IncidentID) throws -> Incident {
        try state.incident(id.rawValue, access: access, project: projectID, now: clock.now()).incident
    }

    private func record(_ incident: Incident, alert number: Int, attempt: Int, status: Int?, error: String?, _ disposition: DeliveryDisposition) throws -> Bool {
        try state.recordDeliveryAttempt(
            DeliveryReport(
                incidentID: incident.id, item: .alert(number),
                attempt: DeliveryAttempt(number: attempt, at: clock.now(), statusCode: status, error: error), disposition: disposition),
            project: projectID, now: clock.now())
    }

    func testAnOpenedIncidentQueuesOneAlertPerChannelDueNow() throws {
        makeProject(emails: ["ops@shop.example", "cto@shop.example"], slack: "https://hooks.slack.com/services/T/B/x")
        let incident = try failedIncident("evt_1")
        XCTAssertEqual(incident.alerts.map(\.channel), [.email, .slack])
        XCTAssertEqual(incident.alerts.map(\.subject), [.opened, .opened])
        XCTAssertEqual(incident.alerts[0].recipients, ["ops@shop.example", "cto@shop.example"])
        XCTAssertEqual(incident.alerts.map(\.phase), [.sending(dueAt: clock.now()), .sending(dueAt: clock.now())])
        let due = state.takeEffects().compactMap { effect -> DeliveryItem? in
            if case .deliveryDue(let ticket) = effect { return ticket.item }
            return nil
        }
        XCTAssertEqual(due, [.alert(1), .alert(2)])
        XCTAssertEqual(Set(state.dueDeliveries().map(\.item)), [.alert(1), .alert(2)])
        XCTAssertEqual(incident.timeline.filter { $0.kind == .alert }.map(\.detail), [
            "alert queued: incident_opened by email to ops@shop.example, cto@shop.example",
            "alert queued: incident_opened to Slack",
        ])
    }

    func testAProjectWithoutRecipientsSendsNothingAndTheTimelineSaysSo() throws {
        makeProject(emails: [], slack: nil)
        let incident = try failedIncident("evt_1")
        XCTAssertTrue(incident.alerts.isEmpty)
        XCTAssertEqual(incident.timeline.last?.detail, "alert not sent: the project has no alert recipients")
        XCTAssertTrue(state.dueDeliveries().isEmpty)
    }

    func testAttemptsAreRecordedUntilSentOrGivenUp() throws {
        makeProject(emails: ["ops@shop.example"], slack: "https://hooks.slack.com/services/T/B/x")
        let incident = try failedIncident("evt_1")
        let retryAt = clock.now().adding(seconds: 5)
        XCTAssertTrue(try record(incident, alert: 1, attempt: 1, status: nil, error: "connection refused", .retry(at: retryAt)))
        XCTAssertTrue(try record(incident, alert: 1, attempt: 2, status: 250, error: nil, .delivered))
        XCTAssertFalse(try record(incident, alert: 1, attempt: 3, status: 250, error: nil, .delivered), "a sent alert takes no more attempts")
        XCTAssertTrue(try record(incident, alert: 2, attempt: 1, status: 404, error: "no_service", .halted))
        let current = try self.incident(incident.id)
        XCTAssertEqual(current.alerts.map(\.phase), [.sent, .failed])
        XCTAssertEqual(current.alerts[0].attempts.map(\.statusCode), [nil, 250])
        let details = current.timeline.filter { $0.kind == .alert }.map(\.detail)
        XCTAssertTrue(details.contains { $0.hasPrefix("alert failed: connection refused; retry at") }, "\(details)")
        XCTAssertTrue(details.contains("alert sent: incident_opened by email to ops@shop.example (250)"), "\(details)")
        XCTAssertTrue(details.contains("alert failed: 404 no_service (incident_opened to Slack)"), "\(details)")
        XCTAssertTrue(state.dueDeliveries().isEmpty)
    }

    func testResolvingAndAFailedReplayQueueTheirOwnAlerts() throws {
        makeProject(emails: ["ops@shop.example"], slack: nil)
        let incident = try failedIncident("evt_1")
        let (_, replayID) = try state.reprocess(incident.id.rawValue, access: access, project: projectID, now: clock.now())
        _ = try state.recordDeliveryAttempt(
            DeliveryReport(
                incidentID: incident.id, item: .replay(replayID),
                attempt: DeliveryAttempt(number: 1, at: clock.now(), statusCode: 400, error: nil), disposition: .halted),
            project: projectID, now: clock.now())
        _ = try state.resolveManually(incident.id.rawValue, note: "fixed by hand", access: access, project: projectID, now: clock.now())
        let current = try self.incident(incident.id)
        XCTAssertEqual(current.alerts.map(\.subject), [.opened, .replayEnded(replayID), .resolved])
    }

    func testAlertsSurviveASnapshotAndVersionOneIncidentsStillDecode() throws {
        makeProject(emails: ["ops@shop.example"], slack: nil)
        let incident = try failedIncident("evt_1")
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        XCTAssertEqual(restored.dueDeliveries().map(\.item), [.alert(1)])

        // Version 1 wrote an incident without its alerts.
        var withoutAlerts = incident
        withoutAlerts.alerts = []
        var old = BinaryWriter()
        old.write(withoutAlerts)
        var oldReader = BinaryReader(Array(old.bytes.dropLast()), formatVersion: 1)
        let decoded = try oldReader.read(Incident.self)
        XCTAssertTrue(oldReader.isAtEnd)
        XCTAssertEqual(decoded.timeline, incident.timeline)
        XCTAssertTrue(decoded.alerts.isEmpty)
    }
}
