/// Why the engine refused a request. Each case is one error code of the wire contract
/// (section 2); nothing of a refused request has been applied.
public enum EngineError: Error, Equatable, Sendable {
    /// The body is not a JSON object.
    case invalidJSON(String)
    /// More top-level members than ``IngestLimits/maximumFields``.
    case tooManyFields(Int)
    /// A field is missing, of the wrong type, out of range or too long.
    case validation(field: String?, message: String)
    /// Unknown here: also what another project's things look like.
    case notFound(String)
    /// The action does not fit the state of the thing.
    case conflict(String)
    /// The same `Idempotency-Key` came with a different request.
    case idempotencyKeyReused
    /// No usable credential: unknown, malformed or revoked.
    case unauthorized
    /// A valid credential whose scope does not allow the call.
    case forbidden(String)
    /// The project is over its ``IngestQuota``; it may try again after the given wait.
    case rateLimited(retryAfterMilliseconds: Int64, message: String)
}

public enum IngestLimits {
    /// Top-level members a request body may have (`too_many_fields` beyond).
    public static let maximumFields = 32
}
