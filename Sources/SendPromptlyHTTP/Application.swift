import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Prometheus
import ServiceLifecycle
import SendPromptlyConsole
import SendPromptlyCore
import SendPromptlyEngine

/// Builds the HTTP application: every route of the wire contract, the error shape, the
/// operator's console under `/console`, and `services` to run beside the server.
///
/// The server listens at once. Until the caller installs the engine in `slot` and sets
/// `readiness`, `/readyz` and every API route answer 503 `unavailable`; `/healthz` answers 200
/// throughout. `onListening` receives the bound port (useful with port 0).
///
/// At graceful shutdown the server stops first (requests in flight finish), then `services`
/// in reverse order.
///
/// `metrics` counts every request and serves `GET /metrics` (by default into a registry of its
/// own). The server speaks HTTP/1.1 with keep-alive, behind TLS when `tls` is given; receipts and
/// results are answered by ``IngestChannelHandler`` either way.
///
/// - Throws: when `tls` cannot make a TLS context.
public func buildApplication(
    slot: EngineSlot, settings: ServerSettings, adminTokenHash: SecretHash, readiness: Readiness, logger: Logger,
    metrics: ServerMetrics = ServerMetrics(registry: PrometheusCollectorRegistry()), tls: TLSConfiguration? = nil,
    services: [any Service] = [], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let api = API(slot: slot, settings: settings, adminTokenHash: adminTokenHash, readiness: readiness)
    let router = Router()
    router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics.http))
    router.middlewares.add(APIErrorMiddleware())
    metrics.addRoute(to: router, slot: slot, tokenHash: settings.metricsTokenHash)
    api.addHealthRoutes(to: router)
    api.addOpenAPIRoute(to: router)
    let gated = router.group().add(middleware: APIGateMiddleware(readiness: readiness, slot: slot))
    api.addIngestRoutes(to: gated)
    api.addIncidentRoutes(to: gated)
    api.addAdminRoutes(to: gated)
    api.addAuditRoutes(to: gated)
    // The console answers HTML, so it gates itself on the same readiness (a 503 page).
    ConsoleRoutes(
        engine: { readiness.isReady ? slot.engine : nil }, settings: settings.console, adminTokenHash: adminTokenHash
    ).add(to: router)
    let ingest = IngestChannelHandler.Front(
        slot: slot, readiness: readiness, maximumBodyBytes: settings.maximumBodyBytes, metrics: metrics.http, logger: logger)
    let http = HTTPServerBuilder.limitedHTTP1(settings.limits, ingest: ingest)
    let server = try tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: $0) } ?? http
    return Application(
        router: router,
        server: server,
        configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "sendpromptly"),
        services: services,
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
}
