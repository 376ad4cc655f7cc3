/// A validated `POST /api/v1/result` body (section 3 of the wire contract).
public struct ResultReport: Sendable, Equatable {
    /// How the result names its event: exactly one identifier.
    public enum EventReference: Sendable, Equatable {
        case eventID(String)
        case providerEventID(String)
        case stripeEventID(String)
    }

    public var event: EventReference
    public var status: ResultStatus
    public var error: ReportedError
    public var replayID: String?

    public init(event: EventReference, status: ResultStatus, error: ReportedError = ReportedError(), replayID: String? = nil) {
        self.event = event
        self.status = status
        self.error = error
        self.replayID = replayID
    }

    public init(body: some Collection<UInt8>) throws(EngineError) {
        let fields = try FieldReader(body: body)
        var references: [EventReference] = []
        if let id = try fields.string("event_id", maxLength: 64) { references.append(.eventID(id)) }
        if let id = try fields.string("provider_event_id", maxLength: 255) { references.append(.providerEventID(id)) }
        if let id = try fields.string("stripe_event_id", maxLength: 255) { references.append(.stripeEventID(id)) }
        guard references.count == 1, let event = references.first else {
            throw .validation(
                field: "event_id",
                message: "give exactly one of event_id, provider_event_id, stripe_event_id")
        }
        guard let status = try fields.choice("status", of: ResultStatus.self, required: true) else {
            throw .validation(field: "status", message: "status is required")
        }
        self.init(
            event: event,
            status: status,
            error: ReportedError(
                code: try fields.string("error_code", maxLength: 100),
                message: try fields.string("error_message", maxLength: 2000)),
            replayID: try fields.string("replay_id", maxLength: 64)
        )
    }
}
