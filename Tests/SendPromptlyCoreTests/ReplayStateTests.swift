@testable import SendPromptlyCore
import XCTest

/// The replay flow of the shard state machine (sections 3 to 5 of the wire contract), driven by
/// a manual clock: reprocess, the dispatcher's attempt reports, results naming a replay, and
/// the result deadline of a delivered replay.
final class ReplayStateTests: XCTestCase {
    private let clock = ManualClock()
    private var state: ShardState!
    private let projectID = ProjectID("prj_01PMXBR6E2CEM493B4GM2SN2EC")!
    private var manage: Access!
    private var ingestOnly: Access!

    override func setUp() {
        state = ShardState(generator: IdentifierGenerator(seed: 11), now: clock.now())
        let manageKey = SecretFormat.apiKey()
        let ingestKey = SecretFormat.apiKey()
        _ = try! state.createProject(
            id: projectID, settings: ProjectSettings(name: "Shop", repairURL: "https://shop.example/repair"),
            signingSecret: SecretFormat.signingSecret(), key: NewKey(label: "ops", scope: .manage, hash: SecretHash(of: manageKey)),
            now: clock.now())
        _ = try! state.createKey(project: projectID, key: NewKey(label: "ingest", scope: .ingest, hash: SecretHash(of: ingestKey)), now: clock.now())
        manage = .apiKey(project: projectID, hash: SecretHash(of: manageKey))
        ingestOnly = .apiKey(project: projectID, hash: SecretHash(of: ingestKey))
    }

    /// A receipt (timeout 60 s) and a `failed` result: an open incident.
    private func failedIncident(_ providerEventID: String, effect: EffectType = .creditGrant) throws -> IncidentID {
        let accepted = try state.receipt(
            Receipt(provider: .stripe, providerEventID: providerEventID, eventType: "invoice.paid", effectType: effect, timeoutSeconds: 60),
            access: manage, project: projectID, idempotency: token("r-\(providerEventID)"), now: clock.now()).answer
        let applied = try report(accepted.eventID, .failed)
        _ = state.takeEffects()
        return try XCTUnwrap(applied.incidentID)
    }

    @discardableResult
    private func report(_ eventID: EventID, _ status: ResultStatus, replay: ReplayID? = nil) throws -> ResultApplied {
        try state.result(
            ResultReport(event: .eventID(eventID.rawValue), status: status, replayID: replay?.rawValue), access: manage,
            project: projectID, idempotency: token(UUIDString.next()), now: clock.now()).answer
    }

    private func token(_ key: String) -> IdempotencyToken {
        IdempotencyToken(key: key, fingerprint: SecretHash(of: key))
    }

    private func reprocess(_ incident: IncidentID) throws -> ReplayID {
        guard case .replay(_, let replayID) = try state.apply(.reprocess(projectID, manage, incident: incident.rawValue), now: clock.now()) else {
            preconditionFailure("a reprocess answers a replay")
        }
        return replayID
    }

    @discardableResult
    private func attempt(
        _ incident: IncidentID, _ replay: ReplayID, number: Int, status: Int?, _ disposition: DeliveryDisposition
    ) throws -> Bool {
        let report = DeliveryReport(
            incidentID: incident, item: .replay(replay),
            attempt: DeliveryAttempt(number: number, at: clock.now(), statusCode: status, error: status == nil ? "timed out after 10 s" : nil),
            disposition: disposition)
        guard case .attemptRecorded(let recorded) = try state.apply(.recordDeliveryAttempt(projectID, report), now: clock.now()) else {
            preconditionFailure("an attempt report answers whether it was recorded")
        }
        return recorded
    }

    private func replayTickets() -> [DeliveryTicket] {
        state.dueDeliveries().filter { if case .replay = $0.item { true } else { false } }
    }

    private func incident(_ id: IncidentID) throws -> Incident {
        try state.incident(id.rawValue, access: manage, project: projectID, now: clock.now()).incident
    }

