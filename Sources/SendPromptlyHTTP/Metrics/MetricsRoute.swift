import Hummingbird
import SendPromptlyCore

extension ServerMetrics {
    /// `GET /metrics`: the Prometheus text format. With `tokenHash` (`--metrics-token`) a scrape
    /// must send `Authorization: Bearer <token>`, compared in constant time; anything else gets
    /// 401 `unauthorized`. Answers during recovery too, without the engine's counts.
    func addRoute(to router: some RouterMethods<some RequestContext>, slot: EngineSlot, tokenHash: SecretHash?) {
        router.get("/metrics") { request, _ in
            if let tokenHash {
                let token = try RequestGuards.bearerToken(request.headers)
                guard SecretHash(of: String(token)).constantTimeEquals(tokenHash) else { throw APIError.unauthorized }
            }
            let body = await self.exposition(engine: slot.engine)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
