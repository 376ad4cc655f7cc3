/// An incident as the server lists it (section 4 of the wire contract).
public struct ObservedIncident: Sendable, Equatable {
    public var id: String
    public var providerEventID: String
    public var reason: String

    public init(id: String, providerEventID: String, reason: String) {
        self.id = id
        self.providerEventID = providerEventID
        self.reason = reason
    }
}

/// An event as `GET /api/v1/events/{id}` answered: nil `state` when it answered 404.
public struct ObservedEvent: Sendable, Equatable {
    public var state: String?
    public var incidentID: String?

    public init(state: String?, incidentID: String?) {
        self.state = state
        self.incidentID = incidentID
    }
}

/// The verdict on a run: what was checked, what matched, and the first mismatches in words.
public struct Verification: Sendable, Codable, Equatable {
    /// Events whose receipt and (unless silent) result were acknowledged: the ones checked.
    public var eventsChecked = 0
    /// Events left out because a receipt or result got no 2xx (the server may or may not have
    /// applied it), with their incidents.
    public var eventsUnverifiable = 0
    /// Checked events the server knows, in the state their signals imply.
    public var eventsInExpectedState = 0
    /// Checked events the server answered 404 for: acknowledged, then lost.
    public var eventsLost = 0
    public var eventsInWrongState = 0
    public var timeoutIncidentsExpected = 0
    public var timeoutIncidentsFound = 0
    public var failedIncidentsExpected = 0
    public var failedIncidentsFound = 0
    /// Events with more than one incident.
    public var duplicateIncidents = 0
    /// Incidents with the other reason than the event's signals imply.
    public var wrongReasonIncidents = 0
    /// Incidents of succeeded events, or of events this run did not send.
    public var unexpectedIncidents = 0
    /// The first mismatches, one line each.
    public var problems: [String] = []

    public var missingIncidents: Int {
        timeoutIncidentsExpected + failedIncidentsExpected - timeoutIncidentsFound - failedIncidentsFound
    }

    /// Everything checked matched, and something was checked.
    public var passed: Bool {
        eventsChecked > 0 && eventsInExpectedState == eventsChecked && missingIncidents == 0
            && duplicateIncidents == 0 && wrongReasonIncidents == 0 && unexpectedIncidents == 0
    }

    public init() {}
}

/// Checks the server's state against what the run sent and what the server acknowledged.
///
/// Pure: the outcomes come from the load phase, the incidents and events from the API, so the
/// verdict can be tested on crafted inputs. The rules: every acknowledged receipt exists; one
/// with an acknowledged `success` result is `succeeded` with no incident; one with an
/// acknowledged `failed` result is `failed` with exactly one incident of reason `failed`; one
/// that never reported is `timed_out` with exactly one incident of reason `timeout`; and each
/// event names the incident listed for it.
public enum Verifier {
    /// The most mismatches spelled out in `problems`.
    public static let problemsListed = 10

    /// `providerEventID` maps the run's provider event ids back to event numbers (nil for one
    /// that is not of this run); `events` is keyed by event id.
    public static func verify(
        outcomes: [EventOutcome], incidents: [ObservedIncident], events: [String: ObservedEvent],
        eventNumber providerEventID: (String) -> Int?
    ) -> Verification {
        var verdict = Verification()
        func problem(_ text: @autoclosure () -> String) {
            if verdict.problems.count < problemsListed { verdict.problems.append(text()) }
        }
        var incidentsByEvent: [Int: [ObservedIncident]] = [:]
        let outcomeByNumber = Dictionary(outcomes.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        for incident in incidents {
            guard let number = providerEventID(incident.providerEventID), outcomeByNumber[number] != nil else {
                verdict.unexpectedIncidents += 1
                problem("incident \(incident.id) is for \(incident.providerEventID), which this run did not send")
                continue
            }
            incidentsByEvent[number, default: []].append(incident)
        }
        for outcome in outcomes {
            guard isVerifiable(outcome), let eventID = outcome.eventID else {
                verdict.eventsUnverifiable += 1
                continue
            }
            verdict.eventsChecked += 1
            let label = "event \(outcome.index) (\(outcome.kind.rawValue), \(eventID))"
            let own = incidentsByEvent[outcome.index] ?? []
            let expectedReason: String?
            let expectedState: String
            switch outcome.kind {
            case .success:
                expectedReason = nil
                expectedState = "succeeded"
            case .fail:
                expectedReason = "failed"
                expectedState = "failed"
                verdict.failedIncidentsExpected += 1
            case .silent:
                expectedReason = "timeout"
                expectedState = "timed_out"
                verdict.timeoutIncidentsExpected += 1
            }
            if let expectedReason {
                if own.count > 1 {
                    verdict.duplicateIncidents += 1
                    problem("\(label) has \(own.count) incidents: \(own.map(\.id).joined(separator: ", "))")
                }
                if let incident = own.first {
                    if incident.reason == expectedReason {
                        if expectedReason == "timeout" { verdict.timeoutIncidentsFound += 1 } else { verdict.failedIncidentsFound += 1 }
                    } else {
                        verdict.wrongReasonIncidents += 1
                        problem("\(label): incident \(incident.id) has reason \(incident.reason), expected \(expectedReason)")
                    }
                } else {
                    problem("\(label) has no incident, expected one with reason \(expectedReason)")
                }
            } else if !own.isEmpty {
                verdict.unexpectedIncidents += own.count
                problem("\(label) succeeded but has incident \(own[0].id) (\(own[0].reason))")
            }
            guard let event = events[eventID], let state = event.state else {
                verdict.eventsLost += 1
                problem("\(label) was acknowledged but the server does not know it")
                continue
            }
            if state == expectedState, event.incidentID == own.first?.id {
                verdict.eventsInExpectedState += 1
            } else {
                verdict.eventsInWrongState += 1
                problem("\(label) is \(state) with incident \(event.incidentID ?? "none"), expected \(expectedState) with \(own.first?.id ?? "none")")
            }
        }
        return verdict
    }

    /// Whether the server acknowledged every signal of the event, so that its final state is
    /// known. A rejected signal is not applied, but one without an answer may or may not be.
    public static func isVerifiable(_ outcome: EventOutcome) -> Bool {
        guard outcome.receiptStatus == 202, outcome.eventID != nil else { return false }
        return outcome.kind == .silent || outcome.resultStatus == 200
    }
}
