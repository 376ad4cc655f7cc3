@testable import SendPromptlyCore
import XCTest

/// The shard state machine driven to the millisecond by a manual clock: no actors, no I/O.
final class ShardStateTests: XCTestCase {
    private let clock = ManualClock()
    private var state: ShardState!
    private var projectID: ProjectID!
    private var access: Access!

    override func setUp() {
        state = ShardState(generator: IdentifierGenerator(seed: 7), now: clock.now())
        let project = TestProject.create(in: state, now: clock.now())
        projectID = project.id
        access = project.access
    }

    private func receipt(_ eventID: String, timeoutSeconds: Int64? = 60, key: String? = nil) throws -> ReceiptAccepted {
        let receipt = Receipt(
            provider: .stripe, providerEventID: eventID, eventType: "invoice.paid", effectType: .creditGrant,
            timeoutSeconds: timeoutSeconds)
        return try state.receipt(
            receipt, access: access, project: projectID, idempotency: token(key ?? "r-\(eventID)"), now: clock.now()
        ).answer
    }

    private func result(_ eventID: EventID, _ status: ResultStatus, key: String = UUIDString.next()) throws -> ResultApplied {
        try state.result(
            ResultReport(event: .eventID(eventID.rawValue), status: status), access: access, project: projectID,
            idempotency: token(key), now: clock.now()
        ).answer
    }

    private func token(_ key: String, body: String = "") -> IdempotencyToken {
        IdempotencyToken(key: key, fingerprint: SecretHash(of: key + body))
    }

    private func advance(milliseconds: Int64) {
        clock.advance(milliseconds: milliseconds)
        state.advance(to: clock.now())
    }

    private func openedIncidents() -> [IncidentView] {
        state.takeEffects().compactMap { effect in
            if case .incidentOpened(let view) = effect { return view }
            return nil
        }
    }

    /// A receipt stamped before the wheel's time by more than its timeout (the clock went back)
    /// is due already: it times out at once, at its own deadline, and stays in the table.
    func testAReceiptWhoseDeadlineHasPassedTimesOutAtOnce() throws {
        advance(milliseconds: 120_000)
        let acceptedAt = clock.now().adding(seconds: -90)
        let answer = try state.receipt(
            Receipt(provider: .stripe, providerEventID: "evt_late", eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 60),
            access: access, project: projectID, idempotency: token("r-late"), now: acceptedAt
        ).answer
        XCTAssertEqual(answer.timeoutAt, acceptedAt.adding(seconds: 60))
        let opened = openedIncidents()
        XCTAssertEqual(opened.map(\.event.id), [answer.eventID])
        XCTAssertEqual(opened.first?.incident.openedAt, answer.timeoutAt, "opened at its deadline")
        XCTAssertEqual(state.pendingReceiptCount, 0)
        XCTAssertEqual(state.projects[projectID]?.events[answer.eventID]?.state, .timedOut)
        advance(milliseconds: 60_000)
        XCTAssertEqual(openedIncidents().count, 0, "once")
    }

    /// The engine holds a deadline in 31 bits of milliseconds; a timeout beyond (which the
    /// request's validation never lets through, but a damaged journal could) is refused.
    func testATimeoutBeyondWhatARowHoldsIsRefused() throws {
        XCTAssertThrowsError(try receipt("evt_far", timeoutSeconds: TimeoutSpan.longest / 1000 + 1)) { error in
            XCTAssertEqual(error as? EngineError, .validation(field: "timeout_seconds", message: "timeout of 2147484 s is out of range"))
        }
        XCTAssertThrowsError(try receipt("evt_negative", timeoutSeconds: -1))
        XCTAssertEqual(state.pendingReceiptCount, 0)
        XCTAssertEqual(try receipt("evt_week", timeoutSeconds: 604_800).timeoutAt, clock.now().adding(seconds: 604_800))
    }

