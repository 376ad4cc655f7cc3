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
/// has (128 bytes, the provider event id included: ``PackedText``): the fields most events never carry (shop domain, incident, reported error)
/// live in one shared ``EventDetails`` box, nil for the common event; times and the timeout
/// that may be absent are numbers with a sentinel for none. Reading ``receipt`` assembles the
/// receipt as it was accepted.
public struct EventRecord: Sendable {
    // In this order, the packed id's odd 33 bytes and the one-byte fields after it fill the
    // 128 bytes to the end, with the 4-byte timeout last.
    public let id: EventID
    private let eventType: String
    private let internalReference: String?
    public let acceptedAt: Timestamp
    public let timeoutAt: Timestamp
    private var resultAtMilliseconds: Int64
    private let occurredAtMilliseconds: Int64
    private var details: EventDetails?
    let providerEventID: PackedText
    let provider: Provider
    private let effectType: EffectType
    public internal(set) var state: EventState
    /// The receipt's own timeout (at most 7 days, ``ReceiptRequest``); ``absentTimeout`` for none.
    private let timeoutSeconds: Int32

    /// The milliseconds that stand for an absent time (no timestamp the wire contract accepts is
    /// this far in the past).
    private static let absent = Int64.min
    private static let absentTimeout = Int32.min

    init(
        id: EventID, receipt: Receipt, acceptedAt: Timestamp, timeoutAt: Timestamp, state: EventState,
        incidentID: IncidentID? = nil, resultAt: Timestamp? = nil, lastError: ReportedError? = nil
    ) {
        self.init(
            id: id, provider: receipt.provider, providerEventID: PackedText(receipt.providerEventID),
            eventType: receipt.eventType, effectType: receipt.effectType, internalReference: receipt.internalReference,
            occurredAt: receipt.occurredAt, shopifyShopDomain: receipt.shopifyShopDomain, timeoutSeconds: receipt.timeoutSeconds,
            acceptedAt: acceptedAt, timeoutAt: timeoutAt, state: state, incidentID: incidentID, resultAt: resultAt,
            lastError: lastError)
    }

    /// The event field by field, its provider event id packed already (a snapshot's reader
    /// packs it straight from the column's bytes, without a `String`).
    init(
        id: EventID, provider: Provider, providerEventID: PackedText, eventType: String, effectType: EffectType,
        internalReference: String?, occurredAt: Timestamp?, shopifyShopDomain: String?, timeoutSeconds: Int64?,
        acceptedAt: Timestamp, timeoutAt: Timestamp, state: EventState, incidentID: IncidentID?, resultAt: Timestamp?,
        lastError: ReportedError?
    ) {
        self.id = id
        self.providerEventID = providerEventID
        self.eventType = eventType
        self.internalReference = internalReference
        self.acceptedAt = acceptedAt
        self.timeoutAt = timeoutAt
        self.resultAtMilliseconds = resultAt?.millisecondsSinceEpoch ?? Self.absent
        self.occurredAtMilliseconds = occurredAt?.millisecondsSinceEpoch ?? Self.absent
        self.timeoutSeconds = timeoutSeconds.map { Int32(clamping: $0) } ?? Self.absentTimeout
        self.provider = provider
        self.effectType = effectType
        self.state = state
        self.details = EventDetails(EventDetails.Fields(
            shopifyShopDomain: shopifyShopDomain, incidentID: incidentID, lastError: lastError))
    }

    public var receipt: Receipt {
        Receipt(
            provider: provider, providerEventID: providerEventID.string, eventType: eventType, effectType: effectType,
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
