extension Receipt {
    /// Validates a `POST /api/v1/receipt` body (section 3 of the wire contract).
    public init(body: some Collection<UInt8>) throws(EngineError) {
        let fields = try FieldReader(body: body)
        guard let provider = try fields.choice("provider", of: Provider.self, required: true) else {
            throw .validation(field: "provider", message: "provider is required")
        }
        let providerEventID = try fields.string("provider_event_id", maxLength: 255)
        let stripeEventID = try fields.string("stripe_event_id", maxLength: 255)
        if stripeEventID != nil, provider != .stripe {
            throw .validation(field: "stripe_event_id", message: "stripe_event_id is only accepted with provider stripe")
        }
        if let providerEventID, let stripeEventID, providerEventID != stripeEventID {
            throw .validation(field: "stripe_event_id", message: "stripe_event_id and provider_event_id disagree")
        }
        guard let eventID = providerEventID ?? stripeEventID else {
            throw .validation(field: "provider_event_id", message: "provider_event_id is required")
        }
        guard let eventType = try fields.string("event_type", required: true, maxLength: 255),
              let effectType = try fields.choice("effect_type", of: EffectType.self, required: true)
        else { throw .validation(field: "event_type", message: "event_type is required") }
        let minutes = try fields.integer("timeout_minutes", in: 1...10_080)
        let seconds = try fields.integer("timeout_seconds", in: 1...604_800)
        if minutes != nil, seconds != nil {
            throw .validation(field: "timeout_seconds", message: "give timeout_seconds or timeout_minutes, not both")
        }
        self.init(
            provider: provider,
            providerEventID: eventID,
            eventType: eventType,
            effectType: effectType,
            internalReference: try fields.string("internal_reference", maxLength: 255),
            occurredAt: try fields.timestamp("occurred_at"),
            shopifyShopDomain: try fields.string("shopify_shop_domain", maxLength: 255),
            timeoutSeconds: seconds ?? minutes.map { $0 * 60 }
        )
    }
}
