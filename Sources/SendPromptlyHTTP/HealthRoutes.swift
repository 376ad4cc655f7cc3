import Hummingbird
import SendPromptlyCore

extension API {
    /// `GET /healthz`: 200 while the process serves. `GET /readyz`: 200 once the engine's state
    /// is complete, 503 `unavailable` before and during shutdown.
    func addHealthRoutes(to router: some RouterMethods<some RequestContext>) {
        router.get("/healthz") { _, _ in
            Response.json(.object([("status", "ok")]))
        }
        router.get("/readyz") { _, _ in
            guard readiness.isReady, slot.engine != nil else { throw APIError.unavailable }
            return Response.json(.object([("status", "ready")]))
        }
    }
}
