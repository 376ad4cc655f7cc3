import Hummingbird
import Logging
import ServiceLifecycle
import SendPromptlyCore
import SendPromptlyEngine

/// Builds the HTTP application: every route of the wire contract, the error shape, and the
/// services that run beside the server (the expiry driver, the effect log, and `services`).
///
/// The caller owns `engine` and `readiness`: set `readiness` once the engine's state is
/// complete. The application answers 503 `unavailable` until then. `onListening` receives the
/// bound port (useful with port 0) once the server accepts connections.
public func buildApplication(
    engine: Engine, settings: ServerSettings, adminTokenHash: SecretHash, readiness: Readiness, logger: Logger,
    services: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let api = API(engine: engine, settings: settings, adminTokenHash: adminTokenHash, readiness: readiness)
    let router = Router()
    router.middlewares.add(APIErrorMiddleware())
    api.addHealthRoutes(to: router)
    let gated = router.group().add(middleware: APIGateMiddleware(readiness: readiness))
    api.addIngestRoutes(to: gated)
    api.addIncidentRoutes(to: gated)
    api.addAdminRoutes(to: gated)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "sendpromptly"),
        services: [
            ExpiryDriver(engine: engine, interval: settings.expiryInterval),
            EffectLog(engine: engine, logger: logger),
        ] + services,
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
}
