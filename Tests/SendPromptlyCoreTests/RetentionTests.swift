@testable import SendPromptlyCore
import XCTest

/// Retention of finished history and the idempotency window, driven to the millisecond by a
/// manual clock on a shard whose wheel ticks every millisecond (every 100 ms, as the server's
/// does, where a test spans days: the wheel walks every tick).
final class RetentionTests: XCTestCase {
    private static let retentionSeconds: Int64 = 120
    private let clock = ManualClock()
    private var state: ShardState!
    private var project: TestProject!

    override func setUp() {
        useShard(tickMilliseconds: 1)
    }

    private func useShard(tickMilliseconds: Int64) {
        state = ShardState(
            generator: IdentifierGenerator(seed: 11), now: clock.now(), tickMilliseconds: tickMilliseconds,
            retention: RetentionPolicy(retentionSeconds: Self.retentionSeconds, idempotencyWindowSeconds: 90))
        project = TestProject.create(in: state, now: clock.now())
    }

    private func receipt(_ providerEventID: String, timeoutSeconds: Int64 = 60, key: String? = nil) throws -> IngestReply<ReceiptAccepted> {
        let receipt = Receipt(
            provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: .creditGrant,
            timeoutSeconds: timeoutSeconds)
        let key = key ?? "r-\(providerEventID)-\(clock.now().millisecondsSinceEpoch)"
        return try state.receipt(
            receipt, access: project.access, project: project.id,
            idempotency: IdempotencyToken(key: key, fingerprint: SecretHash(of: key + providerEventID)), now: clock.now())
    }

    @discardableResult
    private func result(_ eventID: EventID, _ status: ResultStatus) throws -> ResultApplied {
        let key = "s-\(eventID)-\(clock.now().millisecondsSinceEpoch)-\(status)"
        return try state.result(
            ResultReport(event: .eventID(eventID.rawValue), status: status), access: project.access, project: project.id,
            idempotency: IdempotencyToken(key: key, fingerprint: SecretHash(of: key)), now: clock.now()
        ).answer
    }

    private func advance(milliseconds: Int64) {
        clock.advance(milliseconds: milliseconds)
        state.advance(to: clock.now())
        _ = state.takeEffects()
    }

    private func eventIsKept(_ id: EventID) -> Bool {
        isKept("no such event in this project") { now throws(EngineError) in
            _ = try state.event(id.rawValue, access: project.access, project: project.id, now: now)
        }
    }

    private func incidentIsKept(_ id: IncidentID) -> Bool {
        isKept("no such incident in this project") { now throws(EngineError) in
            _ = try state.incident(id.rawValue, access: project.access, project: project.id, now: now)
        }
    }

    /// Whether `read` finds its thing; anything but the documented `notFound` fails the test.
    private func isKept(_ notFound: String, _ read: (Timestamp) throws(EngineError) -> Void) -> Bool {
        do {
            try read(clock.now())
            return true
        } catch {
            XCTAssertEqual(error, .notFound(notFound))
            return false
        }
    }

    func testASucceededEventLeavesExactlyTheRetentionAfterItsResult() throws {
        let event = try receipt("evt_ok").answer.eventID
        advance(milliseconds: 1_500)
        try result(event, .success)
        advance(milliseconds: Self.retentionSeconds * 1000 - 1)
        XCTAssertTrue(eventIsKept(event), "one millisecond before the retention has passed")
        advance(milliseconds: 1)
        XCTAssertFalse(eventIsKept(event), "gone once its last change is the retention old")
        XCTAssertNil(state.projects[project.id]!.events.eventID(provider: .stripe, providerEventID: "evt_ok"), "its provider id went with it")

        // A redelivery of the provider's event is a new event now, and a result for the old id is unknown.
        let again = try receipt("evt_ok")
        XCTAssertFalse(again.answer.duplicate)
        XCTAssertNotEqual(again.answer.eventID, event)
        XCTAssertThrowsError(try result(event, .success)) { XCTAssertEqual($0 as? EngineError, .notFound("no such event in this project")) }
    }