    func testEveryUnansweredReceiptTimesOutOnceAtItsDeadline() throws {
        let deadlines: [Int64] = [1, 2, 2, 5, 30, 3600]
        let events = try deadlines.enumerated().map { index, seconds in
            (try receipt("evt_\(index)", timeoutSeconds: seconds).eventID, seconds)
        }
        XCTAssertEqual(state.pendingReceiptCount, deadlines.count)
        var opened: [EventID: Int64] = [:]
        let start = clock.now()
        // Step 50 ms at a time through the first 40 s, then jump an hour.
        for _ in 0..<800 {
            advance(milliseconds: 50)
            for view in openedIncidents() {
                XCTAssertNil(opened[view.event.id], "an incident opens at most once")
                let elapsed = clock.now().millisecondsSinceEpoch - start.millisecondsSinceEpoch
                opened[view.event.id] = elapsed
                XCTAssertEqual(view.incident.reason, .timeout)
                XCTAssertEqual(view.incident.openedAt, view.event.timeoutAt)
            }
        }
        advance(milliseconds: 3_600_000)
        for view in openedIncidents() { opened[view.event.id] = clock.now().millisecondsSinceEpoch - start.millisecondsSinceEpoch }
        for (eventID, seconds) in events {
            let elapsed = try XCTUnwrap(opened[eventID])
            XCTAssertGreaterThanOrEqual(elapsed, seconds * 1000, "never early")
            if seconds < 40 {
                XCTAssertLessThanOrEqual(elapsed, seconds * 1000 + 100, "at most one tick late")
            }
        }
        XCTAssertEqual(state.pendingReceiptCount, 0)
        advance(milliseconds: 7 * 24 * 3_600_000)
        XCTAssertTrue(openedIncidents().isEmpty)
    }

    func testAResultCancelsTheDeadline() throws {
        let accepted = try receipt("evt_ok", timeoutSeconds: 1)
        let applied = try result(accepted.eventID, .success)
        XCTAssertTrue(applied.succeeded)
        XCTAssertNil(applied.incidentID)
        XCTAssertEqual(state.pendingReceiptCount, 0)
        XCTAssertEqual(state.wheel.count, 0, "the receipt's timer left the wheel")
        advance(milliseconds: 5_000)
        XCTAssertTrue(openedIncidents().isEmpty)
    }

    func testFailedResultOpensOneIncidentAndEmitsItOnce() throws {
        let accepted = try receipt("evt_fail", timeoutSeconds: 1)
        let applied = try result(accepted.eventID, .failed)
        XCTAssertFalse(applied.succeeded)
        XCTAssertEqual(applied.incidentStatus, .open)
        XCTAssertEqual(openedIncidents().map(\.incident.id), [applied.incidentID!])
        _ = try result(accepted.eventID, .failed)
        advance(milliseconds: 5_000)
        XCTAssertTrue(openedIncidents().isEmpty)
    }

    func testIdempotencyRecordsAreKeptForADayThenForgotten() throws {
        let first = try receipt("evt_idem", key: "shared-key")
        advance(milliseconds: IdempotencyToken.retentionSeconds * 1000 - 200)
        let replay = try state.receipt(
            Receipt(provider: .stripe, providerEventID: "evt_idem", eventType: "invoice.paid", effectType: .creditGrant, timeoutSeconds: 60),
            access: access, project: projectID, idempotency: token("shared-key"), now: clock.now())
        XCTAssertTrue(replay.replayed)
        XCTAssertEqual(replay.answer, first)
        XCTAssertThrowsError(try state.receipt(
            Receipt(provider: .stripe, providerEventID: "other", eventType: "invoice.paid", effectType: .creditGrant),
            access: access, project: projectID, idempotency: token("shared-key", body: "other"), now: clock.now())
        ) { XCTAssertEqual($0 as? EngineError, .idempotencyKeyReused) }

        advance(milliseconds: 300)
        // The key is free again: a new receipt under it is a new request.
        let fresh = try state.receipt(
            Receipt(provider: .stripe, providerEventID: "evt_new", eventType: "invoice.paid", effectType: .creditGrant),
            access: access, project: projectID, idempotency: token("shared-key", body: "new"), now: clock.now())
        XCTAssertFalse(fresh.replayed)
        XCTAssertNotEqual(fresh.answer.eventID, first.eventID)
    }

