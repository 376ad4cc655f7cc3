import HTTPTypes
import SendPromptlyCore
import XCTest

/// The console over real HTTP without a browser: the session gate, CSRF, escaping, the
/// sign-in's answers and cookies, and every page and action on a project with incidents.
final class ConsoleHTTPTests: XCTestCase {
    /// Every page and action, with ids that need not exist (the gate comes first).
    private static let pages = [
        "/console", "/console/projects", "/console/projects/prj_x", "/console/projects/prj_x/incidents",
        "/console/projects/prj_x/incidents?status=open", "/console/projects/prj_x/incidents/inc_x",
        "/console/projects/prj_x/integration", "/console/projects/prj_x/integration/checklist", "/console/no/such/page",
    ]
    private static let actions = [
        "/console/projects", "/console/projects/prj_x", "/console/projects/prj_x/keys",
        "/console/projects/prj_x/keys/key_x/revoke", "/console/projects/prj_x/signing-secret/rotate",
        "/console/projects/prj_x/incidents/reprocess", "/console/projects/prj_x/incidents/inc_x/reprocess",
        "/console/projects/prj_x/incidents/inc_x/resolve",
    ]

    func testEveryConsoleURLRedirectsToSignInWithoutASession() async throws {
        try await ConsoleHarness.run { console in
            for cookies in [[:], ["sp_session": String(repeating: "ab", count: 32)]] {
                for path in Self.pages {
                    let page = try await console.send(.get, path, cookies: cookies)
                    XCTAssertEqual(page.status, .seeOther, path)
                    XCTAssertTrue(page.location?.hasPrefix("/console/sign-in") == true, "\(path) → \(page.location ?? "nothing")")
                }
                for path in Self.actions {
                    let page = try await console.send(.post, path, form: [("name", "x")], cookies: cookies)
                    XCTAssertEqual(page.status, .seeOther, path)
                    XCTAssertEqual(page.location, "/console/sign-in", path)
                }
            }
            let incident = try await console.get("/console/projects/prj_x/incidents/inc_x")
            XCTAssertEqual(incident.location, "/console/sign-in?next=%2Fconsole%2Fprojects%2Fprj%5Fx%2Fincidents%2Finc%5Fx")
            let projects = await console.engine.projects()
            XCTAssertTrue(projects.isEmpty, "nothing was done")
        }
    }

