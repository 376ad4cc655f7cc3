import Hummingbird
import SendPromptlyCore

extension API {
    /// `GET /admin/v1/audit` (admin token): the audit trail of operator actions, newest first.
    /// `project_id` narrows it to one project; `limit` is 1 to 1000 (100 by default).
    func addAuditRoutes(to router: some RouterMethods<some RequestContext>) {
        router.get("/admin/v1/audit") { request, _ in
            try requireAdministrator(request)
            let query = request.uri.queryParameters
            let limit = try query.get("limit").map { raw throws(APIError) in
                guard let limit = Int(raw), (1...1000).contains(limit) else {
                    throw APIError(.validation(field: "limit", message: "limit must be an integer from 1 to 1000"))
                }
                return limit
            } ?? 100
            let project = try query.get("project_id").map { raw throws(APIError) in
                guard let id = ProjectID(raw) else { throw APIError(.notFound("no such project")) }
                return id
            }
            let entries = await engine.auditLog(project: project, limit: limit)
            return Response.json(.object([("entries", .array(entries.map(Views.auditEntry)))]))
        }
    }
}

extension Views {
    static func auditEntry(_ entry: AuditEntry) -> JSON {
        .object([
            ("at", time(entry.at)),
            ("actor", .string(entry.actor.label)),
            ("action", .string(entry.action)),
            ("project_id", .string(entry.projectID.rawValue)),
            ("target", .optional(entry.target)),
            ("detail", .optional(entry.detail)),
        ])
    }
}
