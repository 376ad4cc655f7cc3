import SendPromptlyCore

/// What one shard has done since the process started, for `/metrics`: plain integers the
/// ``Shard`` actor bumps inside the turn that applied a command, so the ingest path pays an
/// addition and no lock, and a scrape reads them with one actor hop per shard.
///
/// Commands replayed by recovery are not counted (recovery applies them to the state before a
/// shard exists): the counters are this process's, as Prometheus counters are.
public struct ShardCounters: Sendable, Equatable {
    /// Receipts that created an event (neither an idempotent replay nor a duplicate).
    public internal(set) var receiptsAccepted = 0
    /// Results applied to an event (not idempotent replays).
    public internal(set) var resultsApplied = 0
    /// Incidents opened, by reason.
    public internal(set) var incidentsOpened: [IncidentReason: Int] = [:]
    /// Incidents resolved, by resolution.
    public internal(set) var incidentsResolved: [Resolution: Int] = [:]
    /// Delivery attempts recorded, by what was delivered and what the attempt came to.
    public internal(set) var attempts: [AttemptKey: Int] = [:]

    /// A delivery kind and an attempt's outcome.
    public struct AttemptKey: Hashable, Sendable {
        /// `callback` (a repair callback of a replay) or `alert`.
        public let kind: String
        /// `delivered`, `retry`, `halted` or `exhausted`.
        public let outcome: String
    }

    public init() {}

    /// Counts what applying `command` did, given its outcome.
    mutating func count(_ command: ShardCommand, _ outcome: CommandOutcome) {
        switch outcome {
        case .receipt(let reply) where !reply.replayed && !reply.answer.duplicate:
            receiptsAccepted += 1
        case .result(let reply) where !reply.replayed:
            resultsApplied += 1
        case .attemptRecorded(true):
            guard case .recordDeliveryAttempt(_, let report) = command else { return }
            attempts[Self.key(report), default: 0] += 1
        default:
            return
        }
    }

    /// Counts an effect the shard published.
    mutating func count(_ effect: EngineEffect) {
        switch effect {
        case .incidentOpened(let view):
            incidentsOpened[view.incident.reason, default: 0] += 1
        case .incidentResolved(let view):
            guard let resolution = view.incident.resolution else { return }
            incidentsResolved[resolution, default: 0] += 1
        case .deliveryDue, .replayEnded:
            return
        }
    }

    /// The sum of `self` and `other`, for totals over shards.
    public func adding(_ other: ShardCounters) -> ShardCounters {
        combined(with: other, +)
    }

    /// Each count at the larger of its values in `self` and `other`.
    public func maximum(_ other: ShardCounters) -> ShardCounters {
        combined(with: other, max)
    }

    private func combined(with other: ShardCounters, _ combine: (Int, Int) -> Int) -> ShardCounters {
        var result = self
        result.receiptsAccepted = combine(receiptsAccepted, other.receiptsAccepted)
        result.resultsApplied = combine(resultsApplied, other.resultsApplied)
        result.incidentsOpened.merge(other.incidentsOpened, uniquingKeysWith: combine)
        result.incidentsResolved.merge(other.incidentsResolved, uniquingKeysWith: combine)
        result.attempts.merge(other.attempts, uniquingKeysWith: combine)
        return result
    }

    private static func key(_ report: DeliveryReport) -> AttemptKey {
        let kind: String
        switch report.item {
        case .replay: kind = "callback"
        case .alert: kind = "alert"
        }
        let outcome: String
        switch report.disposition {
        case .delivered: outcome = "delivered"
        case .retry: outcome = "retry"
        case .halted: outcome = "halted"
        case .exhausted: outcome = "exhausted"
        }
        return AttemptKey(kind: kind, outcome: outcome)
    }
}
