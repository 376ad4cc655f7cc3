/// Which incidents of a project the console lists: every condition set must hold.
public struct IncidentFilter: Sendable, Equatable {
    public var status: IncidentStatus?
    public var reason: IncidentReason?
    public var effectType: EffectType?
    /// Opened at or after this instant.
    public var openedFrom: Timestamp?
    /// Opened before this instant.
    public var openedBefore: Timestamp?

    public init(
        status: IncidentStatus? = nil, reason: IncidentReason? = nil, effectType: EffectType? = nil,
        openedFrom: Timestamp? = nil, openedBefore: Timestamp? = nil
    ) {
        self.status = status
        self.reason = reason
        self.effectType = effectType
        self.openedFrom = openedFrom
        self.openedBefore = openedBefore
    }

    /// Every condition but the status: what the per-status counts are taken over.
    func matchesIgnoringStatus(_ incident: Incident, effectType: EffectType) -> Bool {
        reason.map { $0 == incident.reason } ?? true
            && self.effectType.map { $0 == effectType } ?? true
            && openedFrom.map { incident.openedAt >= $0 } ?? true
            && openedBefore.map { incident.openedAt < $0 } ?? true
    }
}

/// One page of the console's incident list, with the counts shown above it.
public struct IncidentListing: Sendable {
    /// Incidents per status among those matching the filter's other conditions, so that each
    /// status tab shows how many it would list.
    public let counts: [IncidentStatus: Int]
    /// How many incidents match the whole filter.
    public let matching: Int
    /// Open first, then reprocessing, then resolved; newest first within each; at most the
    /// limit asked for.
    public let incidents: [IncidentView]
}

/// The steps of a project's integration test, each true once the project's state shows it
/// happened at least once (for any event of the project, not one chosen event).
public struct IntegrationChecklist: Sendable, Equatable {
    /// A receipt was accepted.
    public let receiptSeen: Bool
    /// A `failed` result opened an incident.
    public let failureSeen: Bool
    /// An alert about an incident was delivered (email accepted or Slack answered 2xx).
    public let alertSent: Bool
    /// A repair callback got a 2xx from the project's repair endpoint.
    public let callbackDelivered: Bool
    /// An incident was resolved, whatever the resolution.
    public let resolved: Bool

    public init(receiptSeen: Bool, failureSeen: Bool, alertSent: Bool, callbackDelivered: Bool, resolved: Bool) {
        self.receiptSeen = receiptSeen
        self.failureSeen = failureSeen
        self.alertSent = alertSent
        self.callbackDelivered = callbackDelivered
        self.resolved = resolved
    }
}

/// What one minute of a project's recent activity holds (see ``ProjectActivity``).
public struct MinuteActivity: Sendable, Equatable {
    /// The minute is `[start, start + 60 s)`.
    public let start: Timestamp
    /// Receipts accepted in the minute.
    public var receipts = 0
    /// Events whose outcome is known and became known in the minute: succeeded at their
    /// `resultAt`, failed at their `resultAt`, timed out at their `timeoutAt`.
    public var succeeded = 0
    public var failed = 0
    /// From receipt to result, in milliseconds, for results that came in the minute; nil
    /// when none came.
    public var p50Milliseconds: Int64?
    public var p99Milliseconds: Int64?

    public init(start: Timestamp) {
        self.start = start
    }
}

/// A project's activity over a recent window in per-minute buckets, for the console's overview.
///
/// An event counts by its current state, at the instant that state was reached: an event whose
/// incident was later resolved by a late or replayed success counts as succeeded at that
/// result; a timed-out event counts as failed at its deadline.
public struct ProjectActivity: Sendable, Equatable {
    /// Oldest first; the last one ends at the instant the activity was read, and includes it.
    public let minutes: [MinuteActivity]
    /// Incidents not resolved, now.
    public let openIncidents: Int
    public let receipts: Int
    public let succeeded: Int
    public let failed: Int
    /// Succeeded over all outcomes of the window; nil when there were none.
    public let successRate: Double?
    /// Receipt-to-result times over the whole window, nearest rank; nil without results.
    public let p50Milliseconds: Int64?
    public let p99Milliseconds: Int64?
}

