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
///
/// A shard holds a million of these, so the value keeps inline only what a typical receipt
/// has (112 bytes): the fields most events never carry (shop domain, incident, reported error)
/// live in one shared ``EventDetails`` box, nil for the common event; times and the timeout
/// that may be absent are numbers with a sentinel for none. Reading ``receipt`` assembles the
/// receipt as it was accepted.
public struct EventRecord: Sendable {
    public let id: EventID
    let providerEventID: String
    private let eventType: String
    private let internalReference: String?
    public let acceptedAt: Timestamp
    public let timeoutAt: Timestamp
    private var resultAtMilliseconds: Int64
    private let occurredAtMilliseconds: Int64
    private var details: EventDetails?
    /// The receipt's own timeout (at most 7 days, ``ReceiptRequest``); ``absentTimeout`` for none.
    private let timeoutSeconds: Int32
    let provider: Provider
    private let effectType: EffectType
    public internal(set) var state: EventState

    /// The milliseconds that stand for an absent time (no timestamp the wire contract accepts is
    /// this far in the past).
    private static let absent = Int64.min
    private static let absentTimeout = Int32.min

    init(
        id: EventID, receipt: Receipt, acceptedAt: Timestamp, timeoutAt: Timestamp, state: EventState,
        incidentID: IncidentID? = nil, resultAt: Timestamp? = nil, lastError: ReportedError? = nil
    ) {
        self.id = id
        self.providerEventID = receipt.providerEventID
        self.eventType = receipt.eventType
        self.internalReference = receipt.internalReference
        self.acceptedAt = acceptedAt
        self.timeoutAt = timeoutAt
        self.resultAtMilliseconds = resultAt?.millisecondsSinceEpoch ?? Self.absent
        self.occurredAtMilliseconds = receipt.occurredAt?.millisecondsSinceEpoch ?? Self.absent
        self.timeoutSeconds = receipt.timeoutSeconds.map { Int32(clamping: $0) } ?? Self.absentTimeout
        self.provider = receipt.provider
        self.effectType = receipt.effectType
        self.state = state
        self.details = EventDetails(EventDetails.Fields(
            shopifyShopDomain: receipt.shopifyShopDomain, incidentID: incidentID, lastError: lastError))
    }

    public var receipt: Receipt {
        Receipt(
            provider: provider, providerEventID: providerEventID, eventType: eventType, effectType: effectType,
            internalReference: internalReference, occurredAt: Self.timestamp(occurredAtMilliseconds),
            shopifyShopDomain: details?.fields.shopifyShopDomain,
            timeoutSeconds: timeoutSeconds == Self.absentTimeout ? nil : Int64(timeoutSeconds))
    }

    public internal(set) var resultAt: Timestamp? {
        get { Self.timestamp(resultAtMilliseconds) }
        set { resultAtMilliseconds = newValue?.millisecondsSinceEpoch ?? Self.absent }
    }

    public internal(set) var incidentID: IncidentID? {
        get { details?.fields.incidentID }
        set { changeDetails { $0.incidentID = newValue } }
    }

    public internal(set) var lastError: ReportedError? {
        get { details?.fields.lastError }
        set { changeDetails { $0.lastError = newValue } }
    }

    private static func timestamp(_ milliseconds: Int64) -> Timestamp? {
        milliseconds == absent ? nil : Timestamp(millisecondsSinceEpoch: milliseconds)
    }

    /// Details are immutable and may be shared with copies of this event: a change makes a new box.
    private mutating func changeDetails(_ change: (inout EventDetails.Fields) -> Void) {
        var fields = details?.fields ?? EventDetails.Fields()
        change(&fields)
        details = EventDetails(fields)
    }
}

/// The fields of an ``EventRecord`` that most events do not have.
final class EventDetails: Sendable {
    struct Fields {
        var shopifyShopDomain: String?
        var incidentID: IncidentID?
        var lastError: ReportedError?
    }

    let fields: Fields

    /// Nil when every field is absent: the common event carries no box at all.
    init?(_ fields: Fields) {
        guard fields.shopifyShopDomain != nil || fields.incidentID != nil || fields.lastError != nil
        else { return nil }
        self.fields = fields
    }
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
