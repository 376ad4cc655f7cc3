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

/// A reprocess request and its delivery attempts (filled in by the repair dispatcher).
public struct Replay: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public let number: Int
        public let at: Timestamp
        public let statusCode: Int?
        public let error: String?
    }

    public let id: ReplayID
    public let requestedAt: Timestamp
    public var attempts: [Attempt]
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
}

/// An incident with the receipt it is about, as the read API and the notifier see it.
public struct IncidentView: Sendable {
    public let incident: Incident
    public let event: EventRecord
}
