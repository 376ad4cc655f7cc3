import XCTest
@testable import SendPromptlyBench

/// The verifier on crafted server states: it passes the state a correct server leaves, and
/// fails, naming the event, for each way a server can get it wrong.
final class VerifierTests: XCTestCase {
    private let run = "t1"

    /// Events 0-3 succeed, 4-5 fail, 6-7 stay silent, all acknowledged.
    private var outcomes: [EventOutcome] {
        (0..<8).map { index in
            let kind: EventKind = index < 4 ? .success : (index < 6 ? .fail : .silent)
            return EventOutcome(
                index: index, kind: kind, receiptStatus: 202, eventID: "ev_\(index)",
                resultStatus: kind == .silent ? nil : 200, acknowledgedAt: 0)
        }
    }

    private func provider(_ index: Int) -> String {
        IngestRequests.providerEventIDPrefix(run: run) + String(format: "%012d", index)
    }

    /// What a correct server holds for `outcomes`.
    private var correctIncidents: [ObservedIncident] {
        [4, 5].map { ObservedIncident(id: "inc_\($0)", providerEventID: provider($0), reason: "failed") }
            + [6, 7].map { ObservedIncident(id: "inc_\($0)", providerEventID: provider($0), reason: "timeout") }
    }

    private var correctEvents: [String: ObservedEvent] {
        var events: [String: ObservedEvent] = [:]
        for index in 0..<4 { events["ev_\(index)"] = ObservedEvent(state: "succeeded", incidentID: nil) }
        for index in 4..<6 { events["ev_\(index)"] = ObservedEvent(state: "failed", incidentID: "inc_\(index)") }
        for index in 6..<8 { events["ev_\(index)"] = ObservedEvent(state: "timed_out", incidentID: "inc_\(index)") }
        return events
    }

    private func verify(
        _ outcomes: [EventOutcome]? = nil, incidents: [ObservedIncident]? = nil, events: [String: ObservedEvent]? = nil
    ) -> Verification {
        Verifier.verify(outcomes: outcomes ?? self.outcomes, incidents: incidents ?? correctIncidents, events: events ?? correctEvents) {
            IngestRequests.eventNumber(providerEventID: $0, run: self.run)
        }
    }

    func testACorrectServerPasses() {
        let verdict = verify()
        XCTAssertTrue(verdict.passed, "\(verdict.problems)")
        XCTAssertEqual(verdict.eventsChecked, 8)
        XCTAssertEqual(verdict.eventsInExpectedState, 8)
        XCTAssertEqual(verdict.timeoutIncidentsFound, 2)
        XCTAssertEqual(verdict.timeoutIncidentsExpected, 2)
        XCTAssertEqual(verdict.failedIncidentsFound, 2)
        XCTAssertEqual(verdict.problems, [])
    }

    func testAMissingTimeoutIncidentFails() {
        var events = correctEvents
        events["ev_7"] = ObservedEvent(state: "pending", incidentID: nil)
        let verdict = verify(incidents: correctIncidents.filter { $0.id != "inc_7" }, events: events)
        XCTAssertFalse(verdict.passed)
        XCTAssertEqual(verdict.timeoutIncidentsFound, 1)
        XCTAssertEqual(verdict.missingIncidents, 1)
        XCTAssertEqual(verdict.eventsInWrongState, 1)
        XCTAssertTrue(verdict.problems.contains { $0.contains("event 7") && $0.contains("no incident") }, "\(verdict.problems)")
    }

    func testADroppedFailedResultFails() {
        // The server acknowledged the failed result of event 4 but never applied it.
        var events = correctEvents
        events["ev_4"] = ObservedEvent(state: "pending", incidentID: nil)
        let verdict = verify(incidents: correctIncidents.filter { $0.id != "inc_4" }, events: events)
        XCTAssertFalse(verdict.passed)
        XCTAssertEqual(verdict.failedIncidentsFound, 1)
        XCTAssertTrue(verdict.problems.contains { $0.contains("event 4") && $0.contains("is pending") }, "\(verdict.problems)")
    }

    func testASecondIncidentForOneEventFails() {
        let verdict = verify(incidents: correctIncidents + [ObservedIncident(id: "inc_9", providerEventID: provider(6), reason: "timeout")])
        XCTAssertFalse(verdict.passed)
        XCTAssertEqual(verdict.duplicateIncidents, 1)
    }

    func testAnIncidentWithTheWrongReasonFails() {
        var incidents = correctIncidents
        incidents[0].reason = "timeout"
        let verdict = verify(incidents: incidents)
        XCTAssertFalse(verdict.passed)
        XCTAssertEqual(verdict.wrongReasonIncidents, 1)
    }

    func testAnIncidentForASucceededOrUnknownEventFails() {
        let forSuccess = verify(incidents: correctIncidents + [ObservedIncident(id: "inc_x", providerEventID: provider(1), reason: "timeout")])
        XCTAssertFalse(forSuccess.passed)
        XCTAssertEqual(forSuccess.unexpectedIncidents, 1)
        let foreign = verify(incidents: correctIncidents + [ObservedIncident(id: "inc_y", providerEventID: "evt_other", reason: "failed")])
        XCTAssertFalse(foreign.passed)
        XCTAssertEqual(foreign.unexpectedIncidents, 1)
    }

    func testALostEventFails() {
        var events = correctEvents
        events["ev_2"] = ObservedEvent(state: nil, incidentID: nil)
        let verdict = verify(events: events)
        XCTAssertFalse(verdict.passed)
        XCTAssertEqual(verdict.eventsLost, 1)
        XCTAssertTrue(verdict.problems.contains { $0.contains("event 2") && $0.contains("does not know it") })
    }

    func testAnEventNamingAnotherIncidentFails() {
        var events = correctEvents
        events["ev_5"] = ObservedEvent(state: "failed", incidentID: "inc_4")
        XCTAssertFalse(verify(events: events).passed)
    }

    func testEventsWithAnUnacknowledgedSignalAreLeftOutWithTheirIncidents() {
        var outcomes = outcomes
        outcomes[4].resultStatus = 0
        outcomes[6].receiptStatus = 503
        outcomes[6].eventID = nil
        var events = correctEvents
        events["ev_4"] = nil
        events["ev_6"] = nil
        let verdict = verify(outcomes, events: events)
        XCTAssertTrue(verdict.passed, "\(verdict.problems)")
        XCTAssertEqual(verdict.eventsChecked, 6)
        XCTAssertEqual(verdict.eventsUnverifiable, 2)
        XCTAssertEqual(verdict.failedIncidentsExpected, 1)
        XCTAssertEqual(verdict.timeoutIncidentsExpected, 1)
    }

    func testNothingCheckedIsNoPass() {
        XCTAssertFalse(verify([], incidents: [], events: [:]).passed)
    }

    func testProblemsAreListedUpToTheLimit() {
        let verdict = verify(incidents: [], events: [:])
        XCTAssertEqual(verdict.problems.count, Verifier.problemsListed)
        XCTAssertEqual(verdict.eventsLost, 8)
    }
}
