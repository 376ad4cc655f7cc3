/// Everything a shard holds for one project. Owned by exactly one ``ShardState``.
final class ProjectState {
    /// How a provider's own event id is found again (redelivery de-duplication).
    struct ProviderEventKey: Hashable {
        let provider: Provider
        let providerEventID: String
    }

    let id: ProjectID
    let createdAt: Timestamp
    var settings: ProjectSettings
    var signingSecrets: SigningSecrets
    var keys: [KeyID: APIKeyRecord] = [:]
    var keyIDsByHash: [SecretHash: KeyID] = [:]
    var events: [EventID: EventRecord] = [:]
    /// Event ids in creation order, which is also their sort order (a shard's identifiers
    /// increase): a snapshot writes events in this order without sorting a million ids.
    var eventOrder: [EventID] = []
    var eventIDsByProviderEvent: [ProviderEventKey: EventID] = [:]
    /// The deadline of each pending event.
    var timers: [EventID: ReceiptTimer] = [:]
    var incidents: [IncidentID: Incident] = [:]
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
            openIncidents: openIncidentCount, pendingReceipts: timers.count)
    }

    func view(of incidentID: IncidentID) -> IncidentView? {
        guard let incident = incidents[incidentID], let event = events[incident.eventID] else { return nil }
        return IncidentView(incident: incident, event: event)
    }
}
