import Foundation
import Hummingbird
import SendPromptlyCore

/// The model of the sign-in page.
struct SignInPage {
    let csrf: String
    /// Where to go once signed in (a console path).
    let next: String
    let failure: String?

    static let failureText = "That token is not valid."

    /// The sign-in page, coming back to `path` afterwards when it is a console page.
    static func path(returningTo path: String?) -> String {
        guard let path, let next = safeNext(path), next != "/console" else { return "/console/sign-in" }
        return "/console/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    /// `path` when it is a page of this console (so that a crafted link cannot send a signed-in
    /// operator elsewhere); nil otherwise.
    static func safeNext(_ path: String) -> String? {
        guard path == "/console" || path.hasPrefix("/console/") || path.hasPrefix("/console?"),
              !path.contains("//"), !path.contains("\\"), !path.contains(where: \.isWhitespace)
        else { return nil }
        return path
    }
}

extension ConsoleRoutes {
    /// Sign-in and sign-out.
    ///
    /// Signing in with the admin token starts a session (see ``SessionStore``) and sets the
    /// `sp_session` cookie. A wrong token waits ``ConsoleSettings/signInFailureDelay`` (1 s) before
    /// the page says "That token is not valid.", so guessing is slow. Signing out ends the
    /// session on the server at once and clears the cookie.
    func addSignInRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/sign-in") { request, _ -> Response in
            if sessions.session(for: request.cookies[SessionCookie.name]?.value) != nil {
                return PageRenderer.redirect(to: "/console")
            }
            let next = request.uri.queryParameters.get("next").flatMap(SignInPage.safeNext) ?? "/console"
            return signInPage(request, next: next, failure: nil)
        }
        router.post("/console/sign-in") { request, _ -> Response in
            let form = try await readForm(request)
            let csrf = request.cookies[SessionCookie.signInName]?.value
            guard let form, let csrf, SessionStore.tokensMatch(form["_csrf"], csrf) else {
                return Self.forbidden(chrome: .signedOut)
            }
            let next = form["next"].flatMap(SignInPage.safeNext) ?? "/console"
            guard let token = form["token"], SecretHash(of: token).constantTimeEquals(adminTokenHash) else {
                try await Task.sleep(for: settings.signInFailureDelay)
                return signInPage(request, next: next, failure: SignInPage.failureText)
            }
            let (sessionToken, _) = sessions.create()
            var response = PageRenderer.redirect(to: next)
            response.setCookie(SessionCookie.make(SessionCookie.name, value: sessionToken, secure: settings.secureCookies))
            response.setCookie(SessionCookie.cleared(SessionCookie.signInName, secure: settings.secureCookies))
            return response
        }
        router.post("/console/sign-out") { request, _ -> Response in
            guard let token = request.cookies[SessionCookie.name]?.value, let session = sessions.session(for: token) else {
                return PageRenderer.redirect(to: "/console/sign-in")
            }
            guard let form = try await readForm(request), SessionStore.tokensMatch(form["_csrf"], session.csrfToken) else {
                return Self.forbidden(chrome: .signedOut)
            }
            sessions.end(token)
            var response = PageRenderer.redirect(to: "/console/sign-in")
            response.setCookie(SessionCookie.cleared(SessionCookie.name, secure: settings.secureCookies))
            return response
        }
    }

    /// The sign-in form, with the sign-in CSRF token of the browser's cookie (a new one when
    /// it has none). A failed attempt answers 401.
    private func signInPage(_ request: Request, next: String, failure: String?) -> Response {
        let existing = request.cookies[SessionCookie.signInName]?.value
        let csrf = existing ?? SessionStore.randomToken()
        var response = PageRenderer.render(
            "sign-in", title: "Sign in", chrome: .signedOut, page: SignInPage(csrf: csrf, next: next, failure: failure),
            status: failure == nil ? .ok : .unauthorized)
        if existing == nil {
            response.setCookie(SessionCookie.make(SessionCookie.signInName, value: csrf, secure: settings.secureCookies))
        }
        return response
    }
}