    func testIdempotencyRecordsExpireOldestFirstWithoutTimers() throws {
        for index in 0..<3000 {
            _ = try receipt("evt_\(index)", timeoutSeconds: 3600)
            clock.advance(milliseconds: 10)
        }
        // A day after the first was made, about two thirds have expired (they were made 10 ms apart).
        advance(milliseconds: IdempotencyToken.retentionSeconds * 1000 - 10_000)
        let project = try XCTUnwrap(state.projects[projectID])
        let live = project.idempotency.count
        XCTAssertTrue((900...1100).contains(live), "\(live) records live")
        XCTAssertEqual(
            Array(project.idempotency.live).map(\.keyDigest), (3000 - live..<3000).map { IdempotencyKeyDigest(of: "r-evt_\($0)") },
            "the oldest went first")
        XCTAssertEqual(state.wheel.count, state.pendingReceiptCount, "idempotency records take no timer")

        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        var again = BinaryWriter()
        restored.encodeSnapshot(to: &again)
        XCTAssertEqual(again.bytes, writer.bytes, "a restored state writes the same bytes")
    }

    func testARefusedRequestChangesNothing() throws {
        let before = state.pendingReceiptCount
        XCTAssertThrowsError(try state.result(
            ResultReport(event: .eventID("ev_missing"), status: .failed), access: access, project: projectID,
            idempotency: token("missing"), now: clock.now())
        ) { XCTAssertEqual($0 as? EngineError, .notFound("no such event in this project")) }
        // The key of the refused request was not stored: the retry is evaluated afresh.
        let accepted = try receipt("evt_after")
        XCTAssertEqual(state.pendingReceiptCount, before + 1)
        XCTAssertNoThrow(try state.result(
            ResultReport(event: .eventID(accepted.eventID.rawValue), status: .success), access: access, project: projectID,
            idempotency: token("missing"), now: clock.now()))
    }

    func testKeysOfOtherProjectsAndRevokedKeysAreRefused() throws {
        let otherID = ProjectID("prj_01PJ3Q2AJVATSY4GRKFZGMGBZD")!
        let otherKey = SecretFormat.apiKey()
        let (_, otherRecord) = try state.createProject(
            id: otherID, settings: ProjectSettings(name: "Other"), signingSecret: SecretFormat.signingSecret(),
            key: NewKey(label: "default", scope: .manage, hash: SecretHash(of: otherKey)), now: clock.now())
        let otherAccess = Access.apiKey(project: otherID, hash: SecretHash(of: otherKey))
        XCTAssertThrowsError(try state.event("ev_x", access: otherAccess, project: projectID, now: clock.now())) {
            XCTAssertEqual($0 as? EngineError, .notFound("no such project"))
        }
        _ = try state.revokeKey(project: otherID, key: otherRecord.id, now: clock.now())
        XCTAssertThrowsError(try state.incidents(status: nil, limit: 10, cursor: nil, access: otherAccess, project: otherID, now: clock.now())) {
            XCTAssertEqual($0 as? EngineError, .unauthorized)
        }
        let forged = Access.apiKey(project: projectID, hash: SecretHash(of: "sk_forged"))
        XCTAssertThrowsError(try state.event("ev_x", access: forged, project: projectID, now: clock.now())) {
            XCTAssertEqual($0 as? EngineError, .unauthorized)
        }
    }

    func testIdentifiersIncreaseWithinAMillisecond() {
        var generator = IdentifierGenerator(seed: 1)
        let now = clock.now()
        let ids: [EventID] = (0..<1000).map { _ in generator.next(EventKind.self, at: now) }
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertTrue(ids.allSatisfy { $0.rawValue.count == 3 + 26 })
        let later: EventID = generator.next(at: now.adding(milliseconds: 1))
        XCTAssertGreaterThan(later, ids.last!)
    }
}

/// Unique idempotency keys for tests that do not care about them.
enum UUIDString {
    static func next() -> String { "k-" + String(UInt64.random(in: 0 ... .max)) }
}
