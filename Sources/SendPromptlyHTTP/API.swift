import Hummingbird
import NIOCore
import SendPromptlyCore
import SendPromptlyEngine

/// The HTTP API of the wire contract on top of an ``Engine``. Routes are grouped by concern
/// in the extensions of this type (ingest, incidents, admin, health).
struct API: Sendable {
    let slot: EngineSlot
    let settings: ServerSettings
    let adminTokenHash: SecretHash
    let readiness: Readiness

    /// The engine; the gate in front of every API route has checked that it is installed.
    var engine: Engine { slot.engine! }

    /// The project's access from the request's API key.
    func keyAccess(_ request: Request) throws(APIError) -> Access {
        try Self.keyAccess(request.headers, engine: engine)
    }

    static func keyAccess(_ headers: HTTPFields, engine: Engine) throws(APIError) -> Access {
        do {
            return try engine.access(forAPIKey: RequestGuards.bearerToken(headers))
        } catch {
            throw .unauthorized
        }
    }

    /// Checks the admin token in constant time.
    func requireAdministrator(_ request: Request) throws(APIError) {
        let token = try RequestGuards.bearerToken(request.headers)
        guard SecretHash(of: String(token)).constantTimeEquals(adminTokenHash) else { throw .unauthorized }
    }

    /// Runs a read on the shard of `project`, turning a refusal into its wire error.
    func read<Answer: Sendable>(
        on project: ProjectID, _ operation: @Sendable (ShardState, Timestamp) throws(EngineError) -> Answer
    ) async throws(APIError) -> Answer {
        do {
            return try await engine.read(on: project, operation)
        } catch {
            throw APIError(error)
        }
    }

    /// Applies `command` and returns once it is durable, turning a refusal into its wire error.
    /// A journal failure is not the client's fault: it surfaces as `internal_error`.
    func execute(_ command: ShardCommand) async throws -> CommandOutcome {
        do {
            return try await engine.execute(command)
        } catch let error as EngineError {
            throw APIError(error)
        }
    }

    /// Runs one of the engine's operator actions, turning a refusal into its wire error.
    func engineAction<Answer>(_ action: () async throws -> Answer) async throws -> Answer {
        do {
            return try await action()
        } catch let error as EngineError {
            throw APIError(error)
        }
    }

    /// The body of a JSON request, after the `Content-Type` and size checks.
    func jsonBody(_ request: Request, allowEmpty: Bool = false) async throws -> ByteBuffer {
        try RequestGuards.requireJSONContentType(request.headers, allowEmpty: allowEmpty)
        return try await RequestGuards.body(request, limit: settings.maximumBodyBytes)
    }

    func parameter(_ name: String, _ context: some RequestContext) throws(APIError) -> String {
        guard let value = context.parameters.get(name) else { throw .routeNotFound }
        return value
    }
}

/// Refuses API requests while the server is not ready, and requests that cannot take JSON.
struct APIGateMiddleware<Context: RequestContext>: RouterMiddleware {
    let readiness: Readiness
    let slot: EngineSlot

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard readiness.isReady, slot.engine != nil else { throw APIError.unavailable }
        try RequestGuards.requireAcceptsJSON(request.headers)
        return try await next(request, context)
    }
}