    func testPendingEventsAndUnresolvedIncidentsStayHoweverOld() throws {
        // Every instant below is a multiple of the tick, so the boundary is still exact.
        useShard(tickMilliseconds: 100)
        let pending = try receipt("evt_pending", timeoutSeconds: 7 * 86_400).answer.eventID
        let failed = try receipt("evt_failed").answer.eventID
        let incident = try XCTUnwrap(try result(failed, .failed).incidentID)
        let silent = try receipt("evt_silent", timeoutSeconds: 5).answer.eventID
        // A day in steps of an hour: far past the retention, short of the pending deadline.
        for _ in 0..<24 { advance(milliseconds: 3_600_000) }
        XCTAssertTrue(eventIsKept(pending))
        XCTAssertTrue(eventIsKept(failed))
        XCTAssertTrue(incidentIsKept(incident))
        let timedOut = try state.event(silent.rawValue, access: project.access, project: project.id, now: clock.now())
        XCTAssertEqual(timedOut.state, .timedOut)
        XCTAssertTrue(incidentIsKept(try XCTUnwrap(timedOut.incidentID)))

        // Resolved, the failed event and its incident go the retention after the resolution.
        _ = try state.resolveManually(incident.rawValue, note: "fixed by hand", access: project.access, project: project.id, now: clock.now())
        advance(milliseconds: Self.retentionSeconds * 1000 - 1)
        XCTAssertTrue(eventIsKept(failed))
        XCTAssertTrue(incidentIsKept(incident))
        advance(milliseconds: 1)
        XCTAssertFalse(eventIsKept(failed))
        XCTAssertFalse(incidentIsKept(incident))
        XCTAssertTrue(eventIsKept(pending))
        XCTAssertTrue(eventIsKept(silent), "its incident is still open")
        let listed = try state.incidents(status: nil, limit: 10, cursor: nil, access: project.access, project: project.id, now: clock.now())
        XCTAssertEqual(listed.incidents.map(\.event.id), [silent])
        XCTAssertNil(listed.nextCursor)
    }

    func testEveryLaterChangeAndAnAlertStillToBeSentPostponeTheDeparture() throws {
        var settings = ProjectSettingsChange()
        settings.alertEmails = ["ops@shop.example"]
        _ = try state.updateProject(id: project.id, change: settings)
        let event = try receipt("evt_late").answer.eventID
        let incident = try XCTUnwrap(try result(event, .failed).incidentID)
        _ = try state.resolveManually(incident.rawValue, note: nil, access: project.access, project: project.id, now: clock.now())
        let view = try state.incident(incident.rawValue, access: project.access, project: project.id, now: clock.now())
        let resolvedAlert = try XCTUnwrap(view.incident.alerts.last)
        XCTAssertEqual(resolvedAlert.subject, .resolved)

        // The resolution alert fails and is retried in two hours: kept until then plus the retention.
        advance(milliseconds: 10_000)
        let retryAt = clock.now().adding(seconds: 7_200)
        XCTAssertTrue(try state.recordDeliveryAttempt(DeliveryReport(
            incidentID: incident, item: .alert(resolvedAlert.number),
            attempt: DeliveryAttempt(number: 1, at: clock.now(), statusCode: 421, error: nil), disposition: .retry(at: retryAt)),
            project: project.id, now: clock.now()))
        advance(milliseconds: 7_200_000 - 1)
        XCTAssertTrue(eventIsKept(event), "the alert's retry is still ahead")
        // Past the retry (which nobody attempts here), a late failure on the resolved incident
        // is recorded, its last change: the retention counts from it. (A late success would
        // change nothing: the wire contract, section 3.)
        advance(milliseconds: 5_000)
        try result(event, .failed)
        advance(milliseconds: Self.retentionSeconds * 1000 - 1)
        XCTAssertTrue(eventIsKept(event))
        advance(milliseconds: 1)
        XCTAssertFalse(eventIsKept(event))
        XCTAssertFalse(incidentIsKept(incident))
    }

    func testTheIdempotencyWindowIsTheConfiguredOne() throws {
        let first = try receipt("evt_key", key: "shared")
        advance(milliseconds: 90_000 - 1)
        let replayed = try receipt("evt_key", key: "shared")
        XCTAssertTrue(replayed.replayed)
        XCTAssertEqual(replayed.answer, first.answer)
        advance(milliseconds: 1)
        let fresh = try receipt("evt_key", key: "shared")
        XCTAssertFalse(fresh.replayed, "the window of 90 s has passed")
        XCTAssertTrue(fresh.answer.duplicate, "the event itself is still pending")
    }

