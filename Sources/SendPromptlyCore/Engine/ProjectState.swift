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
    /// increase): a snapshot writes events in this order without sorting a million ids. May
    /// hold ids of removed events until ``removeEvent(_:)`` compacts it.
    var eventOrder: [EventID] = []
    var eventIDsByProviderEvent: [ProviderEventKey: EventID] = [:]
    /// The deadline of each pending event.
    var timers: [EventID: ReceiptTimer] = [:]
    var incidents: [IncidentID: Incident] = [:]
    /// Incident ids in creation order, which is also their sort order. May hold ids of removed
    /// incidents until ``removeIncident(_:)`` compacts it.
    var incidentOrder: [IncidentID] = []
    var idempotency: [String: IdempotencyRecord] = [:]
    /// Idempotency records in the order they were made, from `idempotencyOrderStart` on. A
    /// snapshot writes the live ones in this order, which replaying the journal reproduces,
    /// so equal states still encode to equal bytes without a sort. Records leave the front as
    /// they expire (in about the order they were made); one expired out of order is skipped.
    var idempotencyOrder: [IdempotencyRecord] = []
    var idempotencyOrderStart = 0
    /// The result deadline of each delivered replay.
    var replayTimers: [ReplayID: ReplayTimer] = [:]

    init(id: ProjectID, settings: ProjectSettings, signingSecret: String, createdAt: Timestamp) {
        self.id = id
        self.settings = settings
        self.signingSecrets = SigningSecrets(current: signingSecret)
        self.createdAt = createdAt
    }

    /// Records a new idempotency record, last in order.
    func remember(_ record: IdempotencyRecord) {
        idempotency[record.key] = record
        idempotencyOrder.append(record)
    }

    /// The live idempotency records, oldest first.
    var liveIdempotencyRecords: some Sequence<IdempotencyRecord> {
        idempotencyOrder[idempotencyOrderStart...].lazy.filter { !$0.isForgotten }
    }

    /// Forgets an expired record and lets the order's front move past the dead ones.
    func forget(_ record: IdempotencyRecord) {
        guard idempotency[record.key] === record else { return }
        idempotency[record.key] = nil
        record.isForgotten = true
        while idempotencyOrderStart < idempotencyOrder.count, idempotencyOrder[idempotencyOrderStart].isForgotten {
            idempotencyOrderStart += 1
        }
        if idempotencyOrderStart >= 1024, idempotencyOrderStart * 2 >= idempotencyOrder.count {
            idempotencyOrder.removeFirst(idempotencyOrderStart)
            idempotencyOrderStart = 0
        }
    }

    /// Forgets an event (retention, ShardState+Retention.swift): the event and its provider id,
    /// so that a redelivery afterwards is a new event. Its id leaves `eventOrder` in batches,
    /// once removed ids are half of it, so that removing costs O(1) amortised; readers of the
    /// order skip ids no longer in `events`.
    ///
    /// - Returns: the event, nil when there was none.
    func removeEvent(_ id: EventID) -> EventRecord? {
        guard let event = events.removeValue(forKey: id) else { return nil }
        let providerKey = ProviderEventKey(provider: event.receipt.provider, providerEventID: event.receipt.providerEventID)
        if eventIDsByProviderEvent[providerKey] == id { eventIDsByProviderEvent[providerKey] = nil }
        if eventOrder.count >= 1024, (eventOrder.count - events.count) * 2 >= eventOrder.count {
            eventOrder.removeAll { events[$0] == nil }
        }
        return event
    }

    /// Forgets an incident (retention), leaving `incidentOrder` in batches as ``removeEvent(_:)``
    /// does; the caller cancels any replay deadline it still had.
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
            openIncidents: openIncidentCount, pendingReceipts: timers.count)
    }

    func view(of incidentID: IncidentID) -> IncidentView? {
        guard let incident = incidents[incidentID], let event = events[incident.eventID] else { return nil }
        return IncidentView(incident: incident, event: event)
    }
}
