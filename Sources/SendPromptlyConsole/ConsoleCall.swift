import Foundation
import Hummingbird
import SendPromptlyCore
import SendPromptlyEngine

/// One request of a signed-in operator: the engine, the session, the route's parameters.
struct ConsoleCall: Sendable {
    let routes: ConsoleRoutes
    let engine: Engine
    let request: Request
    let parameters: Parameters
    /// The session's token (from the cookie) and its CSRF token.
    let sessionToken: String
    let csrf: String

    var sessions: SessionStore { routes.sessions }

    /// The session as the audit trail names it: a prefix of its token's hash, which tells
    /// sessions apart without being usable as one.
    var auditActor: AuditActor { .consoleSession(String(SecretHash(of: sessionToken).hex.prefix(12))) }

    /// The frame of a signed-in page, with the notice left for it (shown once).
    func chrome(_ section: Chrome.Section, notice: Notice?, refreshSeconds: Int? = nil) -> Chrome {
        Chrome(
            signedIn: true, csrf: csrf, notice: notice, refreshSeconds: refreshSeconds,
            isOverview: section == .overview, isProjects: section == .projects, isAudit: section == .audit)
    }

    /// The route parameter `name` as an identifier; a malformed one is not found.
    func identifier<Kind>(_ name: String, _ kind: Kind.Type) throws(ConsoleFailure) -> Identifier<Kind> {
        guard let raw = parameters.get(name), let id = Identifier<Kind>(raw) else { throw .notFound }
        return id
    }

    /// Runs a read on the project's shard as the operator.
    func read<Answer: Sendable>(
        _ project: ProjectID, _ operation: @Sendable (ShardState, Timestamp) throws(EngineError) -> Answer
    ) async throws(EngineError) -> Answer {
        try await engine.read(on: project, operation)
    }

    /// Leaves `text` for the next page and redirects there.
    func redirect(_ path: String, notice text: String? = nil, isError: Bool = false) -> Response {
        if let text {
            sessions.update(sessionToken) { $0.notice = Notice(text: text, isError: isError) }
        }
        return PageRenderer.redirect(to: path)
    }
}

extension Chrome {
    enum Section { case overview, projects, audit }
}

/// Why a console page could not be shown.
enum ConsoleFailure: Error {
    case notFound
}