extension ShardState {
    /// The incidents of a project that match `filter`, for the console's list.
    public func incidentListing(
        _ filter: IncidentFilter, limit: Int, access: Access, project id: ProjectID, now: Timestamp
    ) throws(EngineError) -> IncidentListing {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        var counts: [IncidentStatus: Int] = [:]
        var matched: [IncidentView] = []
        for incidentID in project.incidentOrder.reversed() {
            guard let view = project.view(of: incidentID),
                  filter.matchesIgnoringStatus(view.incident, effectType: view.event.effectType)
            else { continue }
            counts[view.incident.status, default: 0] += 1
            if filter.status.map({ $0 == view.incident.status }) ?? true { matched.append(view) }
        }
        let rank: [IncidentStatus: Int] = [.open: 0, .reprocessing: 1, .resolved: 2]
        // A stable sort keeps newest first within a status.
        let ordered = matched.enumerated().sorted { left, right in
            (rank[left.element.incident.status]!, left.offset) < (rank[right.element.incident.status]!, right.offset)
        }.map(\.element)
        return IncidentListing(counts: counts, matching: matched.count, incidents: Array(ordered.prefix(limit)))
    }

    /// Which steps of the integration test the project's state shows (see
    /// ``IntegrationChecklist``).
    public func integrationChecklist(access: Access, project id: ProjectID, now: Timestamp) throws(EngineError) -> IntegrationChecklist {
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        let incidents = project.incidents.values
        return IntegrationChecklist(
            receiptSeen: !project.events.isEmpty,
            failureSeen: incidents.contains { $0.reason == .failed },
            alertSent: incidents.contains { $0.alerts.contains { $0.phase == .sent } },
            callbackDelivered: incidents.contains { incident in
                incident.replays.contains { $0.attempts.contains { (200..<300).contains($0.statusCode ?? 0) } }
            },
            resolved: incidents.contains { $0.status == .resolved })
    }

    /// The project's activity over the `minutes` whole minutes up to `now` (see
    /// ``ProjectActivity``).
    public func activity(minutes count: Int, access: Access, project id: ProjectID, now: Timestamp) throws(EngineError) -> ProjectActivity {
        precondition(count > 0, "an activity window has at least one minute")
        let project = try authorize(access, project: id, scope: .ingest, now: now)
        let start = now.adding(seconds: -60 * Int64(count))
        var minutes = (0..<count).map { MinuteActivity(start: start.adding(seconds: 60 * Int64($0))) }
        var durations = [[Int64]](repeating: [], count: count)
        func bucket(_ instant: Timestamp) -> Int? {
            guard instant >= start, instant <= now else { return nil }
            return min(Int((instant.millisecondsSinceEpoch - start.millisecondsSinceEpoch) / 60_000), count - 1)
        }
        for event in project.events.inCreationOrder {
            if let index = bucket(event.acceptedAt) { minutes[index].receipts += 1 }
            if let resultAt = event.resultAt, let index = bucket(resultAt) {
                durations[index].append(resultAt.millisecondsSinceEpoch - event.acceptedAt.millisecondsSinceEpoch)
            }
            switch event.state {
            case .pending:
                break
            case .succeeded:
                if let index = event.resultAt.flatMap(bucket) { minutes[index].succeeded += 1 }
            case .failed:
                if let index = event.resultAt.flatMap(bucket) { minutes[index].failed += 1 }
            case .timedOut:
                if let index = bucket(event.timeoutAt) { minutes[index].failed += 1 }
            }
        }
        for index in minutes.indices {
            durations[index].sort()
            minutes[index].p50Milliseconds = Self.percentile(0.50, of: durations[index])
            minutes[index].p99Milliseconds = Self.percentile(0.99, of: durations[index])
        }
        let all = durations.flatMap { $0 }.sorted()
        let succeeded = minutes.reduce(0) { $0 + $1.succeeded }
        let failed = minutes.reduce(0) { $0 + $1.failed }
        return ProjectActivity(
            minutes: minutes, openIncidents: project.openIncidentCount, receipts: minutes.reduce(0) { $0 + $1.receipts },
            succeeded: succeeded, failed: failed,
            successRate: succeeded + failed == 0 ? nil : Double(succeeded) / Double(succeeded + failed),
            p50Milliseconds: Self.percentile(0.50, of: all), p99Milliseconds: Self.percentile(0.99, of: all))
    }

    /// The nearest-rank percentile of sorted `values`: the smallest value with at least
    /// `fraction` of the values at or below it.
    static func percentile(_ fraction: Double, of values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let rank = Int((fraction * Double(values.count)).rounded(.up))
        return values[max(rank, 1) - 1]
    }
}
