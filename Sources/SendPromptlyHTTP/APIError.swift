import HTTPTypes
import Hummingbird
import NIOCore
import SendPromptlyCore

/// An error as the wire contract writes it (section 2): a status and
/// `{"error": {"code", "message", "field"?}}`. Every failure a client sees goes through here.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public init(_ error: EngineError) {
        switch error {
        case .invalidJSON(let message):
            self.init(.badRequest, "invalid_json", message)
        case .tooManyFields(let count):
            self.init(.contentTooLarge, "too_many_fields",
                      "the body has \(count) top-level fields; at most \(IngestLimits.maximumFields) are allowed")
        case .validation(let field, let message):
            self.init(.unprocessableContent, "validation_error", message, field: field)
        case .notFound(let message):
            self.init(.notFound, "not_found", message)
        case .conflict(let message):
            self.init(.conflict, "conflict", message)
        case .idempotencyKeyReused:
            self.init(.unprocessableContent, "idempotency_key_reused",
                      "this Idempotency-Key was used with a different request")
        case .unauthorized:
            self = .unauthorized
        case .forbidden(let message):
            self.init(.forbidden, "forbidden", message)
        case .rateLimited(let retryAfterMilliseconds, let message):
            self.init(.tooManyRequests, "rate_limited", message)
            // Whole seconds, rounded up: a client that waits them finds a token.
            headers[.retryAfter] = String((retryAfterMilliseconds + 999) / 1000)
        }
    }

    public static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer credential is required")
    public static let routeNotFound = APIError(.notFound, "not_found", "no such route")
    public static let unavailable = APIError(.serviceUnavailable, "unavailable", "the server is starting up or shutting down; retry shortly")

    /// What a request answers when the server failed, not the client.
    static let internalError = APIError(.internalServerError, "internal_error", "the server failed; retry with the same Idempotency-Key")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(json, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// `{"error": {"code", "message", "field"?}}`.
    var json: JSON {
        var error: [(String, JSON)] = [("code", .string(code)), ("message", .string(message))]
        if let field { error.append(("field", .string(field))) }
        return .object([("error", .object(error))])
    }

    /// ``json`` serialized, for the few answers written below the router.
    var body: ByteBuffer { ByteBuffer(string: json.serialized) }
}

extension Response {
    /// A JSON response with `Content-Type: application/json`.
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized)))
    }
}
