import Hummingbird
import SendPromptlyCore
import SendPromptlyEngine

/// The operator's web console under `/console`: server-rendered pages over the same engine
/// calls as the operator API, with `Access.administrator`.
///
/// Every page and action but sign-in needs a session (see ``SessionStore``): without one, a
/// request is redirected to `/console/sign-in`. Every form post also needs the session's CSRF
/// token; without it the post is refused with 403 and nothing is done. While the engine is not
/// ready (recovery, shutdown), every console URL answers 503.
public struct ConsoleRoutes: Sendable {
    let engine: @Sendable () -> Engine?
    let settings: ConsoleSettings
    let adminTokenHash: SecretHash
    let sessions: SessionStore

    /// - Parameters:
    ///   - engine: the engine once it may serve requests; nil while the server is not ready.
    ///   - adminTokenHash: the SHA-256 of the admin token that signs operators in.
    public init(engine: @escaping @Sendable () -> Engine?, settings: ConsoleSettings, adminTokenHash: SecretHash) {
        self.engine = engine
        self.settings = settings
        self.adminTokenHash = adminTokenHash
        self.sessions = SessionStore(idleLifetime: settings.sessionIdleLifetime)
    }

    public func add<Context: RequestContext>(to router: some RouterMethods<Context>) {
        addSignInRoutes(to: router)
        addOverviewRoutes(to: router)
        addProjectRoutes(to: router)
        addIncidentListRoutes(to: router)
        addIncidentRoutes(to: router)
        addIntegrationRoutes(to: router)
        addAuditRoutes(to: router)
        // Any other console page: sign-in first, then a 404 page.
        router.get("/console/**", use: page { _ in throw ConsoleFailure.notFound })
    }
}
