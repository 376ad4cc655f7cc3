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
/// has (112 bytes, the provider event id included: ``PackedText``): the fields most events
/// never carry (shop domain, incident, reported error) live in one shared ``EventDetails``
/// box, nil for the common event; the event type is a reference to its shard's shared
/// spelling (``SharedText``); the deadline is a span after acceptance (``TimeoutSpan``); times
/// that may be absent are numbers with a sentinel for none. Reading ``receipt`` assembles the
/// receipt as it was accepted.
public struct EventRecord: Sendable {
    // In this order, the packed id's odd 33 bytes and the one-byte fields after it fill the
    // 112 bytes to the end, with the 4-byte timeout span last.
    public let id: EventID
    private let eventType: SharedText
    let internalReference: String?
    public let acceptedAt: Timestamp
    private var resultAtMilliseconds: Int64
    private let occurredAtMilliseconds: Int64
    private var details: EventDetails?
    let providerEventID: PackedText
    let provider: Provider
    let effectType: EffectType
    public internal(set) var state: EventState
    private let timeout: TimeoutSpan

    /// The milliseconds that stand for an absent time (no timestamp the wire contract accepts is
    /// this far in the past).
    private static let absent = Int64.min

    /// The event of `receipt`. Its deadline `timeoutAt` is at most ``TimeoutSpan/longest``
    /// after `acceptedAt`, and exactly the receipt's own timeout after it when the receipt has
    /// one (``TimeoutSpan/fits(milliseconds:ownSeconds:)``).
    ///
    /// - Parameter sharedEventType: the shard's shared copy of the receipt's event type
    ///   (``StringInterner``); nil makes one for this event alone.
    init(
        id: EventID, receipt: Receipt, sharedEventType: SharedText? = nil, acceptedAt: Timestamp, timeoutAt: Timestamp,
        state: EventState, incidentID: IncidentID? = nil, resultAt: Timestamp? = nil, lastError: ReportedError? = nil
    ) {
        self.init(
            id: id, provider: receipt.provider, providerEventID: PackedText(receipt.providerEventID),
            eventType: sharedEventType ?? SharedText(receipt.eventType), effectType: receipt.effectType,
            internalReference: receipt.internalReference, occurredAt: receipt.occurredAt,
            shopifyShopDomain: receipt.shopifyShopDomain, timeoutSeconds: receipt.timeoutSeconds,
            acceptedAt: acceptedAt, timeoutAt: timeoutAt, state: state, incidentID: incidentID, resultAt: resultAt,
            lastError: lastError)
    }

    /// The event field by field, its provider event id packed already (a snapshot's reader
    /// packs it straight from the column's bytes, without a `String`). The deadline obeys the
    /// rule of ``init(id:receipt:sharedEventType:acceptedAt:timeoutAt:state:incidentID:resultAt:lastError:)``.
    init(
        id: EventID, provider: Provider, providerEventID: PackedText, eventType: SharedText, effectType: EffectType,
        internalReference: String?, occurredAt: Timestamp?, shopifyShopDomain: String?, timeoutSeconds: Int64?,
        acceptedAt: Timestamp, timeoutAt: Timestamp, state: EventState, incidentID: IncidentID?, resultAt: Timestamp?,
        lastError: ReportedError?
    ) {
        let span = timeoutAt.millisecondsSinceEpoch &- acceptedAt.millisecondsSinceEpoch
        precondition(TimeoutSpan.fits(milliseconds: span, ownSeconds: timeoutSeconds), "a deadline the engine never sets")
        self.id = id
        self.providerEventID = providerEventID
        self.eventType = eventType
        self.internalReference = internalReference
        self.acceptedAt = acceptedAt
        self.resultAtMilliseconds = resultAt?.millisecondsSinceEpoch ?? Self.absent
        self.occurredAtMilliseconds = occurredAt?.millisecondsSinceEpoch ?? Self.absent
        self.timeout = TimeoutSpan(milliseconds: span, own: timeoutSeconds != nil)
        self.provider = provider
        self.effectType = effectType
        self.state = state
        self.details = EventDetails(EventDetails.Fields(
            shopifyShopDomain: shopifyShopDomain, incidentID: incidentID, lastError: lastError))
    }

    /// When the event times out unless a result came first. Wrapping: a damaged snapshot's
    /// acceptance time near the end of `Int64` gives a deadline in the past, which its restore
    /// rejects, rather than a trap.
    public var timeoutAt: Timestamp {
        Timestamp(millisecondsSinceEpoch: acceptedAt.millisecondsSinceEpoch &+ timeout.milliseconds)
    }

    // The receipt's fields one by one, for readers of many events that would otherwise
    // assemble whole receipts (a `String` for each provider event id).

    var eventTypeSpelling: String { eventType.string }
    var occurredAt: Timestamp? { Self.timestamp(occurredAtMilliseconds) }
    var shopifyShopDomain: String? { details?.fields.shopifyShopDomain }
    var ownTimeoutSeconds: Int64? { timeout.isOwn ? timeout.milliseconds / 1000 : nil }

    public var receipt: Receipt {
        Receipt(
            provider: provider, providerEventID: providerEventID.string, eventType: eventTypeSpelling, effectType: effectType,
            internalReference: internalReference, occurredAt: occurredAt, shopifyShopDomain: shopifyShopDomain,
            timeoutSeconds: ownTimeoutSeconds)
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

/// An event's deadline as milliseconds after its acceptance, and whether its receipt named
/// that timeout itself or took its project's default: 4 bytes, where the deadline's timestamp
/// and the receipt's own timeout took 12. Timeouts are at most 7 days (``ReceiptRequest``,
/// ``ProjectRequest``), so a span needs 30 bits; the low bit is the flag.
struct TimeoutSpan {
    /// The longest span a row holds: 2^31 - 1 milliseconds, about 24.8 days.
    static let longest = Int64(UInt32.max >> 1)

    private let bits: UInt32

    /// Whether a row can hold a deadline `milliseconds` after acceptance, named by the receipt
    /// (`ownSeconds`) or not (nil): within `0...longest`, and the receipt's own timeout exactly.
    static func fits(milliseconds: Int64, ownSeconds: Int64?) -> Bool {
        guard (0...longest).contains(milliseconds) else { return false }
        guard let ownSeconds else { return true }
        let own = ownSeconds.multipliedReportingOverflow(by: 1000)
        return !own.overflow && own.partialValue == milliseconds
    }

    /// Whether a row can hold a timeout of `seconds`.
    static func fits(seconds: Int64) -> Bool {
        (0...longest / 1000).contains(seconds)
    }

    init(milliseconds: Int64, own: Bool) {
        bits = UInt32(milliseconds) << 1 | (own ? 1 : 0)
    }

    var milliseconds: Int64 { Int64(bits >> 1) }
    var isOwn: Bool { bits & 1 == 1 }
}
