import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SendPromptlyCore
import SendPromptlyEngine
import SendPromptlyHTTP
import XCTest

/// The whole HTTP application (API and console) over a real engine with a manual clock, served
/// on a loopback port and spoken to over HTTP, with a browser's cookie jar.
final class ConsoleHarness: @unchecked Sendable {
    static let adminToken = "spa_console-test-admin-token-0123456789"

    let client: any TestClientProtocol
    let engine: Engine
    /// The cookies the server set, as a browser keeps them (name → value).
    private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the signed-in session, read from the last page's forms.
    private(set) var csrf: String?

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String

        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    private init(client: any TestClientProtocol, engine: Engine) {
        self.client = client
        self.engine = engine
    }

    static func run(publicURL: String? = nil, _ test: @Sendable (ConsoleHarness) async throws -> Void) async throws {
        let engine = Engine(shardCount: 2, clock: ManualClock())
        var settings = ServerSettings()
        settings.port = 0
        settings.publicURL = publicURL
        var logger = Logger(label: "console-test")
        logger.logLevel = .warning
        let application = try buildApplication(
            slot: EngineSlot(engine), settings: settings, adminTokenHash: SecretHash(of: adminToken),
            readiness: Readiness(ready: true), logger: logger)
        try await application.test(.live) { client in
            try await test(ConsoleHarness(client: client, engine: engine))
        }
    }

    /// A request as a browser sends it: the jar's cookies, a form body when `form` is given.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, form: [(String, String)]? = nil, cookies sent: [String: String]? = nil) async throws -> Page {
        var headers: HTTPFields = [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]
        let jar = sent ?? cookies
        if !jar.isEmpty {
            headers[.cookie] = jar.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&"))
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        let page = Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
        for cookie in page.setCookies {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            if cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
        }
        if let token = Self.csrfToken(in: page.html), cookies[ConsoleHarness.sessionCookie] != nil { csrf = token }
        return page
    }

    func get(_ path: String) async throws -> Page { try await send(.get, path) }

    /// Posts a console form with the session's CSRF token.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = []) async throws -> Page {
        try await send(.post, path, form: [("_csrf", try XCTUnwrap(csrf, "sign in first"))] + fields)
    }

    static let sessionCookie = "sp_session"

    /// Signs in with the admin token; answers the redirect.
    @discardableResult
    func signIn(token: String = ConsoleHarness.adminToken) async throws -> Page {
        let form = try await get("/console/sign-in")
        let csrf = try XCTUnwrap(Self.csrfToken(in: form.html))
        let page = try await send(.post, "/console/sign-in", form: [("_csrf", csrf), ("token", token), ("next", "/console")])
        if page.status == .seeOther { _ = try await get("/console") }
        return page
    }

    /// Creates a project through the console; answers its id.
    func createProject(_ name: String, extra: [(String, String)] = []) async throws -> String {
        _ = try await get("/console/projects")
        let page = try await post("/console/projects", [("name", name), ("mode", "test"), ("default_timeout_minutes", "30")] + extra)
        XCTAssertEqual(page.status, .seeOther, page.html)
        let location = try XCTUnwrap(page.location)
        return String(location.split(separator: "/")[2])
    }

    /// Sends a JSON API request with `key`.
    func api(_ method: HTTPRequest.Method, _ path: String, key: String, json: String? = nil) async throws -> JSON {
        var headers: HTTPFields = [.accept: "application/json", .authorization: "Bearer \(key)"]
        if json != nil {
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("Idempotency-Key")!] = "k-\(UInt64.random(in: 0 ... .max))"
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return try JSON.parse(Array(response.body.readableBytesView))
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