    private func endedReplays() -> [ReplayID] {
        state.takeEffects().compactMap { effect in
            if case .replayEnded(_, let replay) = effect { return replay }
            return nil
        }
    }

    func testReprocessStartsAReplayDueNowAndAnnouncesIt() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        let incident = try incident(incidentID)
        XCTAssertEqual(incident.status, .reprocessing)
        XCTAssertEqual(incident.replays.map(\.id), [replayID])
        XCTAssertEqual(incident.replays[0].phase, .sending(dueAt: clock.now()))
        XCTAssertEqual(incident.timeline.last?.kind, .replayRequested)
        let due = state.takeEffects().compactMap { effect -> DeliveryTicket? in
            if case .deliveryDue(let ticket) = effect, case .replay = ticket.item { return ticket }
            return nil
        }
        XCTAssertEqual(due, [DeliveryTicket(projectID: projectID, incidentID: incidentID, item: .replay(replayID), dueAt: clock.now())])
        XCTAssertEqual(replayTickets(), due)
    }

    func testRetriesThenDeliveryThenReplaySuccessResolves() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        let retryAt = clock.now().adding(seconds: 5)
        XCTAssertTrue(try attempt(incidentID, replayID, number: 1, status: 500, .retry(at: retryAt)))
        XCTAssertEqual(try incident(incidentID).replays[0].phase, .sending(dueAt: retryAt))
        clock.advance(seconds: 5)
        XCTAssertEqual(state.replayDelivery(for: replayTickets()[0], now: clock.now())?.attemptNumber, 2)
        XCTAssertTrue(try attempt(incidentID, replayID, number: 2, status: 200, .delivered))
        var current = try incident(incidentID)
        XCTAssertEqual(current.status, .reprocessing, "delivered is not repaired: the result decides")
        XCTAssertEqual(current.replays[0].phase, .awaitingResult(deadline: clock.now().adding(seconds: 60)))
        XCTAssertEqual(current.replays[0].attempts.map(\.statusCode), [500, 200])
        XCTAssertTrue(replayTickets().isEmpty)

        let applied = try report(current.eventID, .success, replay: replayID)
        XCTAssertEqual(applied.incidentStatus, .resolved)
        current = try incident(incidentID)
        XCTAssertEqual(current.resolution, .replaySuccess)
        XCTAssertEqual(current.replays[0].phase, .succeeded)
        // The result deadline was cancelled with the success: nothing reopens later.
        clock.advance(seconds: 120)
        state.advance(to: clock.now())
        XCTAssertEqual(try incident(incidentID).status, .resolved)
        XCTAssertTrue(endedReplays().isEmpty)
    }

    func testHaltedAndExhaustedReplaysReopenTheIncidentWithAnAlertEffect() throws {
        for (index, disposition) in [DeliveryDisposition.halted, .exhausted].enumerated() {
            let incidentID = try failedIncident("evt_\(index)")
            let replayID = try reprocess(incidentID)
            _ = state.takeEffects()
            XCTAssertTrue(try attempt(incidentID, replayID, number: 1, status: 400, disposition))
            let current = try incident(incidentID)
            XCTAssertEqual(current.status, .open)
            XCTAssertEqual(current.replays[0].phase, disposition == .halted ? .halted : .exhausted)
            XCTAssertEqual(endedReplays(), [replayID])
            XCTAssertTrue(current.timeline.contains { $0.detail.contains("incident open again") })
        }
    }

    func testADeliveredReplayWithoutResultReopensAtTheEventsTimeout() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        try attempt(incidentID, replayID, number: 1, status: 202, .delivered)
        _ = state.takeEffects()
        clock.advance(seconds: 59)
        state.advance(to: clock.now())
        XCTAssertEqual(try incident(incidentID).status, .reprocessing)
        clock.advance(seconds: 2)
        state.advance(to: clock.now())
        let current = try incident(incidentID)
        XCTAssertEqual(current.status, .open)
        XCTAssertEqual(current.replays[0].phase, .timedOut)
        XCTAssertEqual(endedReplays(), [replayID])
    }

    func testAFailedReplayResultReopensOnlyForTheActiveReplay() throws {
        let incidentID = try failedIncident("evt_1")
        let first = try reprocess(incidentID)
        let second = try reprocess(incidentID)
        var current = try incident(incidentID)
        XCTAssertEqual(current.replays.map(\.phase), [.superseded, .sending(dueAt: clock.now())])
        XCTAssertTrue(try attempt(incidentID, first, number: 1, status: 200, .delivered), "every attempt is on the timeline")
        XCTAssertEqual(try incident(incidentID).replays[0].phase, .superseded, "but a superseded replay stays superseded")
        XCTAssertTrue(try incident(incidentID).timeline.last!.detail.hasSuffix("(the replay was already superseded)"))
        _ = state.takeEffects()

        try report(current.eventID, .failed, replay: first)
        XCTAssertEqual(try incident(incidentID).status, .reprocessing, "the superseded replay's failure is history")
        XCTAssertTrue(endedReplays().isEmpty)

        try report(current.eventID, .failed, replay: second)
        current = try incident(incidentID)
        XCTAssertEqual(current.status, .open)
        XCTAssertEqual(current.replays[1].phase, .failed)
        XCTAssertEqual(endedReplays(), [second])
    }

    func testAResultBeforeTheDeliveredAttemptIsRecordedKeepsBoth() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        // The repair endpoint reported before its 2xx reached the dispatcher's record.
        try report(try incident(incidentID).eventID, .success, replay: replayID)
        XCTAssertTrue(try attempt(incidentID, replayID, number: 1, status: 202, .delivered))
        let current = try incident(incidentID)
        XCTAssertEqual(current.status, .resolved)
        XCTAssertEqual(current.replays[0].phase, .succeeded)
        XCTAssertEqual(current.replays[0].attempts.map(\.statusCode), [202])
        XCTAssertTrue(state.dueDeliveries().allSatisfy { if case .replay = $0.item { false } else { true } })
    }

    func testADeliveryRecordedAfterTheClockWentBackExpiresAtOnce() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        // The wheel has run to a later instant than the one the attempt is recorded at.
        state.advance(to: clock.now().adding(seconds: 120))
        _ = state.takeEffects()
        XCTAssertTrue(try attempt(incidentID, replayID, number: 1, status: 200, .delivered))
        let current = try incident(incidentID)
        XCTAssertEqual(current.replays[0].phase, .timedOut, "not left awaiting a deadline the wheel can no longer fire")
        XCTAssertEqual(current.status, .open)
        var writer = BinaryWriter()
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        XCTAssertNoThrow(try ShardState.decodeSnapshot(from: &reader), "and the snapshot still restores")
    }

    func testAttemptReportsAreRecordedOnceInOrder() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        XCTAssertFalse(try attempt(incidentID, replayID, number: 2, status: 500, .retry(at: clock.now())), "attempt 2 before attempt 1")
        XCTAssertTrue(try attempt(incidentID, replayID, number: 1, status: 500, .retry(at: clock.now())))
        XCTAssertFalse(try attempt(incidentID, replayID, number: 1, status: 500, .retry(at: clock.now())), "attempt 1 twice")
        XCTAssertEqual(try incident(incidentID).replays[0].attempts.count, 1)
    }

    func testResolvingByOtherMeansCancelsTheActiveReplay() throws {
        let incidentID = try failedIncident("evt_1")
        let replayID = try reprocess(incidentID)
        let eventID = try incident(incidentID).eventID
        try report(eventID, .success)
        let current = try incident(incidentID)
        XCTAssertEqual(current.resolution, .lateSuccess)
        XCTAssertEqual(current.replays[0].phase, .cancelled)
        XCTAssertNil(state.replayDelivery(for: DeliveryTicket(projectID: projectID, incidentID: incidentID, item: .replay(replayID), dueAt: clock.now()), now: clock.now()))
    }

    func testReprocessRefusals() throws {
        let incidentID = try failedIncident("evt_1")
        XCTAssertThrowsError(try state.reprocess(incidentID.rawValue, access: ingestOnly, project: projectID, now: clock.now())) {
            guard case EngineError.forbidden = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try state.reprocess("inc_unknown", access: manage, project: projectID, now: clock.now())) {
            guard case EngineError.notFound = $0 else { return XCTFail("\($0)") }
        }
        try report(try incident(incidentID).eventID, .success)
        XCTAssertThrowsError(try state.reprocess(incidentID.rawValue, access: manage, project: projectID, now: clock.now())) {
            XCTAssertEqual($0 as? EngineError, .conflict("the incident is resolved"))
        }
        let open = try failedIncident("evt_2")
        var change = ProjectSettingsChange()
        change.repairURL = .some(nil)
        _ = try state.updateProject(id: projectID, change: change)
        XCTAssertThrowsError(try state.reprocess(open.rawValue, access: manage, project: projectID, now: clock.now())) {
            XCTAssertEqual($0 as? EngineError, .conflict("the project has no repair URL"))
        }
    }

    func testBulkReprocessSelectsOpenIncidentsByEffectTypeAndTime() throws {
        let early = try failedIncident("evt_early", effect: .creditGrant)
        clock.advance(seconds: 10)
        let since = clock.now()
        let credit = try failedIncident("evt_credit", effect: .creditGrant)
        let access = try failedIncident("evt_access", effect: .accessUnlock)
        let busy = try failedIncident("evt_busy", effect: .creditGrant)
        _ = try reprocess(busy)
        clock.advance(seconds: 10)
        let later = try failedIncident("evt_later", effect: .creditGrant)
        _ = (early, later)

        let selection = ReprocessSelection(effectType: .creditGrant, since: since, until: clock.now())
        guard case .replays(let started, let truncated) = try state.apply(.reprocessMatching(projectID, manage, selection), now: clock.now()) else {
            return XCTFail("a bulk reprocess answers replays")
        }
        XCTAssertEqual(started.map(\.incident), [credit], "open, in range, of the effect type; not one already reprocessing")
        XCTAssertFalse(truncated)
        XCTAssertEqual(try incident(access).status, .open)

        guard case .replays(let all, let more) = try state.apply(
            .reprocessMatching(projectID, manage, ReprocessSelection(since: Timestamp(millisecondsSinceEpoch: 0), limit: 2)), now: clock.now())
        else { return XCTFail("a bulk reprocess answers replays") }
        XCTAssertEqual(all.map(\.incident), [early, access], "oldest first, up to the limit")
        XCTAssertTrue(more)
    }

    func testASnapshotKeepsReplaysAndTheirResultDeadline() throws {
        let incidentID = try failedIncident("evt_1")
        let delivered = try reprocess(incidentID)
        try attempt(incidentID, delivered, number: 1, status: 200, .delivered)
        let sending = try failedIncident("evt_2")
        let retrying = try reprocess(sending)
        try attempt(sending, retrying, number: 1, status: 503, .retry(at: clock.now().adding(seconds: 30)))

        var writer = BinaryWriter(capacity: 1024)
        state.encodeSnapshot(to: &writer)
        var reader = BinaryReader(writer.bytes)
        let restored = try ShardState.decodeSnapshot(from: &reader)
        let due = restored.dueDeliveries().filter { if case .replay = $0.item { true } else { false } }
        XCTAssertEqual(due.map(\.item), [.replay(retrying)])
        XCTAssertEqual(due.first?.dueAt, clock.now().adding(seconds: 30))

        clock.advance(seconds: 61)
        restored.advance(to: clock.now())
        let view = try restored.incident(incidentID.rawValue, access: manage, project: projectID, now: clock.now())
        XCTAssertEqual(view.incident.status, .open, "the restored result deadline fired")
        XCTAssertEqual(view.incident.replays[0].phase, .timedOut)
    }
}