    /// A receipt's idempotency record answers from its event, so an event stays until its
    /// key's window (rounded up to the second) has passed, however short the retention.
    func testAnEventStaysWhileItsReceiptsKeyIsRemembered() throws {
        state = ShardState(
            generator: IdentifierGenerator(seed: 11), now: clock.now(), tickMilliseconds: 1,
            retention: RetentionPolicy(retentionSeconds: 60, idempotencyWindowSeconds: 300))
        project = TestProject.create(in: state, now: clock.now())
        advance(milliseconds: 250)
        let answeredAt = clock.now().millisecondsSinceEpoch
        let first = try receipt("evt_short", key: "k-short")
        try result(first.answer.eventID, .success)
        // The window's end, rounded up to the second: up to a second past 300 s.
        let windowEnd = (answeredAt + 300_000 + 999) / 1000 * 1000
        advance(milliseconds: windowEnd - 1 - answeredAt)
        XCTAssertTrue(eventIsKept(first.answer.eventID), "the retention has long passed, the window not")
        let again = try receipt("evt_short", key: "k-short")
        XCTAssertTrue(again.replayed)
        XCTAssertEqual(again.answer, first.answer)
        advance(milliseconds: 1)
        XCTAssertFalse(eventIsKept(first.answer.eventID), "gone with its key's window")
        let afterwards = try receipt("evt_short", key: "k-short")
        XCTAssertFalse(afterwards.replayed, "the key is new again")
        XCTAssertNotEqual(afterwards.answer.eventID, first.answer.eventID)
    }

    /// A redelivery's answer names an older event, which may leave within the redelivery's
    /// window: that answer is kept whole, and survives a snapshot.
    func testARedeliverysKeyOutlivesTheEventItWasAnsweredWith() throws {
        state = ShardState(
            generator: IdentifierGenerator(seed: 11), now: clock.now(), tickMilliseconds: 1,
            retention: RetentionPolicy(retentionSeconds: 60, idempotencyWindowSeconds: 300))
        project = TestProject.create(in: state, now: clock.now())
        let first = try receipt("evt_again", key: "k-first")
        try result(first.answer.eventID, .success)
        advance(milliseconds: 200_000)
        let redelivery = try receipt("evt_again", key: "k-redelivery")
        XCTAssertTrue(redelivery.answer.duplicate)
        XCTAssertEqual(redelivery.answer.eventID, first.answer.eventID)
        advance(milliseconds: 200_000)
        XCTAssertFalse(eventIsKept(first.answer.eventID), "the first key's window and the retention have passed")

        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        for shard in [state!, restored] {
            state = shard
            let again = try receipt("evt_again", key: "k-redelivery")
            XCTAssertTrue(again.replayed, "within the redelivery's own window")
            XCTAssertEqual(again.answer, redelivery.answer)
        }
    }

    func testASweepTouchesOnlyWhatBecameOldEnough() throws {
        // 3,000 events 100 ms apart, two thirds succeeded and a third timed out (open incidents):
        // the succeeded ones leave as the front passes them (the table compacting its rows on the
        // way), the others stay.
        var succeeded: [EventID] = []
        var timedOut: [EventID] = []
        for index in 0..<3_000 {
            let event = try receipt("evt_\(index)", timeoutSeconds: 60).answer.eventID
            if index % 3 != 0 {
                try result(event, .success)
                succeeded.append(event)
            } else {
                timedOut.append(event)
            }
            advance(milliseconds: 100)
        }
        advance(milliseconds: Self.retentionSeconds * 1000)
        let project = try XCTUnwrap(state.projects[self.project.id])
        XCTAssertTrue(succeeded.allSatisfy { project.events[$0] == nil })
        XCTAssertEqual(project.events.count, 1_000, "the failed-by-timeout third stays: their incidents are open")
        XCTAssertEqual(Array(project.events.inCreationOrder.map(\.id)), timedOut, "the kept ones, still in creation order")
        XCTAssertEqual(project.incidentOrder.count, 1_000)
    }
}
