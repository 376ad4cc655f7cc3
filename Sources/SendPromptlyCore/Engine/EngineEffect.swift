/// What the engine tells the outside world about, after the state change is made: the
/// notifier and the repair dispatcher plug in here.
///
/// Effects are hints, published before the change is durable and lost with the process: what
/// must survive a crash (a replay's next attempt, an alert to send) is also in the state, where
/// a deliverer finds it again on start (``ShardState/dueReplays()``).
public enum EngineEffect: Sendable {
    case incidentOpened(IncidentView)
    case incidentResolved(IncidentView)
    /// A replay has an attempt due: it was just requested, or an attempt failed and the next
    /// one is scheduled.
    case replayDue(ReplayTicket)
    /// An active replay ended without repairing (halted, exhausted, failed, or no result in
    /// time); the incident is open again.
    case replayEnded(IncidentView, replay: ReplayID)
}

/// Where a replay's next attempt stands: enough for the dispatcher to schedule it and find it
/// again.
public struct ReplayTicket: Sendable, Hashable {
    public let projectID: ProjectID
    public let incidentID: IncidentID
    public let replayID: ReplayID
    public let dueAt: Timestamp

    public init(projectID: ProjectID, incidentID: IncidentID, replayID: ReplayID, dueAt: Timestamp) {
        self.projectID = projectID
        self.incidentID = incidentID
        self.replayID = replayID
        self.dueAt = dueAt
    }
}

/// What one callback attempt came to, as the repair dispatcher reports it to the engine.
public struct ReplayAttemptReport: Sendable, Equatable {
    public enum Disposition: Sendable, Equatable {
        /// A 2xx answer: now awaiting the result with the `replay_id`.
        case delivered
        /// A retryable failure; the next attempt is due at this instant.
        case retry(at: Timestamp)
        /// A failure that retrying cannot fix (3xx, other 4xx, a refused address).
        case halted
        /// A retryable failure of the schedule's last attempt.
        case exhausted
    }

    public let incidentID: IncidentID
    public let replayID: ReplayID
    public let attempt: Replay.Attempt
    public let disposition: Disposition

    public init(incidentID: IncidentID, replayID: ReplayID, attempt: Replay.Attempt, disposition: Disposition) {
        self.incidentID = incidentID
        self.replayID = replayID
        self.attempt = attempt
        self.disposition = disposition
    }
}

/// Everything the dispatcher needs to send one attempt, read from the state at send time so
/// that a changed repair URL or a rotated secret applies to the next attempt.
public struct ReplayDelivery: Sendable {
    public let view: IncidentView
    public let replay: Replay
    /// The attempt about to be sent (1-based).
    public let attemptNumber: Int
    /// Nil when the operator removed it since the reprocess was requested.
    public let repairURL: String?
    public let mode: ProjectMode
    /// The secrets that sign now, newest first.
    public let signingSecrets: [String]
}
