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

    /// The frame of a signed-in page, with the notice left for it (shown once).
    func chrome(_ section: Chrome.Section, notice: Notice?, refreshSeconds: Int? = nil) -> Chrome {
        Chrome(
            signedIn: true, csrf: csrf, notice: notice, refreshSeconds: refreshSeconds,
            isOverview: section == .overview, isProjects: section == .projects)
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
    enum Section { case overview, projects }
}

/// Why a console page could not be shown.
enum ConsoleFailure: Error {
    case notFound
}

extension ConsoleRoutes {
    /// A page for signed-in operators. Without a session it redirects to sign-in, coming back
    /// here afterwards; an unknown project or incident is a 404 page.
    func page<Context: RequestContext>(
        _ handler: @escaping @Sendable (ConsoleCall) async throws -> Response
    ) -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            guard let engine = engine() else { return Self.unavailable() }
            guard let call = signedInCall(request, context, engine: engine) else {
                return PageRenderer.redirect(to: SignInPage.path(returningTo: request.uri.path + Self.query(request)))
            }
            do {
                return try await handler(call)
            } catch ConsoleFailure.notFound {
                return notFound(call)
            } catch EngineError.notFound {
                return notFound(call)
            }
        }
    }

    /// A form post of a signed-in operator. Without a session it redirects to sign-in; without
    /// the session's CSRF token it is refused with 403 before anything is done. A refusal by
    /// the engine (invalid field, conflict) goes back to `back` with its message.
    func action<Context: RequestContext>(
        back: @escaping @Sendable (Parameters) -> String,
        _ handler: @escaping @Sendable (ConsoleCall, FormFields) async throws -> Response
    ) -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            guard let engine = engine() else { return Self.unavailable() }
            guard let call = signedInCall(request, context, engine: engine) else {
                return PageRenderer.redirect(to: SignInPage.path(returningTo: nil))
            }
            guard let form = try await readForm(request), SessionStore.tokensMatch(form["_csrf"], call.csrf) else {
                return Self.forbidden(chrome: call.chrome(.projects, notice: nil))
            }
            do {
                return try await handler(call, form)
            } catch ConsoleFailure.notFound {
                return notFound(call)
            } catch EngineError.notFound {
                return notFound(call)
            } catch let error as EngineError {
                return call.redirect(back(context.parameters), notice: Self.describe(error), isError: true)
            }
        }
    }

    private func signedInCall<Context: RequestContext>(_ request: Request, _ context: Context, engine: Engine) -> ConsoleCall? {
        guard let token = request.cookies[SessionCookie.name]?.value, let session = sessions.session(for: token) else { return nil }
        return ConsoleCall(
            routes: self, engine: engine, request: request, parameters: context.parameters, sessionToken: token,
            csrf: session.csrfToken)
    }

    /// The form fields of a post; nil when the body is not a form or is too large.
    func readForm(_ request: Request) async throws -> FormFields? {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else { return nil }
        guard let body = try? await request.body.collect(upTo: settings.maximumBodyBytes) else { return nil }
        return FormFields(encoded: String(buffer: body))
    }

    private static func query(_ request: Request) -> String {
        request.uri.query.map { "?" + $0 } ?? ""
    }

    static func describe(_ error: EngineError) -> String {
        switch error {
        case .validation(_, let message), .conflict(let message), .notFound(let message), .forbidden(let message),
             .invalidJSON(let message):
            message.prefix(1).uppercased() + message.dropFirst() + "."
        case .tooManyFields, .idempotencyKeyReused, .unauthorized:
            "The request was refused."
        }
    }

    private func notFound(_ call: ConsoleCall) -> Response {
        PageRenderer.render(
            "message", title: "Not found", chrome: call.chrome(.projects, notice: nil),
            page: MessagePage(heading: "Not found", text: "There is no such page, project or incident.", linkPath: "/console/projects", linkLabel: "All projects"),
            status: .notFound)
    }

    static func forbidden(chrome: Chrome) -> Response {
        PageRenderer.render(
            "message", title: "Refused", chrome: chrome,
            page: MessagePage(
                heading: "Refused", text: "The form was not sent from this console (its security token is missing or wrong), so nothing was done.",
                linkPath: "/console", linkLabel: "Back to the console"),
            status: .forbidden)
    }

    static func unavailable() -> Response {
        var response = PageRenderer.render(
            "message", title: "Starting up",
            chrome: Chrome(signedIn: false, csrf: nil, notice: nil, refreshSeconds: 2, isOverview: false, isProjects: false),
            page: MessagePage(
                heading: "Starting up", text: "The server is recovering its state or shutting down; this page reloads by itself.",
                linkPath: "/console", linkLabel: "Reload"),
            status: .serviceUnavailable)
        response.headers[.retryAfter] = "2"
        return response
    }
}

/// The model of the `message` page.
struct MessagePage {
    let heading: String
    let text: String
    let linkPath: String
    let linkLabel: String
}
