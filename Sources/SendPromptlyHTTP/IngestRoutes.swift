import Hummingbird
import SendPromptlyCore

extension API {
    /// `POST /api/v1/receipt` and `POST /api/v1/result` (section 3), also served without the
    /// `/api` prefix.
    func addIngestRoutes(to router: some RouterMethods<some RequestContext>) {
        for prefix in ["/api/v1", "/v1"] {
            router.post("\(prefix)/receipt") { request, _ in try await receipt(request) }
            router.post("\(prefix)/result") { request, _ in try await result(request) }
        }
    }

    func receipt(_ request: Request) async throws -> Response {
        let access = try keyAccess(request)
        let body = try await jsonBody(request)
        let token = try RequestGuards.idempotencyToken(request, body: body)
        let receipt: Receipt
        do throws(EngineError) { receipt = try Receipt(body: body.readableBytesView) } catch { throw APIError(error) }
        guard case .receipt(let reply) = try await execute(.receipt(access.project!, access, receipt, token)) else {
            preconditionFailure("a receipt answers a receipt")
        }
        return Self.ingestResponse(Views.receiptAccepted(reply.answer), status: .accepted, replayed: reply.replayed)
    }

    func result(_ request: Request) async throws -> Response {
        let access = try keyAccess(request)
        let body = try await jsonBody(request)
        let token = try RequestGuards.idempotencyToken(request, body: body)
        let report: ResultReport
        do throws(EngineError) { report = try ResultReport(body: body.readableBytesView) } catch { throw APIError(error) }
        guard case .result(let reply) = try await execute(.result(access.project!, access, report, token)) else {
            preconditionFailure("a result answers a result")
        }
        return Self.ingestResponse(Views.resultApplied(reply.answer), status: .ok, replayed: reply.replayed)
    }

    private static func ingestResponse(_ body: JSON, status: HTTPResponse.Status, replayed: Bool) -> Response {
        var response = Response.json(body, status: status)
        if replayed { response.headers[RequestGuards.idempotentReplayed] = "true" }
        return response
    }
}
