/// Everything a shard holds for one project. Owned by exactly one ``ShardState``.
final class ProjectState {
    let id: ProjectID
    let createdAt: Timestamp
    var settings: ProjectSettings
    var signingSecrets: SigningSecrets
    var keys: [KeyID: APIKeyRecord] = [:]
    var keyIDsByHash: [SecretHash: KeyID] = [:]
    var events = EventTable()
    var incidents = IncidentTable()
    /// Incident ids in creation order, which is also their sort order.
    var incidentOrder: [IncidentID] = []
    var idempotency = IdempotencyTable()
    /// The result deadline of each delivered replay.
    var replayTimers: [ReplayID: ReplayTimer] = [:]

    init(id: ProjectID, settings: ProjectSettings, signingSecret: String, createdAt: Timestamp) {
        self.id = id
        self.settings = settings
        self.signingSecrets = SigningSecrets(current: signingSecret)
        self.createdAt = createdAt
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
