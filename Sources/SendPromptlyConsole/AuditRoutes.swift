import Hummingbird
import SendPromptlyCore

/// The model of the audit trail page.
struct AuditPage {
    struct Row {
        let at: String?
        let actor: String
        let action: String
        let projectID: String
        let target: String?
        let detail: String?
    }

    let entries: [Row]
    let hasEntries: Bool
    let limit: Int
}

extension ConsoleRoutes {
    /// How many entries the page shows.
    static let auditPageLimit = 200

    /// `/console/audit`: the newest operator actions over every project (the trail the engine
    /// journals with each action; `GET /admin/v1/audit` serves the same).
    func addAuditRoutes<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("/console/audit", use: page { call in
            let (notice, _) = call.sessions.takeShownOnce(call.sessionToken, project: nil)
            let rows = await call.engine.auditLog(limit: Self.auditPageLimit).map { entry in
                AuditPage.Row(
                    at: ConsoleFormat.time(entry.at), actor: entry.actor.label, action: entry.action,
                    projectID: entry.projectID.rawValue, target: entry.target, detail: entry.detail)
            }
            return PageRenderer.render(
                "audit", title: "Audit trail", chrome: call.chrome(.audit, notice: notice),
                page: AuditPage(entries: rows, hasEntries: !rows.isEmpty, limit: Self.auditPageLimit))
        })
    }
}
