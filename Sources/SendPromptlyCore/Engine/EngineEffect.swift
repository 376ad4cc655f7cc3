/// What the engine tells the outside world about, after the state change is made: the
/// notifier and the repair dispatcher plug in here.
///
/// Effects are hints, published before the change is durable and lost with the process: what
/// must survive a crash (a replay's next attempt, an alert to send) is also in the state, where
/// a deliverer finds it again on start (``ShardState/dueDeliveries()``).
public enum EngineEffect: Sendable {
    case incidentOpened(IncidentView)
    case incidentResolved(IncidentView)
    /// A delivery has an attempt due: it was just queued, or an attempt failed and the next
    /// one is scheduled.
    case deliveryDue(DeliveryTicket)
    /// An active replay ended without repairing (halted, exhausted, failed, or no result in
    /// time); the incident is open again.
    case replayEnded(IncidentView, replay: ReplayID)
}

/// Something the engine has to get out of the process, at least once: a repair callback of a
/// replay, or an alert. Both live on their incident, in its outbox.
public enum DeliveryItem: Sendable, Hashable {
    case replay(ReplayID)
    /// An alert by its number on the incident (1-based).
    case alert(Int)
}

/// Where a delivery's next attempt stands: enough for a deliverer to schedule it and find it
/// again.
public struct DeliveryTicket: Sendable, Hashable {
    public let projectID: ProjectID
    public let incidentID: IncidentID
    public let item: DeliveryItem
    public let dueAt: Timestamp

    public init(projectID: ProjectID, incidentID: IncidentID, item: DeliveryItem, dueAt: Timestamp) {
        self.projectID = projectID
        self.incidentID = incidentID
        self.item = item
        self.dueAt = dueAt
    }

    /// The same delivery, due at another time.
    public func due(at instant: Timestamp) -> DeliveryTicket {
        DeliveryTicket(projectID: projectID, incidentID: incidentID, item: item, dueAt: instant)
    }
}

/// What an attempt came to, as the deliverer judged it.
public enum DeliveryDisposition: Sendable, Equatable {
    /// Accepted by the receiver (a 2xx; an SMTP 250). A replay then awaits its result.
    case delivered
    /// A transient failure; the next attempt is due at this instant.
    case retry(at: Timestamp)
    /// A failure that retrying cannot fix (a 3xx or other 4xx of a repair endpoint, a 5xx of a
    /// mail server, a refused address, nothing configured to send with).
    case halted
    /// A transient failure of the schedule's last attempt.
    case exhausted
}

/// A deliverer's report of one attempt, recorded by ``ShardCommand/recordDeliveryAttempt(_:_:)``.
public struct DeliveryReport: Sendable, Equatable {
    public let incidentID: IncidentID
    public let item: DeliveryItem
    public let attempt: DeliveryAttempt
    public let disposition: DeliveryDisposition

    public init(incidentID: IncidentID, item: DeliveryItem, attempt: DeliveryAttempt, disposition: DeliveryDisposition) {
        self.incidentID = incidentID
        self.item = item
        self.attempt = attempt
        self.disposition = disposition
    }
}

/// Everything the dispatcher needs to send one callback attempt, read from the state at send
/// time so that a changed repair URL or a rotated secret applies to the next attempt.
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

/// Everything the notifier needs to send one alert attempt, read from the state at send time.
public struct AlertDelivery: Sendable {
    public let view: IncidentView
    public let alert: Alert
    public let attemptNumber: Int
    public let projectName: String
    public let mode: ProjectMode
    /// For a Slack alert: the project's incoming webhook now; nil when it was removed.
    public let slackWebhookURL: String?
}
