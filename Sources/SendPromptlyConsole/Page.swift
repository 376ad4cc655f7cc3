import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// What every page's template is rendered with: the page's own model under `page`, the frame
/// around it (navigation, sign-out form, notice) under `chrome`.
struct PageContext {
    let title: String
    let chrome: Chrome
    let page: Any
}

/// The frame of a page.
struct Chrome {
    let signedIn: Bool
    /// The session's CSRF token, for the sign-out form of the header.
    let csrf: String?
    let notice: Notice?
    /// Reload the page after this many seconds (`<meta http-equiv="refresh">`): an incident
    /// whose replay is in flight follows it without JavaScript.
    let refreshSeconds: Int?
    let isOverview: Bool
    let isProjects: Bool
    var isAudit = false

    /// The frame of the sign-in and error pages of a visitor without a session.
    static let signedOut = Chrome(signedIn: false, csrf: nil, notice: nil, refreshSeconds: nil, isOverview: false, isProjects: false)
}

/// Renders pages into responses with the console's security headers.
enum PageRenderer {
    /// Every template, parsed once. The templates are Swift string constants, so they are
    /// compiled into the one binary; a template that does not parse is a bug the first test
    /// rendering it finds.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("console template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// The page `template` with `page` as its model.
    static func render(
        _ template: String, title: String, chrome: Chrome, page: Any, status: HTTPResponse.Status = .ok
    ) -> Response {
        guard let html = library.render(PageContext(title: title, chrome: chrome, page: page), withTemplate: template) else {
            preconditionFailure("no console template named \(template)")
        }
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A `303 See Other` to `path`: where every form post ends, so that reloading the page
    /// after it does not post again.
    static func redirect(to path: String) -> Response {
        var headers = securityHeaders
        headers[.location] = path
        return Response(status: .seeOther, headers: headers)
    }

    /// No caching (pages show secrets once), no framing but by the console itself (the
    /// checklist frame), no referrer leaving the console, and a content security policy that
    /// lets in this server's inline styles and its one inline script (by hash), nothing from
    /// elsewhere.
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            + "script-src '\(scriptHash)'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'",
        HTTPField.Name("X-Frame-Options")!: "SAMEORIGIN",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    /// `sha256-<base64>` of the layout's inline script, as CSP names an allowed inline script.
    static let scriptHash: String = {
        let digest = SHA256.hash(data: Array(ConsoleTemplates.copyScript.utf8))
        return "sha256-" + Data(digest).base64EncodedString()
    }()
}
