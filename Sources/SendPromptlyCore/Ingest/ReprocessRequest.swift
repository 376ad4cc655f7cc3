/// A validated bulk reprocess body (`POST /api/v1/incidents/reprocess`): every `open` incident
/// of the project opened in `[since, until)`, optionally of one effect type, oldest first, at
/// most `limit` of them. Svix's "recover since" is the model.
public struct ReprocessSelection: Sendable, Equatable {
    /// The most incidents one bulk request reprocesses; the answer says when more matched.
    public static let maximumLimit = 1000

    public var effectType: EffectType?
    public var since: Timestamp
    public var until: Timestamp?
    public var limit: Int

    public init(effectType: EffectType? = nil, since: Timestamp, until: Timestamp? = nil, limit: Int = maximumLimit) {
        self.effectType = effectType
        self.since = since
        self.until = until
        self.limit = limit
    }

    public init(body: some Collection<UInt8>) throws(EngineError) {
        let fields = try FieldReader(body: body)
        guard let since = try fields.timestamp("since") else {
            throw .validation(field: "since", message: "since is required (an RFC 3339 date-time)")
        }
        let until = try fields.timestamp("until")
        if let until, until <= since {
            throw .validation(field: "until", message: "until must be later than since")
        }
        self.init(
            effectType: try fields.choice("effect_type", of: EffectType.self), since: since, until: until,
            limit: Int(try fields.integer("limit", in: 1...Int64(Self.maximumLimit)) ?? Int64(Self.maximumLimit)))
    }

    func matches(_ incident: Incident, effectType: EffectType) -> Bool {
        incident.status == .open && incident.openedAt >= since && until.map { incident.openedAt < $0 } ?? true
            && self.effectType.map { $0 == effectType } ?? true
    }
}
