/// One line of an incident's history (`{at, kind, detail}` on the wire).
public struct TimelineEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case receipt, timeout, result, alert, resolution
        case replayRequested = "replay_requested"
        case replayAttempt = "replay_attempt"
    }

    public let at: Timestamp
    public let kind: Kind
    public let detail: String
}

/// One attempt of a delivery (a repair callback, an alert), as its deliverer reported it.
public struct DeliveryAttempt: Sendable, Equatable {
    public let number: Int
    public let at: Timestamp
    /// The receiver's status: an HTTP status, or an SMTP reply code; nil when none came
    /// (network error, time-out).
    public let statusCode: Int?
    public let error: String?

    public init(number: Int, at: Timestamp, statusCode: Int?, error: String?) {
        self.number = number
        self.at = at
        self.statusCode = statusCode
        self.error = error
    }

    /// The status and the error as the timeline and alerts show them: `503`, `307 redirect not
    /// followed`, `timed out after 10 s`.
    public var summary: String {
        let parts = [statusCode.map(String.init), error].compactMap { $0 }
        return parts.isEmpty ? "no answer" : parts.joined(separator: " ")
    }
}

/// A reprocess request: one `replay_id`, the callbacks sent for it, and where it stands.
///
/// A replay is *active* while it is being sent or awaits its result; at most one replay of an
/// incident is active (a new reprocess request supersedes the previous one).
public struct Replay: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// The next attempt is due at this instant.
        case sending(dueAt: Timestamp)
        /// Delivered (a 2xx answer); the result with this `replay_id` is due by the deadline.
        case awaitingResult(deadline: Timestamp)
        /// The repair endpoint reported `success` with this `replay_id`.
        case succeeded
        /// The repair endpoint reported `failed` with this `replay_id`.
        case failed
        /// A 3xx, a non-retryable 4xx or a refused address stopped the retries.
        case halted
        /// Every attempt of the retry schedule failed.
        case exhausted
        /// Delivered, but no result came within the event's timeout.
        case timedOut
        /// A newer reprocess request replaced it.
        case superseded
        /// The incident was resolved by other means while the replay was active.
        case cancelled

        /// The wire spelling (`status` of a replay).
        public var name: String {
            switch self {
            case .sending: "sending"
            case .awaitingResult: "awaiting_result"
            case .succeeded: "succeeded"
            case .failed: "failed"
            case .halted: "halted"
            case .exhausted: "exhausted"
            case .timedOut: "timed_out"
            case .superseded: "superseded"
            case .cancelled: "cancelled"
            }
        }
    }

    public let id: ReplayID
    public let requestedAt: Timestamp
    public internal(set) var attempts: [DeliveryAttempt]
    public internal(set) var phase: Phase

    public var isActive: Bool {
        switch phase {
        case .sending, .awaitingResult: true
        default: false
        }
    }
}

/// A message to the people of a project about its incident, on one channel, kept in the
/// incident's outbox until it is sent or given up: queued in the same state change that
/// caused it, so a crash cannot lose it.
public struct Alert: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case opened
        /// A replay ended without repairing: halted, exhausted, failed or no result in time.
        case replayEnded(ReplayID)
        case resolved
    }

    public enum Channel: String, Sendable, CaseIterable {
        case email, slack
    }

    public enum Phase: Sendable, Equatable {
        case sending(dueAt: Timestamp)
        case sent
        /// Given up: a permanent refusal, the retries exhausted, or nothing to send with.
        case failed
    }

    /// 1-based, in the order the incident queued its alerts.
    public let number: Int
    public let subject: Subject
    public let channel: Channel
    public let queuedAt: Timestamp
    /// The email addresses of the project when the alert was queued; empty for Slack.
    public let recipients: [String]
    public internal(set) var attempts: [DeliveryAttempt]
    public internal(set) var phase: Phase

    /// The wire spelling of what the alert is about.
    public var subjectName: String {
        switch subject {
        case .opened: "incident_opened"
        case .replayEnded: "replay_failed"
        case .resolved: "incident_resolved"
        }
    }

    public var phaseName: String {
        switch phase {
        case .sending: "sending"
        case .sent: "sent"
        case .failed: "failed"
        }
    }
}

/// A payment that was accepted but not applied: the event failed or never reported.
/// An event has at most one incident, and it opens once.
public struct Incident: Sendable {
    public let id: IncidentID
    public let projectID: ProjectID
    public let eventID: EventID
    public let reason: IncidentReason
    public let openedAt: Timestamp
    public internal(set) var status: IncidentStatus
    public internal(set) var resolvedAt: Timestamp?
    public internal(set) var resolution: Resolution?
    public internal(set) var resolutionNote: String?
    public internal(set) var lastError: ReportedError?
    public internal(set) var timeline: [TimelineEntry]
    public internal(set) var replays: [Replay]
    public internal(set) var alerts: [Alert] = []
}

/// An incident with the receipt it is about, as the read API and the notifier see it.
public struct IncidentView: Sendable {
    public let incident: Incident
    public let event: EventRecord
}
