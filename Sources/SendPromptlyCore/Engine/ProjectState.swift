/// Everything a shard holds for one project. Owned by exactly one ``ShardState``.
final class ProjectState {
    let id: ProjectID
    /// The project's number in its shard (``ShardState/projectsByOrdinal``), which the shard's
    /// deadlines carry instead of the id. Not persisted: a restore numbers projects again.
    let ordinal: UInt32
    let createdAt: Timestamp
    var settings: ProjectSettings
    var signingSecrets: SigningSecrets
    var keys: [KeyID: APIKeyRecord] = [:]
    var keyIDsByHash: [SecretHash: KeyID] = [:]
    var events = EventTable()
    var incidents = IncidentTable()
    /// Incident ids in creation order, which is also their sort order. May hold ids of removed
    /// incidents until ``removeIncident(_:)`` compacts it.
    var incidentOrder: [IncidentID] = []
    var idempotency = IdempotencyTable()
    /// How this project's receipts spell their idempotency keys (a snapshot's shortcut).
    var keyPrefixes = IdempotencyKeyPrefixes()
    /// The result deadline of each delivered replay.
    var replayTimers: [ReplayID: ReplayDeadline] = [:]

    init(id: ProjectID, ordinal: UInt32, settings: ProjectSettings, signingSecret: String, createdAt: Timestamp) {
        self.id = id
        self.ordinal = ordinal
        self.settings = settings
        self.signingSecrets = SigningSecrets(current: signingSecret)
        self.createdAt = createdAt
    }

    /// Forgets a finished event (retention, ShardState+Retention.swift) and its provider id, so
    /// that a redelivery afterwards is a new event.
    ///
    /// - Returns: the event, nil when there was none or it is pending.
    func removeEvent(_ id: EventID) -> EventRecord? {
        events.remove(id)
    }

    /// Forgets an incident (retention). Its id leaves `incidentOrder` in batches, once removed
    /// ids are half of it, so that removing costs O(1) amortised; readers of the order skip ids
    /// no longer in `incidents`. The caller cancels any replay deadline it still had.
    ///
    /// - Returns: the incident, nil when there was none.
    func removeIncident(_ id: IncidentID) -> Incident? {
        guard let incident = incidents.removeValue(forKey: id) else { return nil }
        if incidentOrder.count >= 1024, (incidentOrder.count - incidents.count) * 2 >= incidentOrder.count {
            incidentOrder.removeAll { incidents[$0] == nil }
        }
        return incident
    }

    var openIncidentCount: Int {
        incidents.values.count { $0.status != .resolved }
    }

    func summary() -> ProjectSummary {
        ProjectSummary(
            id: id, settings: settings, createdAt: createdAt, signingSecret: signingSecrets.current,
            openIncidents: openIncidentCount, pendingReceipts: events.pendingCount)
    }

    func view(of incidentID: IncidentID) -> IncidentView? {
        guard let incident = incidents[incidentID], let event = events[incident.eventID] else { return nil }
        return IncidentView(incident: incident, event: event)
    }
}
