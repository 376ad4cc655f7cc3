@testable import SendPromptlyCore
import XCTest

/// The pure reads behind the console, on a shard state driven by a manual clock: the incident
/// listing, the integration checklist and the overview's per-minute activity.
final class ConsoleReadsTests: XCTestCase {
    private let clock = ManualClock()
    private var state: ShardState!
    private let projectID = ProjectID("prj_01F90FEKS603FXB45JPXAGCC86")!
    private var access: Access!

    override func setUp() {
        state = ShardState(generator: IdentifierGenerator(seed: 11), now: clock.now())
        let key = SecretFormat.apiKey()
        _ = try! state.createProject(
            id: projectID,
            settings: ProjectSettings(name: "Shop", repairURL: "https://shop.example/repair", alertEmails: ["ops@shop.example"]),
            signingSecret: SecretFormat.signingSecret(), key: NewKey(label: "ops", scope: .manage, hash: SecretHash(of: key)),
            now: clock.now())
        access = .apiKey(project: projectID, hash: SecretHash(of: key))
    }

    @discardableResult
    private func receipt(_ providerEventID: String, effect: EffectType = .creditGrant, timeoutSeconds: Int64 = 3600) throws -> EventID {
        try state.receipt(
            Receipt(provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: effect, timeoutSeconds: timeoutSeconds),
            access: access, project: projectID, idempotency: token(), now: clock.now()
        ).answer.eventID
    }

    @discardableResult
    private func result(_ eventID: EventID, _ status: ResultStatus, replay: ReplayID? = nil) throws -> ResultApplied {
        try state.result(
            ResultReport(event: .eventID(eventID.rawValue), status: status, replayID: replay?.rawValue), access: access,
            project: projectID, idempotency: token(), now: clock.now()
        ).answer
    }

    private func token() -> IdempotencyToken {
        let key = "k-\(UInt64.random(in: 0 ... .max))"
        return IdempotencyToken(key: key, fingerprint: SecretHash(of: key))
    }

    private func record(_ incident: IncidentID, _ item: DeliveryItem, status: Int?, _ disposition: DeliveryDisposition) throws {
        let attempts = try state.incident(incident.rawValue, access: .administrator, project: projectID, now: clock.now()).incident
        let number = switch item {
        case .alert(let alert): attempts.alerts[alert - 1].attempts.count + 1
        case .replay(let replay): attempts.replays.first { $0.id == replay }!.attempts.count + 1
        }
        XCTAssertTrue(try state.recordDeliveryAttempt(
            DeliveryReport(
                incidentID: incident, item: item, attempt: DeliveryAttempt(number: number, at: clock.now(), statusCode: status, error: nil),
                disposition: disposition),
            project: projectID, now: clock.now()))
    }

    private func checklist() throws -> IntegrationChecklist {
        try state.integrationChecklist(access: .administrator, project: projectID, now: clock.now())
    }

    private func advance(seconds: Int64) {
        clock.advance(seconds: seconds)
        state.advance(to: clock.now())
    }

    func testTheChecklistFollowsTheIntegrationTestStepByStep() throws {
        XCTAssertEqual(try checklist(), IntegrationChecklist(receiptSeen: false, failureSeen: false, alertSent: false, callbackDelivered: false, resolved: false))
        let timedOut = try receipt("evt_timeout", timeoutSeconds: 5)
        XCTAssertEqual(try checklist().receiptSeen, true)
        advance(seconds: 6)
        XCTAssertNotNil(state.projects[projectID]!.events[timedOut]!.incidentID)
        XCTAssertFalse(try checklist().failureSeen, "a timeout is not the failed result the test sends")

        let event = try receipt("evt_test")
        let incident = try XCTUnwrap(try result(event, .failed).incidentID)
        XCTAssertTrue(try checklist().failureSeen)
        XCTAssertFalse(try checklist().alertSent, "queued is not sent")
        try record(incident, .alert(1), status: 421, .retry(at: clock.now().adding(seconds: 5)))
        XCTAssertFalse(try checklist().alertSent, "a failed attempt is not sent")
        try record(incident, .alert(1), status: 250, .delivered)
        XCTAssertTrue(try checklist().alertSent)

        let (_, replay) = try state.reprocess(incident.rawValue, access: .administrator, project: projectID, now: clock.now())
        try record(incident, .replay(replay), status: 503, .retry(at: clock.now().adding(seconds: 5)))
        XCTAssertFalse(try checklist().callbackDelivered, "a 503 is not delivered")
        try record(incident, .replay(replay), status: 202, .delivered)
        XCTAssertTrue(try checklist().callbackDelivered)
        XCTAssertFalse(try checklist().resolved)
        try result(event, .success, replay: replay)
        XCTAssertEqual(try checklist(), IntegrationChecklist(receiptSeen: true, failureSeen: true, alertSent: true, callbackDelivered: true, resolved: true))
    }

