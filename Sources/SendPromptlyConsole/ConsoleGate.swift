import Foundation
import Hummingbird
import SendPromptlyCore
import SendPromptlyEngine

/// The gate in front of every console page and action: the engine ready (else 503), a session
/// (else sign-in), and for a post the session's CSRF token (else 403).
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
            } catch {
                context.logger.error("console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                return internalError(call)
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
            } catch {
                context.logger.error("console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                return internalError(call)
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
}
