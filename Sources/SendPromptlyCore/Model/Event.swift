/// The fields of an accepted receipt, validated (section 3 of the wire contract).
public struct Receipt: Sendable, Equatable {
    public var provider: Provider
    public var providerEventID: String
    public var eventType: String
    public var effectType: EffectType
    public var internalReference: String?
    public var occurredAt: Timestamp?
    public var shopifyShopDomain: String?
    /// From `timeout_seconds` or `timeout_minutes`; nil means the project's default.
    public var timeoutSeconds: Int64?

    public init(
        provider: Provider, providerEventID: String, eventType: String, effectType: EffectType,
        internalReference: String? = nil, occurredAt: Timestamp? = nil, shopifyShopDomain: String? = nil,
        timeoutSeconds: Int64? = nil
    ) {
        self.provider = provider
        self.providerEventID = providerEventID
        self.eventType = eventType
        self.effectType = effectType
        self.internalReference = internalReference
        self.occurredAt = occurredAt
        self.shopifyShopDomain = shopifyShopDomain
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The error a `failed` result reported.
public struct ReportedError: Sendable, Equatable {
    public var code: String?
    public var message: String?

    public init(code: String? = nil, message: String? = nil) {
        self.code = code
        self.message = message
    }
}

/// An event: one receipt and what became of it.
public struct EventRecord: Sendable {
    public let id: EventID
    public let receipt: Receipt
    public let acceptedAt: Timestamp
    public let timeoutAt: Timestamp
    public internal(set) var state: EventState
    public internal(set) var incidentID: IncidentID?
    public internal(set) var resultAt: Timestamp?
    public internal(set) var lastError: ReportedError?
}

/// A pending receipt's deadline in the shard's timing wheel. It carries just enough to find
/// the event again; cancelling it on the result is one unlink.
final class ReceiptTimer: TimerEntry {
    let projectID: ProjectID
    let eventID: EventID

    init(projectID: ProjectID, eventID: EventID, deadline: Timestamp) {
        self.projectID = projectID
        self.eventID = eventID
        super.init(deadline: deadline.millisecondsSinceEpoch)
    }
}