    func testTheListingPutsOpenIncidentsFirstAndCountsEveryStatus() throws {
        var incidents: [IncidentID] = []
        for (index, effect) in [EffectType.accessUnlock, .creditGrant, .creditGrant, .seatUpdate].enumerated() {
            let event = try receipt("evt_\(index)", effect: effect, timeoutSeconds: index == 3 ? 1 : 3600)
            if index < 3 { incidents.append(try XCTUnwrap(try result(event, .failed).incidentID)) }
            clock.advance(seconds: 60)
        }
        state.advance(to: clock.now())
        let timedOut = try XCTUnwrap(state.projects[projectID]!.incidentOrder.last)
        _ = try state.reprocess(incidents[0].rawValue, access: .administrator, project: projectID, now: clock.now())
        _ = try state.resolveManually(incidents[1].rawValue, note: nil, access: .administrator, project: projectID, now: clock.now())

        let all = try state.incidentListing(IncidentFilter(), limit: 10, access: .administrator, project: projectID, now: clock.now())
        XCTAssertEqual(all.incidents.map(\.incident.id), [timedOut, incidents[2], incidents[0], incidents[1]], "open (newest first), reprocessing, resolved")
        XCTAssertEqual(all.counts, [.open: 2, .reprocessing: 1, .resolved: 1])
        XCTAssertEqual(all.matching, 4)

        let limited = try state.incidentListing(IncidentFilter(), limit: 1, access: .administrator, project: projectID, now: clock.now())
        XCTAssertEqual(limited.incidents.map(\.incident.id), [timedOut])
        XCTAssertEqual(limited.matching, 4)

        let credit = try state.incidentListing(
            IncidentFilter(status: .open, effectType: .creditGrant), limit: 10, access: .administrator, project: projectID, now: clock.now())
        XCTAssertEqual(credit.incidents.map(\.incident.id), [incidents[2]])
        XCTAssertEqual(credit.counts, [.open: 1, .resolved: 1], "counts ignore the status filter only")
        let timeouts = try state.incidentListing(
            IncidentFilter(reason: .timeout), limit: 10, access: .administrator, project: projectID, now: clock.now())
        XCTAssertEqual(timeouts.incidents.map(\.incident.id), [timedOut])

        let opened = state.projects[projectID]!.incidents[incidents[1]]!.openedAt
        let window = try state.incidentListing(
            IncidentFilter(openedFrom: opened, openedBefore: opened.adding(seconds: 60)), limit: 10, access: .administrator,
            project: projectID, now: clock.now())
        XCTAssertEqual(window.incidents.map(\.incident.id), [incidents[1]], "from inclusive, before exclusive")

        XCTAssertThrowsError(try state.incidentListing(IncidentFilter(), limit: 10, access: .administrator, project: ProjectID("prj_01CE24PJK7SACV0CDCTP9PA0F4")!, now: clock.now()))
    }

    func testActivityCountsEachMinuteOfTheLastHour() throws {
        // Two hours ago: outside the window.
        let old = try receipt("evt_old")
        try result(old, .success)
        clock.advance(seconds: 3600)
        // 59 minutes ago (the window's second minute), 250 ms and 1.25 s to the results.
        let fast = try receipt("evt_fast")
        clock.advance(milliseconds: 250)
        try result(fast, .success)
        let slow = try receipt("evt_slow")
        clock.advance(milliseconds: 1250)
        try result(slow, .failed)
        // A receipt whose deadline passes 10 minutes later, and one still pending.
        try receipt("evt_timeout", timeoutSeconds: 600)
        try receipt("evt_pending")
        clock.advance(milliseconds: 3600 * 1000 - 1500 - 60_000)
        state.advance(to: clock.now())
        // In the last minute, 4 s to a late success of the failed one (which resolves it).
        try result(slow, .success)

        let activity = try state.activity(minutes: 60, access: .administrator, project: projectID, now: clock.now())
        XCTAssertEqual(activity.minutes.count, 60)
        XCTAssertEqual(activity.minutes.first?.start, clock.now().adding(seconds: -3600))
        XCTAssertEqual(activity.receipts, 4)
        XCTAssertEqual(activity.minutes[0].receipts, 0)
        XCTAssertEqual(activity.minutes[1].receipts, 4)
        XCTAssertEqual(activity.minutes[1].succeeded, 1, "the fast one; the slow one counts where it succeeded")
        XCTAssertEqual(activity.minutes[1].failed, 0)
        XCTAssertEqual(activity.minutes[1].p50Milliseconds, 250)
        XCTAssertEqual(activity.minutes[1].p99Milliseconds, 250, "the slow one's result is now its late success")
        XCTAssertEqual(activity.minutes[11].failed, 1, "the timeout, at its deadline")
        XCTAssertEqual(activity.minutes[59].succeeded, 1)
        XCTAssertEqual(activity.minutes[59].p99Milliseconds, activity.minutes[59].p50Milliseconds)
        XCTAssertEqual(activity.succeeded, 2)
        XCTAssertEqual(activity.failed, 1)
        XCTAssertEqual(activity.successRate, 2.0 / 3.0)
        XCTAssertEqual(activity.openIncidents, 1, "the timeout's; the failed one was resolved by its late success")
        let lateSuccess = activity.minutes[59].p50Milliseconds!
        XCTAssertEqual(activity.p50Milliseconds, 250)
        XCTAssertEqual(activity.p99Milliseconds, lateSuccess)
        XCTAssertEqual(activity.minutes.reduce(0) { $0 + $1.receipts }, 4)
    }

    func testPercentilesAreNearestRank() {
        XCTAssertNil(ShardState.percentile(0.5, of: []))
        XCTAssertEqual(ShardState.percentile(0.5, of: [7]), 7)
        XCTAssertEqual(ShardState.percentile(0.5, of: [1, 2, 3, 4]), 2)
        XCTAssertEqual(ShardState.percentile(0.99, of: Array(1...100)), 99)
        XCTAssertEqual(ShardState.percentile(0.99, of: Array(1...10)), 10)
    }
}
