import Hummingbird
import SendPromptlyCore

extension API {
    /// `POST /api/v1/receipt` and `POST /api/v1/result` (section 3), also served without the
    /// `/api` prefix. Most requests never get here: ``IngestChannelHandler`` answers them first,
    /// and passes on only those queued behind another request of their connection.
    func addIngestRoutes(to router: some RouterMethods<some RequestContext>) {
        for call in [IngestCall.receipt, .result] {
            for path in call.paths {
                router.post(RouterPath(path)) { request, _ in try await ingest(call, request) }
            }
        }
    }

    private func ingest(_ call: IngestCall, _ request: Request) async throws -> Response {
        let access = try keyAccess(request)
        let body = try await jsonBody(request)
        let command = try call.command(access: access, headers: request.headers, body: body)
        let answer = call.answer(try await execute(command))
        var response = Response.json(answer.body, status: answer.status)
        if answer.replayed { response.headers[RequestGuards.idempotentReplayed] = "true" }
        return response
    }
}
