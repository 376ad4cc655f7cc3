import Hummingbird
import SendPromptlyCore

/// The model of the projects page: every project and the form that creates one.
struct ProjectsPage {
    struct Row {
        let id: String
        let name: String
        let mode: String
        let openIncidents: Int
        let pendingReceipts: Int
        let createdAt: String?
    }

    let projects: [Row]
    let hasProjects: Bool
    let modes: [SelectOption]
}

/// The model of a project's page: its settings form, keys and signing secret.
struct ProjectPage {
    struct KeyRow {
        let id: String
        let label: String
        let scope: String
        let createdAt: String?
        let lastUsedAt: String?
        let revokedAt: String?
    }

    let id: String
    let name: String
    let repairURL: String
    let alertEmails: String
    let slackWebhookURL: String
    let defaultTimeoutMinutes: Int
    let modes: [SelectOption]
    let openIncidents: Int
    let pendingReceipts: Int
    let signingSecret: String
    let keys: [KeyRow]
    let scopes: [SelectOption]
    /// A key just created, shown this once.
    let revealed: RevealedSecret?
}

extension ConsoleRoutes {
    /// Projects: list and create; a project's settings, keys and signing secret.
    func addProjectRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/projects", use: page { call in
            let (notice, _) = call.sessions.takeShownOnce(call.sessionToken, project: nil)
            let projects = await call.engine.projects()
            let rows = projects.map { project in
                ProjectsPage.Row(
                    id: project.id.rawValue, name: project.settings.name, mode: project.settings.mode.rawValue,
                    openIncidents: project.openIncidents, pendingReceipts: project.pendingReceipts,
                    createdAt: ConsoleFormat.time(project.createdAt))
            }
            return PageRenderer.render(
                "projects", title: "Projects", chrome: call.chrome(.projects, notice: notice),
                page: ProjectsPage(projects: rows, hasProjects: !rows.isEmpty, modes: ConsoleFormat.options(ProjectMode.allCases, selected: .test)))
        })
        router.post("/console/projects", use: action(back: { _ in "/console/projects" }) { call, form in
            let change = try projectSettings(form, creating: true)
            let created = try await call.engine.createProject(try change.creating(), by: call.auditActor)
            let id = created.project.id
            call.sessions.update(call.sessionToken) {
                $0.revealed = RevealedSecret(project: id, label: created.key.label, value: created.apiKey)
            }
            return call.redirect(
                "/console/projects/\(id)/integration",
                notice: "Project created. Its first API key (scope manage) is shown below, this once.")
        })
        router.get("/console/projects/:project_id", use: page { call in
            let id = try call.identifier("project_id", ProjectKind.self)
            let (project, keys) = try await call.read(id) { state, now throws(EngineError) in
                (try state.project(id: id), try state.keys(project: id))
            }
            let (notice, revealed) = call.sessions.takeShownOnce(call.sessionToken, project: id)
            let settings = project.settings
            let model = ProjectPage(
                id: id.rawValue, name: settings.name, repairURL: settings.repairURL ?? "",
                alertEmails: settings.alertEmails.joined(separator: ", "), slackWebhookURL: settings.slackWebhookURL ?? "",
                defaultTimeoutMinutes: settings.defaultTimeoutMinutes,
                modes: ConsoleFormat.options(ProjectMode.allCases, selected: settings.mode),
                openIncidents: project.openIncidents, pendingReceipts: project.pendingReceipts,
                signingSecret: project.signingSecret,
                keys: keys.reversed().map { key in
                    ProjectPage.KeyRow(
                        id: key.id.rawValue, label: key.label, scope: key.scope.rawValue,
                        createdAt: ConsoleFormat.time(key.createdAt), lastUsedAt: ConsoleFormat.time(key.lastUsedAt),
                        revokedAt: ConsoleFormat.time(key.revokedAt))
                },
                scopes: ConsoleFormat.options(KeyScope.allCases, selected: .ingest), revealed: revealed)
            return PageRenderer.render("project", title: settings.name, chrome: call.chrome(.projects, notice: notice), page: model)
        })
        router.post("/console/projects/:project_id", use: action(back: Self.projectPath) { call, form in
            let id = try call.identifier("project_id", ProjectKind.self)
            let change = try projectSettings(form, creating: false)
            _ = try await call.engine.execute(.audited(.updateProject(id, change), by: call.auditActor))
            return call.redirect("/console/projects/\(id)", notice: "Settings saved.")
        })
        router.post("/console/projects/:project_id/keys", use: action(back: Self.projectPath) { call, form in
            let id = try call.identifier("project_id", ProjectKind.self)
            let body = JSON.object([
                ("label", .string(form.trimmed("label") ?? "")),
                ("scope", .string(form["scope"] ?? KeyScope.ingest.rawValue)),
            ]).serialized
            let created = try await call.engine.createKey(project: id, try KeyRequest(body: Array(body.utf8)), by: call.auditActor)
            call.sessions.update(call.sessionToken) {
                $0.revealed = RevealedSecret(project: id, label: created.key.label, value: created.apiKey)
            }
            return call.redirect(
                "/console/projects/\(id)", notice: "Key \(created.key.label) created. Copy it now: it is shown this once.")
        })
        router.post("/console/projects/:project_id/keys/:key_id/revoke", use: action(back: Self.projectPath) { call, _ in
            let id = try call.identifier("project_id", ProjectKind.self)
            let keyID = try call.identifier("key_id", KeyKind.self)
            guard case .key(let key) = try await call.engine.execute(.audited(.revokeKey(id, keyID), by: call.auditActor)) else {
                preconditionFailure("a revocation answers a key")
            }
            return call.redirect("/console/projects/\(id)", notice: "Key \(key.label) revoked: requests with it are refused from now on.")
        })
        router.post("/console/projects/:project_id/signing-secret/rotate", use: action(back: Self.projectPath) { call, _ in
            let id = try call.identifier("project_id", ProjectKind.self)
            _ = try await call.engine.rotateSigningSecret(project: id, by: call.auditActor)
            return call.redirect(
                "/console/projects/\(id)",
                notice: "Signing secret rotated. The previous one keeps signing callbacks alongside for 24 hours.")
        })
    }

    static func projectPath(_ parameters: Parameters) -> String {
        "/console/projects/\(parameters.get("project_id") ?? "")"
    }

    /// The settings form as the operator API's body, validated by the same rules. Creating,
    /// blank fields are left out (defaults apply); editing, a blank optional field clears it.
    private func projectSettings(_ form: FormFields, creating: Bool) throws(EngineError) -> ProjectSettingsChange {
        var members: [(String, JSON)] = []
        func optional(_ field: String, _ value: JSON?) {
            if let value {
                members.append((field, value))
            } else if !creating {
                members.append((field, .null))
            }
        }
        members.append(("name", .string(form.trimmed("name") ?? "")))
        if let mode = form["mode"] { members.append(("mode", .string(mode))) }
        optional("repair_url", form.trimmed("repair_url").map(JSON.string))
        let emails = (form["alert_emails"] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { JSON.string(String($0)) }
        optional("alert_emails", emails.isEmpty ? nil : .array(emails))
        optional("slack_webhook_url", form.trimmed("slack_webhook_url").map(JSON.string))
        if let minutes = form.trimmed("default_timeout_minutes") {
            members.append(("default_timeout_minutes", Int64(minutes).map(JSON.integer) ?? .string(minutes)))
        }
        let body = JSON.object(members).serialized
        return try ProjectSettingsChange(body: Array(body.utf8), allowInsecureURLs: settings.allowInsecureRepairURLs)
    }
}