    func testSigningInReturnsToTheRequestedPageButNeverLeavesTheConsole() async throws {
        try await ConsoleHarness.run { console in
            let form = try await console.get("/console/sign-in?next=%2Fconsole%2Fprojects")
            XCTAssertTrue(form.html.contains(#"name="next" value="/console/projects""#))
            let csrf = try XCTUnwrap(ConsoleHarness.csrfToken(in: form.html))
            for (next, expected) in [("/console/projects", "/console/projects"), ("https://evil.example/", "/console"),
                                     ("//evil.example/console", "/console"), ("/consoles", "/console")] {
                let page = try await console.send(
                    .post, "/console/sign-in", form: [("_csrf", csrf), ("token", ConsoleHarness.adminToken), ("next", next)],
                    cookies: ["sp_sign_in": csrf])
                XCTAssertEqual(page.location, expected, next)
            }
        }
    }

    func testAFormPostWithoutTheCSRFTokenIsRefused() async throws {
        try await ConsoleHarness.run { console in
            let signInForm = try await console.get("/console/sign-in")
            XCTAssertNotNil(ConsoleHarness.csrfToken(in: signInForm.html))
            let noSignInToken = try await console.send(.post, "/console/sign-in", form: [("token", ConsoleHarness.adminToken)])
            XCTAssertEqual(noSignInToken.status, .forbidden, "the sign-in form has its token too")
            XCTAssertNil(console.cookies[ConsoleHarness.sessionCookie])

            try await console.signIn()
            let projectID = try await console.createProject("Shop")
            let session = try XCTUnwrap(console.cookies[ConsoleHarness.sessionCookie])
            let attempts: [(String, [(String, String)])] = [
                ("/console/projects", [("name", "Forged")]),
                ("/console/projects/\(projectID)", [("name", "Forged")]),
                ("/console/projects/\(projectID)/keys", [("label", "forged"), ("scope", "manage")]),
                ("/console/projects/\(projectID)/signing-secret/rotate", []),
                ("/console/sign-out", []),
            ]
            for (path, fields) in attempts {
                for token in [nil, "", String(repeating: "0", count: 64)] {
                    let form = (token.map { [("_csrf", $0)] } ?? []) + fields
                    let page = try await console.send(.post, path, form: form)
                    XCTAssertEqual(page.status, .forbidden, "\(path) with \(token ?? "no token")")
                    XCTAssertTrue(page.html.contains("nothing was done"))
                }
            }
            let projects = await console.engine.projects()
            XCTAssertEqual(projects.map(\.settings.name), ["Shop"], "no forged change")
            let keys = try await console.engine.read(on: projects[0].id) { state, _ in try state.keys(project: projects[0].id) }
            XCTAssertEqual(keys.count, 1)
            let stillSignedIn = try await console.get("/console/projects")
            XCTAssertEqual(stillSignedIn.status, .ok, "a refused sign-out leaves the session")
            XCTAssertEqual(console.cookies[ConsoleHarness.sessionCookie], session)
        }
    }

    func testAProjectNamedWithAScriptTagShowsAsText() async throws {
        try await ConsoleHarness.run { console in
            try await console.signIn()
            let name = "<script>alert(1)</script>"
            let projectID = try await console.createProject(name, extra: [("alert_emails", "ops@example.com")])
            let key = try await Self.createKey(console, projectID, label: "<b>ci</b>")
            _ = try await console.api(.post, "/api/v1/receipt", key: key, json: #"{"provider": "stripe", "provider_event_id": "<img src=x onerror=alert(2)>", "event_type": "invoice.paid", "effect_type": "credit_grant", "internal_reference": "\"><script>alert(3)</script>"}"#)
            let failed = try await console.api(.post, "/api/v1/result", key: key, json: #"{"provider_event_id": "<img src=x onerror=alert(2)>", "status": "failed", "error_message": "<script>alert(4)</script>"}"#)
            guard case .string(let incidentID)? = failed["incident_id"] else { return XCTFail("\(failed)") }
            for path in ["/console", "/console/projects", "/console/projects/\(projectID)", "/console/projects/\(projectID)/incidents",
                         "/console/projects/\(projectID)/incidents/\(incidentID)", "/console/projects/\(projectID)/integration"] {
                let page = try await console.get(path)
                XCTAssertEqual(page.status, .ok, path)
                XCTAssertTrue(page.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path) shows the name as text")
                for injected in ["<script>alert(", "<img src=x", "<b>ci</b>"] {
                    XCTAssertFalse(page.html.contains(injected), "\(path) contains \(injected)")
                }
            }
            let incident = try await console.get("/console/projects/\(projectID)/incidents/\(incidentID)")
            XCTAssertTrue(incident.html.contains("&lt;img src=x onerror=alert(2)&gt;"))
            XCTAssertTrue(incident.html.contains("&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
            XCTAssertTrue(incident.html.contains("&lt;script&gt;alert(4)&lt;/script&gt;"))
        }
    }

    func testAWrongTokenWaitsASecondAndSaysSo() async throws {
        try await ConsoleHarness.run { console in
            let form = try await console.get("/console/sign-in")
            let csrf = try XCTUnwrap(ConsoleHarness.csrfToken(in: form.html))
            let start = ContinuousClock.now
            let page = try await console.send(.post, "/console/sign-in", form: [("_csrf", csrf), ("token", "not-the-admin-token"), ("next", "/console")])
            let elapsed = ContinuousClock.now - start
            XCTAssertEqual(page.status, .unauthorized)
            XCTAssertTrue(page.html.contains("That token is not valid."))
            XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(950), "a wrong token waits about a second")
            XCTAssertNil(console.cookies[ConsoleHarness.sessionCookie])
            XCTAssertTrue(page.html.contains(#"name="_csrf" value="\#(csrf)""#), "the form can be sent again")
            let again = try await console.get("/console")
            XCTAssertEqual(again.status, .seeOther)
        }
    }

    func testTheSessionCookieIsHttpOnlyStrictAndSecureOverHTTPS() async throws {
        try await ConsoleHarness.run { console in
            let page = try await console.signIn()
            XCTAssertEqual(page.status, .seeOther)
            let cookie = try XCTUnwrap(page.setCookies.first { $0.hasPrefix("sp_session=") })
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            XCTAssertEqual(attributes, ["Path=/console", "HttpOnly", "SameSite=Strict"], cookie)
            let token = String(cookie.split(separator: ";")[0].dropFirst("sp_session=".count))
            XCTAssertEqual(token.count, 64)

            let signOut = try await console.post("/console/sign-out")
            XCTAssertEqual(signOut.location, "/console/sign-in")
            XCTAssertTrue(signOut.setCookies.contains { $0.hasPrefix("sp_session=;") && $0.contains("Max-Age=0") })
            let reused = try await console.send(.get, "/console", cookies: ["sp_session": token])
            XCTAssertEqual(reused.status, .seeOther, "the session ended on the server, not only in the browser")
        }
        try await ConsoleHarness.run(publicURL: "https://sendpromptly.example") { console in
            let form = try await console.get("/console/sign-in")
            XCTAssertTrue(form.setCookies.allSatisfy { $0.contains("; Secure") }, "\(form.setCookies)")
            let page = try await console.signIn()
            let cookie = try XCTUnwrap(page.setCookies.first { $0.hasPrefix("sp_session=") })
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            XCTAssertEqual(attributes, ["Path=/console", "HttpOnly", "SameSite=Strict", "Secure"], cookie)
        }
    }

    func testPagesCarryTheSecurityHeaders() async throws {
        try await ConsoleHarness.run { console in
            try await console.signIn()
            let page = try await console.get("/console/projects")
            XCTAssertEqual(page.headers[.contentType], "text/html; charset=utf-8")
            XCTAssertEqual(page.headers[.cacheControl], "no-store")
            let policy = try XCTUnwrap(page.headers[.contentSecurityPolicy])
            XCTAssertTrue(policy.contains("default-src 'none'") && policy.contains("script-src 'sha256-"), policy)
        }
    }

    func testProjectsKeysAndTheSigningSecret() async throws {
        try await ConsoleHarness.run { console in
            try await console.signIn()
            let invalid = try await console.post("/console/projects", [("name", "Bad"), ("repair_url", "http://example.com/repair")])
            XCTAssertEqual(invalid.location, "/console/projects")
            let refused = try await console.get("/console/projects")
            XCTAssertTrue(refused.html.contains("Repair_url must be an https:// URL"), "the API's validation message")

            let projectID = try await console.createProject("Shop")
            let integration = try await console.get("/console/projects/\(projectID)/integration")
            let firstKey = try XCTUnwrap(Self.revealedKey(integration.html), "the first key is shown once")
            XCTAssertTrue(integration.html.contains("Bearer \(firstKey)"), "and used in the commands")
            let again = try await console.get("/console/projects/\(projectID)/integration")
            XCTAssertNil(Self.revealedKey(again.html), "only once")
            XCTAssertTrue(again.html.contains("Bearer $SENDPROMPTLY_API_KEY"))

            let saved = try await console.post("/console/projects/\(projectID)", [
                ("name", "Shop EU"), ("mode", "live"), ("default_timeout_minutes", "45"),
                ("repair_url", "http://127.0.0.1:9/repair"), ("alert_emails", "a@example.com, b@example.com"),
                ("slack_webhook_url", "https://hooks.slack.com/services/T/B/X"),
            ])
            XCTAssertEqual(saved.location, "/console/projects/\(projectID)")
            let id = try XCTUnwrap(ProjectID(projectID))
            var project = try await console.engine.read(on: id) { state, _ in try state.project(id: id) }
            XCTAssertEqual(project.settings, ProjectSettings(
                name: "Shop EU", mode: .live, repairURL: "http://127.0.0.1:9/repair", alertEmails: ["a@example.com", "b@example.com"],
                slackWebhookURL: "https://hooks.slack.com/services/T/B/X", defaultTimeoutMinutes: 45))
            try await console.post("/console/projects/\(projectID)", [
                ("name", "Shop EU"), ("mode", "live"), ("default_timeout_minutes", "45"), ("repair_url", ""), ("alert_emails", ""),
                ("slack_webhook_url", ""),
            ])
            project = try await console.engine.read(on: id) { state, _ in try state.project(id: id) }
            XCTAssertNil(project.settings.repairURL, "a blank field clears its setting")
            XCTAssertEqual(project.settings.alertEmails, [])
            XCTAssertNil(project.settings.slackWebhookURL)

            let key = try await Self.createKey(console, projectID, label: "ci")
            let status = try await console.api(.get, "/api/v1/incidents", key: key)
            XCTAssertNotNil(status["incidents"], "the new key works: \(status)")
            let page = try await console.get("/console/projects/\(projectID)")
            XCTAssertFalse(page.html.contains(key), "a key is shown once")
            XCTAssertTrue(page.html.contains("ci"))
            let keys = try await console.engine.read(on: id) { state, _ in try state.keys(project: id) }
            let ciKey = try XCTUnwrap(keys.first { $0.label == "ci" })
            XCTAssertNotNil(ciKey.lastUsedAt)
            try await console.post("/console/projects/\(projectID)/keys/\(ciKey.id)/revoke")
            let revoked = try await console.api(.get, "/api/v1/incidents", key: key)
            XCTAssertEqual(revoked["error"]?["code"], .string("unauthorized"))
            let afterRevoke = try await console.get("/console/projects/\(projectID)")
            XCTAssertTrue(afterRevoke.html.contains("revoked"))

            let before = project.signingSecret
            let rotated = try await console.post("/console/projects/\(projectID)/signing-secret/rotate")
            XCTAssertEqual(rotated.location, "/console/projects/\(projectID)")
            let after = try await console.engine.read(on: id) { state, _ in try state.project(id: id) }.signingSecret
            XCTAssertNotEqual(after, before)
            let shown = try await console.get("/console/projects/\(projectID)")
            XCTAssertTrue(shown.html.contains(after) && shown.html.contains("Signing secret rotated"))

            let unknown = try await console.get("/console/projects/prj_unknown")
            XCTAssertEqual(unknown.status, .notFound)
            let nowhere = try await console.get("/console/no/such/page")
            XCTAssertEqual(nowhere.status, .notFound)
            XCTAssertTrue(nowhere.html.contains("There is no such page"))
        }
    }

    func testIncidentsListFiltersCountsAndTheIncidentActions() async throws {
        try await ConsoleHarness.run { console in
            try await console.signIn()
            let projectID = try await console.createProject("Shop")
            let key = try await Self.createKey(console, projectID, label: "ci", scope: "manage")
            var incidents: [String] = []
            for (index, effect) in ["access_unlock", "credit_grant", "credit_grant"].enumerated() {
                _ = try await console.api(.post, "/api/v1/receipt", key: key, json: #"{"provider": "stripe", "provider_event_id": "evt_\#(index)", "event_type": "invoice.paid", "effect_type": "\#(effect)"}"#)
                let failed = try await console.api(.post, "/api/v1/result", key: key, json: #"{"provider_event_id": "evt_\#(index)", "status": "failed", "error_code": "db_timeout"}"#)
                guard case .string(let id)? = failed["incident_id"] else { return XCTFail("\(failed)") }
                incidents.append(id)
            }
            let base = "/console/projects/\(projectID)/incidents"

            let noRepairURL = try await console.post("\(base)/\(incidents[0])/reprocess")
            XCTAssertEqual(noRepairURL.location, "\(base)/\(incidents[0])")
            let refusedPage = try await console.get("\(base)/\(incidents[0])")
            XCTAssertTrue(refusedPage.html.contains("The project has no repair URL."))

            try await console.post("/console/projects/\(projectID)", [("name", "Shop"), ("repair_url", "http://127.0.0.1:9/repair")])
            try await console.post("\(base)/\(incidents[0])/reprocess")
            let reprocessing = try await console.get("\(base)/\(incidents[0])")
            XCTAssertTrue(reprocessing.html.contains(#"<meta http-equiv="refresh" content="2">"#), "refreshes while the replay is in flight")
            XCTAssertTrue(reprocessing.html.contains("Reprocess requested (replay rpl_"))
            XCTAssertTrue(reprocessing.html.contains(#"id="incident-status">reprocessing"#))
            XCTAssertTrue(reprocessing.html.contains("replay_requested".replacingOccurrences(of: "_", with: " ")))

            try await console.post("\(base)/\(incidents[1])/resolve", [("note", "granted by hand")])
            let resolved = try await console.get("\(base)/\(incidents[1])")
            XCTAssertTrue(resolved.html.contains(#"id="incident-status">resolved"#))
            XCTAssertTrue(resolved.html.contains("manual: granted by hand"))
            XCTAssertFalse(resolved.html.contains("http-equiv=\"refresh\""))
            XCTAssertFalse(resolved.html.contains(#"id="reprocess""#), "no actions on a resolved incident")

            let all = try await console.get(base)
            XCTAssertTrue(all.html.contains("<strong>1</strong> open"))
            XCTAssertTrue(all.html.contains("<strong>1</strong> reprocessing"))
            XCTAssertTrue(all.html.contains("<strong>1</strong> resolved"))
            XCTAssertTrue(all.html.contains("<strong>3</strong> all"))
            let order = incidents.map { all.html.range(of: ">\($0)</a>")!.lowerBound }
            XCTAssertTrue(order[2] < order[0] && order[0] < order[1], "open first, then reprocessing, then resolved")

            let creditGrants = try await console.get("\(base)?effect_type=credit_grant")
            XCTAssertTrue(creditGrants.html.contains("2 matching"))
            XCTAssertFalse(creditGrants.html.contains(">\(incidents[0])</a>"))
            let open = try await console.get("\(base)?status=open&reason=failed")
            XCTAssertTrue(open.html.contains("1 matching") && open.html.contains(">\(incidents[2])</a>"))
            let future = try await console.get("\(base)?from=2099-01-01T00%3A00")
            XCTAssertTrue(future.html.contains("0 matching") && future.html.contains("No incident matches."))
            let malformed = try await console.get("\(base)?from=yesterday")
            XCTAssertTrue(malformed.html.contains("The time range is not applied.") && malformed.html.contains("3 matching"))

            let bulk = try await console.post("\(base)/reprocess", [("effect_type", "credit_grant"), ("since", "2000-01-01T00:00"), ("until", "")])
            XCTAssertEqual(bulk.location, base)
            let afterBulk = try await console.get(base)
            XCTAssertTrue(afterBulk.html.contains("Reprocess requested for 1 open incident."), "the resolved one is not reprocessed")
            XCTAssertTrue(afterBulk.html.contains("<strong>2</strong> reprocessing"))

            let missing = try await console.get("\(base)/inc_nothing")
            XCTAssertEqual(missing.status, .notFound)
        }
    }

    func testTheIntegrationChecklistAndTheOverview() async throws {
        try await ConsoleHarness.run { console in
            try await console.signIn()
            let projectID = try await console.createProject("Shop")
            let checklist = "/console/projects/\(projectID)/integration/checklist"
            var frame = try await console.get(checklist)
            XCTAssertEqual(frame.html.components(separatedBy: #"data-done="false""#).count - 1, 5)
            XCTAssertTrue(frame.html.contains(#"<meta http-equiv="refresh" content="2">"#))
            let key = try await Self.createKey(console, projectID, label: "ci", scope: "manage")
            _ = try await console.api(.post, "/api/v1/receipt", key: key, json: #"{"provider": "stripe", "provider_event_id": "evt_1", "event_type": "invoice.paid", "effect_type": "credit_grant"}"#)
            frame = try await console.get(checklist)
            XCTAssertTrue(frame.html.contains(#"id="check-receipt" class="done""#))
            XCTAssertTrue(frame.html.contains(#"id="check-failure" class="waiting""#))

            let overview = try await console.get("/console")
            XCTAssertTrue(overview.html.contains("<svg"), "charts are inline SVG")
            XCTAssertEqual(overview.html.components(separatedBy: "<svg").count - 1, 3)
            XCTAssertTrue(overview.html.contains("Receipts per minute: 1 in the last hour"))
            XCTAssertFalse(overview.html.contains("<script src"))
        }
    }

    /// Creates a key through the console; answers it as the project page showed it once.
    private static func createKey(_ console: ConsoleHarness, _ projectID: String, label: String, scope: String = "ingest") async throws -> String {
        let created = try await console.post("/console/projects/\(projectID)/keys", [("label", label), ("scope", scope)])
        XCTAssertEqual(created.location, "/console/projects/\(projectID)")
        let page = try await console.get("/console/projects/\(projectID)")
        return try XCTUnwrap(Self.revealedKey(page.html))
    }

    private static func revealedKey(_ html: String) -> String? {
        guard let range = html.range(of: #"<code class="secret" id="revealed-key">"#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "<" })
    }
}
